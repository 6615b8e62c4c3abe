// The CBOR bodies of vouchd's HTTP API (DESIGN §4), all deterministic CBOR
// maps with text keys, content type application/cbor:
//
//   GET  /v1/challenge?host=DID → {"nonce": bstr, "validator": tstr}
//   POST /v1/attest  {"vc": bstr, "policy": bstr, "share": bstr, "index": uint}
//                    → {"endorsement": bstr (COSE_Countersignature), "share": bstr}
//   POST /v1/reattest {"vc": bstr, "policy": bstr, "launch": bstr, "index": uint,
//                      "guest_baseline"?: bstr}
//                    → {"endorsement": bstr}  ("launch": the endorsed launch VC)
//   POST /v1/enroll  {"did": tstr} → {"credential": bstr, "secret": bstr}
//                    (TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET)
//   POST /v1/enroll/finish {"did": tstr, "secret": bstr} → 204, no body
//   POST /v1/ledger/append {"entry": bstr} → {"index": uint, "outcome": tstr}
//                    (a host's own signed ledger entry; 409 "index-taken":
//                    draft again; ledger_append.h)
//   refusals (HTTP 4xx/5xx)   → {"code": tstr, "reason": tstr}
//
// Stateless; thread-safe.
#ifndef VOUCH_VALIDATOR_API_H_
#define VOUCH_VALIDATOR_API_H_

#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/enrollment.h"

namespace vouch::validator {

inline constexpr char kCborContentType[] = "application/cbor";
// Largest request body vouchd reads by default (a VC with a quote, a policy
// and a share take a few KiB).
inline constexpr size_t kDefaultMaxBodyBytes = 256 * 1024;

// Decodes a POST /v1/attest body. kMalformed, naming the field, unless it is
// a CBOR map with exactly the four keys above of those types (no others).
Result<AttestRequest> DecodeAttestRequest(ByteView body);
Bytes EncodeAttestRequest(const AttestRequest& request);

Bytes EncodeAttestResponse(const Approval& approval);
// The same for POST /v1/reattest.
Result<ReattestRequest> DecodeReattestRequest(ByteView body);
Bytes EncodeReattestRequest(const ReattestRequest& request);
Bytes EncodeReattestResponse(const Reendorsement& approval);
Bytes EncodeChallengeResponse(ByteView nonce, std::string_view validator_did);

// POST /v1/enroll and /v1/enroll/finish take a host-signed request
// (vouch/core/enrollment_request.h); the answer to /v1/enroll:
Bytes EncodeEnrollResponse(const EnrollChallenge& challenge);

// {"code": CodeName(error.code()), "reason": error.message()}, plus
// "verdict": bstr when `drift_verdict` is not empty (a reattest refused on
// its evidence: the validator's signed drift verdict, core/drift_verdict.h).
Bytes EncodeRefusal(const Error& error, ByteView drift_verdict = {});
// The HTTP status of a refusal with `code`: 400 malformed / invalid-argument,
// 409 replay, 429 rate-limited, 503 unavailable / timeout, 500 internal / io / not-found /
// crypto, 403 for every appraisal refusal.
int HttpStatusFor(Code code);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_API_H_
