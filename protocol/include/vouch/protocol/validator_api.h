// The wire forms of vouchd's HTTP API (DESIGN §4), written once for both
// ends: vouchd decodes the requests and encodes the answers, the host
// (vouch::host's ValidatorClient) encodes the requests and decodes the
// answers. All bodies are deterministic CBOR maps with text keys, content
// type application/cbor:
//
//   GET  /v1/challenge?host=DID → {"nonce": bstr, "validator": tstr}
//   POST /v1/attest  {"vc": bstr, "policy": bstr, "share": bstr, "index": uint}
//                    → {"endorsement": bstr (COSE_Countersignature), "share": bstr}
//   POST /v1/reattest {"vc": bstr, "policy": bstr, "launch": bstr, "index": uint,
//                      "guest_baseline"?: bstr}
//                    → {"endorsement": bstr}  ("launch": the endorsed launch VC)
//   POST /v1/enroll  (core/enrollment_request.h) → {"credential": bstr, "secret": bstr}
//                    (TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET)
//   refusals (HTTP 4xx/5xx) → {"code": tstr, "reason": tstr, "verdict"?: bstr}
//
// (POST /v1/enroll/finish, /v1/stop and /v1/ledger/append carry forms of
// their own: core/enrollment_request.h, core/stop_notice.h,
// ledger/append_request.h.)
//
// Requests are read strictly, as vouchd must: exactly the keys above of
// those types, byte strings non-empty, no others (kMalformed naming the
// field). Answers are read as a host must: the keys it needs, of those
// types, within kMaxAnswerBytes; keys it does not know are ignored, so a
// newer vouchd may add some. Stateless; thread-safe.
#ifndef VOUCH_PROTOCOL_VALIDATOR_API_H_
#define VOUCH_PROTOCOL_VALIDATOR_API_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::protocol {

inline constexpr char kCborContentType[] = "application/cbor";
// Largest answer a host reads (an endorsement or a sealed share: a few
// hundred bytes; a refusal's reason and verdict: a few KiB).
inline constexpr size_t kMaxAnswerBytes = 64 * 1024;
// Largest challenge nonce a host accepts.
inline constexpr size_t kMaxNonceBytes = 64;

// The body of POST /v1/attest.
struct AttestRequest {
  Bytes vc;            // the host VC, COSE_Sign1
  Bytes policy;        // the owner policy, COSE_Sign1
  Bytes share;         // this validator's sealed share, [enc, ct]
  uint64_t index = 0;  // this validator's index in the policy
  // "evlog" (optional): the firmware event log whose SHA-256 the VC's
  // "vouch.evlog" claim holds; empty when the VC has none.
  Bytes event_log;
  bool operator==(const AttestRequest&) const = default;
};

// The body of POST /v1/reattest.
struct ReattestRequest {
  Bytes vc;            // the re-attestation VC ("reattest"), COSE_Sign1
  Bytes policy;        // the owner policy, COSE_Sign1
  Bytes launch;        // the domain's endorsed launch VC (label 11 kept): the baseline
  uint64_t index = 0;  // this validator's index in the policy
  // The guest's first endorsed report of this launch (validator's
  // guest_appraisal.h); empty for the first one, or when the policy has no
  // guest section.
  Bytes guest_baseline;
  // "evlog" (optional): as in AttestRequest, for the reattest VC.
  Bytes event_log;
  bool operator==(const ReattestRequest&) const = default;
};

struct ChallengeAnswer {
  Bytes nonce;                // 1 .. kMaxNonceBytes
  std::string validator_did;  // the answering validator
};

struct AttestAnswer {
  Bytes endorsement;  // encoded COSE_Countersignature over the VC
  Bytes share;        // the share re-sealed to the VC's cnf key
};

// The answer to POST /v1/enroll: a credential for the host's TPM to activate.
struct EnrollAnswer {
  Bytes credential;        // TPM2B_ID_OBJECT
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET
};

// A refusal as the host reads it.
struct Refusal {
  Code code = Code::kUnavailable;
  std::string code_name;  // as sent: CodeName(code), or a code of its own (e.g. ledger's "index-taken")
  std::string reason;
  // A reattest refused on its evidence: the validator's signed drift
  // verdict (core/drift_verdict.h), unverified; empty otherwise.
  Bytes drift_verdict;
};

Bytes EncodeAttestRequest(const AttestRequest& request);
Result<AttestRequest> DecodeAttestRequest(ByteView body);
// guest_baseline is left out when empty.
Bytes EncodeReattestRequest(const ReattestRequest& request);
Result<ReattestRequest> DecodeReattestRequest(ByteView body);

Bytes EncodeChallengeAnswer(const ChallengeAnswer& answer);
Result<ChallengeAnswer> DecodeChallengeAnswer(ByteView body);
Bytes EncodeAttestAnswer(const AttestAnswer& answer);
Result<AttestAnswer> DecodeAttestAnswer(ByteView body);
// The answer to POST /v1/reattest: the endorsement alone (no share).
Bytes EncodeReattestAnswer(ByteView endorsement);
Result<Bytes> DecodeReattestAnswer(ByteView body);
Bytes EncodeEnrollAnswer(const EnrollAnswer& answer);
Result<EnrollAnswer> DecodeEnrollAnswer(ByteView body);

// {"code": CodeName(error.code()), "reason": error.message()}, plus
// "verdict" when `drift_verdict` is not empty.
Bytes EncodeRefusal(const Error& error, ByteView drift_verdict = {});
// kMalformed unless `body` is a refusal map with text "code" and "reason";
// an unknown code name reads as CodeFromName's.
Result<Refusal> DecodeRefusal(ByteView body);

}  // namespace vouch::protocol

#endif  // VOUCH_PROTOCOL_VALIDATOR_API_H_
