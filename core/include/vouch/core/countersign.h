// COSE countersignatures, version 2, full form (RFC 9338 §3.1 and §3.3) on
// a COSE_Sign1 (DESIGN §3 "Endorsement"):
//
//   COSE_Countersignature = [protected: bstr .cbor header_map,
//                            unprotected: header_map,
//                            signature: bstr]
//   Countersign_structure = ["CounterSignatureV2", body_protected,
//                            sign_protected, external_aad, payload,
//                            other_fields]
//
// body_protected and payload are the countersigned COSE_Sign1's, and
// sign_protected is the countersignature's own protected header. For a
// COSE_Sign1 target other_fields = [signature of the COSE_Sign1] (RFC 9338
// §3.3: "an array of one element for the COSE_Sign1 structure containing
// the signature value"), which is why the context is "CounterSignatureV2".
// A countersignature therefore binds the exact signed message, signature
// included, and fails on any other message, even one with the same payload.
// The abbreviated form (COSE_Countersignature0, label 12) is not supported.
//
// Placement: unprotected header label 11 of the COSE_Sign1. RFC 9338 allows
// `COSE_Countersignature / [+ COSE_Countersignature]` there. vouch ALWAYS
// WRITES the array form (an array of COSE_Countersignature arrays, even for
// one countersignature, DESIGN §3 "in unprotected header label 11 (array)")
// and READS both forms. The two are told apart by the first element: a byte
// string starts a single COSE_Countersignature, an array starts the list.
//
// Algorithm: EdDSA (-8) with Ed25519 keys (validator keys); the alg is the
// countersignature's protected header 1 and is set from the key. Header
// rules are the same as for COSE_Sign1 (vouch/core/cose_sign1.h): protected
// is a deterministic map with an integer alg, no crit, no label in both
// headers. The countersignature's unprotected header is written empty;
// SetUnprotectedHeader adds to it (vouch's "vouch.di", DESIGN §3).
//
// Countersignature is a value type; const methods are thread-safe.
#ifndef VOUCH_CORE_COUNTERSIGN_H_
#define VOUCH_CORE_COUNTERSIGN_H_

#include <cstdint>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch {

namespace cose {
// Returns the encoded Countersign_structure (RFC 9338 §3.3) of a
// countersignature whose protected header is `sign_protected` over a
// COSE_Sign1 `target`.
Bytes CountersignV2ToBeSigned(const CoseSign1& target, ByteView sign_protected,
                              ByteView external_aad);
}  // namespace cose

class Countersignature {
 public:
  // Reads one COSE_Countersignature from a decoded CBOR item (an untagged
  // 3-element array). kMalformed, naming the problem, on a wrong shape or
  // type, or a protected header that breaks the header rules.
  static Result<Countersignature> FromValue(const cbor::Value& item,
                                            const cbor::DecodeLimits& limits = {});
  // Reads one encoded COSE_Countersignature (e.g. a validator's
  // "endorsement", DESIGN §4). kMalformed as FromValue, or if `encoded` is
  // not deterministic CBOR.
  static Result<Countersignature> Parse(ByteView encoded, const cbor::DecodeLimits& limits = {});

  // Ok if this countersignature is an EdDSA (protected alg -8) signature by
  // `key` over `target` (its protected header, payload and signature) and
  // `external_aad`. kMalformed if the protected alg is not one vouch
  // supports; kBadSignature if it is ES256, or if the signature does not
  // verify (wrong key, another or altered target).
  Status Verify(const CoseSign1& target, const Ed25519PublicKey& key,
                ByteView external_aad = {}) const;

  // The protected header map (alg, and whatever the signer added, e.g. the
  // validator DID in label 4 and "vouch.verdict") and its exact bytes.
  const cbor::Value& protected_headers() const { return protected_; }
  ByteView protected_bytes() const { return protected_bytes_; }
  const cbor::Value& unprotected() const { return unprotected_; }
  const Bytes& signature() const { return signature_; }
  int64_t alg() const { return alg_; }

  // Sets unprotected header `label` to `value`, as CoseSign1's (the
  // signature stays valid); kInvalidArgument for a label that is not an
  // integer or text, alg, crit, 11 or protected.
  Status SetUnprotectedHeader(const cbor::Value& label, cbor::Value value);

  // The Countersign_structure this countersignature covers for `target`.
  Bytes ToBeSigned(const CoseSign1& target, ByteView external_aad = {}) const;

  // [protected, unprotected, signature] as a CBOR item, and encoded.
  cbor::Value ToValue() const;
  Bytes Encode() const;

 private:
  friend Result<Countersignature> Countersign(const CoseSign1&, const cbor::Value&,
                                              const Ed25519PrivateKey&, ByteView);
  Countersignature() = default;

  Bytes protected_bytes_;
  cbor::Value protected_;
  cbor::Value unprotected_;
  Bytes signature_;
  int64_t alg_ = 0;
};

// Countersigns `target` with `key` and returns the COSE_Countersignature
// (not yet placed in `target`; see AddCountersignature). Its protected header
// is `protected_extra` plus {1: -8}; `protected_extra` must be a map with
// integer or text labels and without alg (1) or crit (2), else
// kInvalidArgument. Does not verify `target`. REQUIRES: the caller verified
// `target` (its signature and its signer) before countersigning it.
Result<Countersignature> Countersign(const CoseSign1& target, const cbor::Value& protected_extra,
                                     const Ed25519PrivateKey& key, ByteView external_aad = {});

// Appends `countersignature` to `target`'s unprotected label 11, writing the
// array form (converting a single countersignature found there to it).
// `target`'s signature stays valid. Does not verify `countersignature`.
// kMalformed if label 11 holds something that is neither form.
Status AddCountersignature(CoseSign1& target, const Countersignature& countersignature);

// Returns the countersignatures in `target`'s unprotected label 11, in
// order; empty if there is no label 11. Reads the single and the array form.
// kMalformed, naming the index, if label 11 or any element is malformed.
// None is verified: call Countersignature::Verify with each signer's key.
Result<std::vector<Countersignature>> Countersignatures(const CoseSign1& target,
                                                        const cbor::DecodeLimits& limits = {});

}  // namespace vouch

#endif  // VOUCH_CORE_COUNTERSIGN_H_
