// Stateless challenges (DESIGN §4 "GET /v1/challenge"):
//
//   nonce = ts ‖ HMAC-SHA-256(k, ts ‖ host DID)[0..24]
//
// ts is 8 bytes, big-endian seconds; k is a random key drawn per process, so
// a restart invalidates outstanding challenges (hosts simply ask again). A
// nonce is valid for `validity_s` seconds (30 by default) for the host it was
// issued to. Checking needs no state: the HMAC proves this validator made
// the nonce for that host at ts.
//
// A small bounded memo of recently issued nonces lets Check tell "issued to
// another host" from "not issued by this validator"; it only sharpens the
// refusal's reason, never decides it.
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_CHALLENGE_H_
#define VOUCH_VALIDATOR_CHALLENGE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vouch/core/digest.h"
#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/secret_bytes.h"

namespace vouch::validator {

inline constexpr size_t kNonceTimeSize = 8;
inline constexpr size_t kNonceMacSize = 24;
inline constexpr size_t kNonceSize = kNonceTimeSize + kNonceMacSize;  // 32

struct ChallengeOptions {
  int64_t validity_s = 30;     // how long a nonce is accepted after ts
  int64_t future_skew_s = 5;   // a ts this far ahead of `now` is still accepted
  size_t memo_entries = 4096;  // recently issued nonces remembered for reasons
};

class ChallengeIssuer {
 public:
  // An issuer with a fresh random 32-byte key.
  explicit ChallengeIssuer(ChallengeOptions options = {});
  // An issuer with a given key (tests: two issuers sharing or not sharing a
  // key). kInvalidArgument unless `key` is at least 32 bytes.
  static Result<std::unique_ptr<ChallengeIssuer>> WithKey(SecretBytes key,
                                                          ChallengeOptions options = {});

  ChallengeIssuer(const ChallengeIssuer&) = delete;
  ChallengeIssuer& operator=(const ChallengeIssuer&) = delete;

  // Returns a 32-byte nonce for `host_did` at time `now` (seconds).
  Bytes Issue(std::string_view host_did, int64_t now);

  // Ok if `nonce` was issued by this issuer to `host_did` and is fresh at
  // `now`. Otherwise kStaleNonce, one sentence each:
  //   - not 32 bytes, or its MAC does not verify: "not issued by this
  //     validator" (forged, altered, or from a previous run), or "issued to
  //     another host" when the memo knows it;
  //   - ts more than future_skew_s ahead of now: "issued in the future";
  //   - ts more than validity_s before now: "expired: issued N s ago, valid
  //     for 30 s".
  Status Check(ByteView nonce, std::string_view host_did, int64_t now) const;

  // Ok if one of `nonces` (a VC's eat_nonce, which also holds other
  // validators' challenges) passes Check. Otherwise kStaleNonce with the most
  // telling reason: a nonce of ours that expired or went to another host
  // beats "none of the N challenges was issued by this validator".
  Status CheckAny(const std::vector<Bytes>& nonces, std::string_view host_did, int64_t now) const;

  const ChallengeOptions& options() const { return options_; }

 private:
  ChallengeIssuer(SecretBytes key, ChallengeOptions options);
  Bytes Mac(ByteView ts, std::string_view host_did) const;
  // What one nonce says about itself; kinds ordered from least to most telling.
  struct Finding {
    enum Kind { kNotOurs, kOtherHost, kBadTime, kFresh } kind;
    std::string reason;
  };
  Finding Examine(ByteView nonce, std::string_view host_did, int64_t now) const;

  const HmacSha256Key key_;  // k, keyed once; the raw bytes are not kept
  const ChallengeOptions options_;
  mutable std::mutex memo_mu_;
  std::unordered_map<std::string, std::string> memo_;  // nonce bytes → host DID
  std::deque<std::string> memo_order_;                 // oldest first
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_CHALLENGE_H_
