// A host's signed request to one validator to begin or to finish
// certifying its AK (DESIGN §4 /v1/enroll), so that nobody but the holder of
// a DID's key can open, replace or close that DID's enrollment:
//
//   begin   {"did": tstr, "at": int, "sig": bstr .size 64}
//   finish  {"did": tstr, "at": int, "secret": bstr, "sig": bstr .size 64}
//
// `at` is the host's clock (seconds) when it began; a finish carries the
// `at` of the enrollment it closes. `sig` is Ed25519 by the did:key over the
// deterministic CBOR of
//
//   ["vouch-enroll-v1", "begin"|"finish", VALIDATOR_DID, did, at, secret]
//
// (secret h'' for begin): a request made for one validator is useless at
// another, and a finish cannot be turned into a begin or moved to another
// enrollment. Both sides use this one codec.
//
// Value type; functions are thread-safe.
#ifndef VOUCH_CORE_ENROLLMENT_REQUEST_H_
#define VOUCH_CORE_ENROLLMENT_REQUEST_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch {

enum class EnrollStep { kBegin, kFinish };

struct EnrollmentRequest {
  EnrollStep step = EnrollStep::kBegin;
  std::string did;  // the host
  int64_t at = 0;
  Bytes secret;     // finish: what TPM2_ActivateCredential returned (≤ 64 bytes)
  Bytes signature;
};

// The request of `host_key`'s DID for `validator_did`, signed.
EnrollmentRequest SignEnrollmentRequest(EnrollStep step, const Ed25519PrivateKey& host_key,
                                        std::string_view validator_did, int64_t at,
                                        ByteView secret = {});

Bytes EncodeEnrollmentRequest(const EnrollmentRequest& request);

// Parses a body of `step`: exactly its keys, a did:key, a 64-byte
// signature, a secret of 1..64 bytes. kMalformed naming what is wrong. Does
// not check the signature.
Result<EnrollmentRequest> DecodeEnrollmentRequest(EnrollStep step, ByteView body);

// Ok if `request.signature` is its DID key's over the request for
// `validator_did`; kBadSignature otherwise.
Status VerifyEnrollmentRequest(const EnrollmentRequest& request, std::string_view validator_did);

}  // namespace vouch

#endif  // VOUCH_CORE_ENROLLMENT_REQUEST_H_
