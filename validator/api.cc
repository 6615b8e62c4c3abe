#include "vouch/validator/api.h"

namespace vouch::validator {

Bytes EncodeAttestResponse(const Approval& approval) {
  return protocol::EncodeAttestAnswer({approval.endorsement, approval.sealed_share});
}

Bytes EncodeReattestResponse(const Reendorsement& approval) {
  return protocol::EncodeReattestAnswer(approval.endorsement);
}

Bytes EncodeEnrollResponse(const EnrollChallenge& challenge) {
  return protocol::EncodeEnrollAnswer({challenge.credential, challenge.encrypted_secret});
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kMalformed:
    case Code::kInvalidArgument:
      return 400;
    case Code::kReplay:
      return 409;
    case Code::kRateLimited:
      return 429;
    case Code::kUnavailable:
    case Code::kTimeout:
      return 503;
    case Code::kInternal:
    case Code::kIo:
    case Code::kNotFound:
    case Code::kCrypto:
      return 500;
    case Code::kBadSignature:
    case Code::kUnknownHost:
    case Code::kRevoked:
    case Code::kStaleNonce:
    case Code::kNotInPolicy:
    case Code::kHostNotAllowed:
    case Code::kUncertifiedAk:
    case Code::kBadQuote:
    case Code::kPcrMismatch:
    case Code::kHvVersion:
    case Code::kConfig:
    case Code::kDrift:
      return 403;
  }
  return 500;
}

}  // namespace vouch::validator
