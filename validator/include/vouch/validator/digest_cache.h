// DigestCache<T>: remembers what was derived, at some cost, from exact
// bytes (a verified owner policy, a parsed AK public area), keyed by the
// SHA-256 of those bytes, so the same bytes are not checked again on every
// request. Bounded: when full it forgets everything (a flood of distinct
// inputs costs what it would without the cache). Thread-safe.
#ifndef VOUCH_VALIDATOR_DIGEST_CACHE_H_
#define VOUCH_VALIDATOR_DIGEST_CACHE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "vouch/core/bytes.h"
#include "vouch/core/digest.h"
#include "vouch/core/errors.h"

namespace vouch::validator {

template <typename T>
class DigestCache {
 public:
  explicit DigestCache(size_t capacity = 1024) : capacity_(capacity) {}

  // The value derived from `bytes`: cached, or `derive(bytes)` (whose errors
  // are returned and not cached).
  Result<std::shared_ptr<const T>> Get(ByteView bytes,
                                       const std::function<Result<T>(ByteView)>& derive) {
    return Get(bytes, Sha256(bytes), derive);
  }

  // The same, for a caller that has just computed `sha256_of_bytes`
  // (REQUIRES: it is SHA-256(bytes)) to check the bytes against a claim.
  Result<std::shared_ptr<const T>> Get(ByteView bytes, const Sha256Digest& sha256_of_bytes,
                                       const std::function<Result<T>(ByteView)>& derive) {
    const Sha256Digest& digest = sha256_of_bytes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(digest);
      if (it != entries_.end()) return it->second;
    }
    VOUCH_ASSIGN_OR_RETURN(T value, derive(bytes));
    auto shared = std::make_shared<const T>(std::move(value));
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.emplace(digest, shared);
    return shared;
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<Sha256Digest, std::shared_ptr<const T>> entries_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_DIGEST_CACHE_H_
