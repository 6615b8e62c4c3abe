#include "vouch/core/errors.h"

namespace vouch {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kMalformed: return "malformed";
    case Code::kBadSignature: return "bad-signature";
    case Code::kCrypto: return "crypto";
    case Code::kNotFound: return "not-found";
    case Code::kIo: return "io";
    case Code::kUnavailable: return "unavailable";
    case Code::kTimeout: return "timeout";
    case Code::kRateLimited: return "rate-limited";
    case Code::kInternal: return "internal";
    case Code::kUnknownHost: return "unknown-host";
    case Code::kRevoked: return "revoked";
    case Code::kStaleNonce: return "stale-nonce";
    case Code::kReplay: return "replay";
    case Code::kNotInPolicy: return "not-in-policy";
    case Code::kHostNotAllowed: return "host-not-allowed";
    case Code::kUncertifiedAk: return "uncertified-ak";
    case Code::kBadQuote: return "bad-quote";
    case Code::kPcrMismatch: return "pcr-mismatch";
    case Code::kHvVersion: return "hv-version";
    case Code::kConfig: return "config";
    case Code::kDrift: return "drift";
  }
  return "unknown";
}

Code CodeFromName(std::string_view name) {
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kDrift); ++c) {
    if (CodeName(static_cast<Code>(c)) == name) return static_cast<Code>(c);
  }
  return Code::kInternal;
}

Error Error::WithContext(std::string_view context) const {
  return Error(code_, StrCat(context, ": ", message_));
}

std::string Error::ToString() const { return StrCat(CodeName(code_), ": ", message_); }

}  // namespace vouch
