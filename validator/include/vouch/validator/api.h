// vouchd's side of its HTTP API (DESIGN §4). The wire forms of every
// request and answer are vouch/protocol/validator_api.h, shared with the
// host's client; this adds what only the server needs: the answers built
// from appraisal results, the body limit and the HTTP status of a refusal.
// Stateless; thread-safe.
#ifndef VOUCH_VALIDATOR_API_H_
#define VOUCH_VALIDATOR_API_H_

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/protocol/validator_api.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/enrollment.h"

namespace vouch::validator {

using protocol::kCborContentType;
// Largest request body vouchd reads by default (a VC with a quote, a policy
// and a share take a few KiB).
inline constexpr size_t kDefaultMaxBodyBytes = 256 * 1024;

// The answers to POST /v1/attest, /v1/reattest and /v1/enroll.
Bytes EncodeAttestResponse(const Approval& approval);
Bytes EncodeReattestResponse(const Reendorsement& approval);
Bytes EncodeEnrollResponse(const EnrollChallenge& challenge);

// The HTTP status of a refusal with `code`: 400 malformed / invalid-argument,
// 409 replay, 429 rate-limited, 503 unavailable / timeout, 500 internal / io / not-found /
// crypto, 403 for every appraisal refusal.
int HttpStatusFor(Code code);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_API_H_
