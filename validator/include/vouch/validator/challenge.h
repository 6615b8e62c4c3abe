// Challenges (DESIGN §4 "GET /v1/challenge"): stateless to issue and check,
// single-use once answered:
//
//   nonce = ts ‖ salt ‖ HMAC-SHA-256(k, ts ‖ salt ‖ host DID)[0..16]
//
// ts is 8 bytes, big-endian seconds; salt 8 random bytes, so that two
// challenges are never the same (a challenge is single-use, below, and one
// host may ask twice in a second); k is a random key drawn per process, so
// a restart invalidates outstanding challenges (hosts simply ask again). A
// nonce is valid for `validity_s` seconds (30 by default) for the host it was
// issued to. Checking needs no state: the HMAC proves this validator made
// the nonce for that host at ts.
//
// A small bounded memo of recently issued nonces lets Check tell "issued to
// another host" from "not issued by this validator"; it only sharpens the
// refusal's reason, never decides it.
//
// Single use: a challenge answers one VC. Redeem reserves it for the VC
// being appraised; once that VC is approved the challenge is remembered as
// answered until it expires, and another VC bearing it is refused. The
// memory is bounded: each host DID may hold `answered_per_host` answered
// challenges (its rate, per validity window) and all hosts together
// `answered_capacity`; past that Redeem refuses (fail closed) rather than
// forget one. Only a VC signed by the host's key (appraisal step 1) reaches
// Redeem, so nobody else can spend a host's quota; Issue, reachable by
// anyone who names the DID, keeps no per-DID state at all (vouchd limits
// issuance per peer address instead, server.h).
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
#include "vouch/validator/replay_cache.h"

namespace vouch::validator {

inline constexpr size_t kNonceTimeSize = 8;
inline constexpr size_t kNonceSaltSize = 8;
inline constexpr size_t kNonceMacSize = 16;
inline constexpr size_t kNonceSize = kNonceTimeSize + kNonceSaltSize + kNonceMacSize;  // 32

struct ChallengeOptions {
  int64_t validity_s = 30;     // how long a nonce is accepted after ts
  int64_t future_skew_s = 5;   // a ts this far ahead of `now` is still accepted
  size_t memo_entries = 4096;  // recently issued nonces remembered for reasons
  size_t answered_per_host = 512;     // answered challenges one host holds at most
  size_t answered_capacity = 100000;  // answered challenges held, all hosts
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

  // Reserves the first challenge in `nonces` that passes Check and was not
  // answered yet, for one VC of `host_did`: Commit() the reservation when
  // the VC is approved; dropping it frees the challenge again (a refused VC
  // does not use up its challenge). Refusals:
  //   - CheckAny's, if no challenge passes Check;
  //   - kStaleNonce "challenge was already answered by another VC" if every
  //     one that passes was answered (or is reserved by a request in flight);
  //   - kRateLimited if `host_did` holds answered_per_host answered
  //     challenges, kUnavailable if all hosts hold answered_capacity.
  Result<ReplayCache::Reservation> Redeem(const std::vector<Bytes>& nonces,
                                          std::string_view host_did, int64_t now);

  const ChallengeOptions& options() const { return options_; }

 private:
  ChallengeIssuer(SecretBytes key, ChallengeOptions options);
  Bytes Mac(ByteView ts_and_salt, std::string_view host_did) const;
  // What one nonce says about itself; kinds ordered from least to most telling.
  struct Finding {
    enum Kind { kNotOurs, kOtherHost, kBadTime, kFresh } kind;
    std::string reason;
  };
  Finding Examine(ByteView nonce, std::string_view host_did, int64_t now) const;
  Error AnsweredRefusal(const Error& cache_error, std::string_view host_did) const;

  const HmacSha256Key key_;  // k, keyed once; the raw bytes are not kept
  const ChallengeOptions options_;
  mutable std::mutex memo_mu_;
  std::unordered_map<std::string, std::string> memo_;  // nonce bytes → host DID
  std::deque<std::string> memo_order_;                 // oldest first
  ReplayCache answered_;  // answered challenges (nonce bytes), each until it expires
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_CHALLENGE_H_
