// Token buckets by key (a peer address, a limit name): each key may take
// `burst` at once and then `per_second` more each second.
//
// Memory is bounded: at most `max_keys` keys are tracked; past that the least
// recently used key is forgotten, which hands it a full bucket again. So a
// party with more than `max_keys` addresses escapes the limit; one with
// fewer cannot, whatever it sends.
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_RATE_LIMITER_H_
#define VOUCH_VALIDATOR_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vouch::validator {

struct RateLimit {
  double per_second = 1;  // refill; > 0
  double burst = 1;       // bucket size; >= 1
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit, size_t max_keys = 16384);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  struct Outcome {
    bool allowed = false;
    // Refusals of this key since its last allowed Take (for "N more since
    // the last line" in a log that is itself rate-limited).
    uint64_t refused_before = 0;
  };
  // Takes one token of `key` at `now`.
  Outcome Take(std::string_view key, Clock::time_point now);

  const RateLimit& limit() const { return limit_; }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
    uint64_t refused;
    std::list<std::string>::iterator lru;  // this key in lru_
  };

  const RateLimit limit_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // most recently used first
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_RATE_LIMITER_H_
