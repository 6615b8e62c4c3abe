#include "vouch/validator/rate_limiter.h"

#include <algorithm>

namespace vouch::validator {

RateLimiter::RateLimiter(RateLimit limit, size_t max_keys)
    : limit_(limit), max_keys_(std::max<size_t>(max_keys, 1)) {}

RateLimiter::Outcome RateLimiter::Take(std::string_view key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.emplace_front(key);
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now, 0, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
    b.updated = now;
  }
  if (b.tokens < 1) {
    ++b.refused;
    return Outcome{false, b.refused - 1};
  }
  b.tokens -= 1;
  Outcome out{true, b.refused};
  b.refused = 0;
  return out;
}

}  // namespace vouch::validator
