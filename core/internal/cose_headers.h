// Header-map rules shared by COSE_Sign1 and COSE_Countersignature (private
// to vouch_core_cose; the rules are stated in vouch/core/cose_sign1.h).
#ifndef VOUCH_CORE_INTERNAL_COSE_HEADERS_H_
#define VOUCH_CORE_INTERNAL_COSE_HEADERS_H_

#include <cstdint>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/errors.h"

namespace vouch::cose_internal {

// "a byte string", "a map", … for error sentences.
std::string_view TypeName(const cbor::Value& v);

// "EdDSA (-8)", "ES256 (-7)" or "alg -36".
std::string AlgName(int64_t alg);

struct ProtectedHeader {
  Bytes bytes;      // the bstr content, exactly as received or encoded
  cbor::Value map;  // decoded
  int64_t alg = 0;  // label 1
};

// Reads the protected field of `object` (e.g. "COSE_Sign1"): a bstr holding
// a deterministically encoded map with an integer alg, no crit, and integer
// or text labels. kMalformed otherwise.
Result<ProtectedHeader> ParseProtected(const cbor::Value& field, std::string_view object,
                                       const cbor::DecodeLimits& limits);

// Checks the unprotected field of `object`: a map with integer or text
// labels, without alg or crit, sharing no label with `protected_map`.
// kMalformed otherwise.
Status CheckUnprotected(const cbor::Value& field, const cbor::Value& protected_map,
                        std::string_view object);

// Sets `label` to `value` in the unprotected map `unprotected` of `object`,
// replacing any value there. kInvalidArgument if `label` is neither an
// integer nor text, is alg, crit or countersignatures (11), or is in
// `protected_map`.
Status SetUnprotected(cbor::Value& unprotected, const cbor::Value& protected_map,
                      const cbor::Value& label, cbor::Value value, std::string_view object);

// Builds the protected header for a signer: `extra` plus {1: alg}.
// kInvalidArgument if `extra` is not a map, has a label that is not an
// integer or text, or holds alg or crit.
Result<ProtectedHeader> BuildProtected(const cbor::Value& extra, int64_t alg,
                                       std::string_view object);

// Checks that `alg` (from a protected header) is what a `key_alg` key
// verifies: kMalformed if `alg` is neither EdDSA nor ES256, kBadSignature if
// it is the other one.
Status CheckAlg(int64_t alg, int64_t key_alg, std::string_view object);

}  // namespace vouch::cose_internal

#endif  // VOUCH_CORE_INTERNAL_COSE_HEADERS_H_
