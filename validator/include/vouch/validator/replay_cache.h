// The replay cache (DESIGN §4 "cti not seen"): the VC ids (cti) this
// validator has endorsed, each kept until its VC expires, so a VC is
// endorsed at most once.
//
// A cti is first *reserved* while its request is appraised (so two
// concurrent requests with one VC cannot both pass) and only *committed*
// when the appraisal succeeds; a failed appraisal releases it, so a refusal
// does not burn the VC. The cache is bounded: when it is full of unexpired
// entries it refuses new ones (fail closed) rather than forget one.
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_REPLAY_CACHE_H_
#define VOUCH_VALIDATOR_REPLAY_CACHE_H_

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::validator {

class ReplayCache {
 public:
  // A reservation of one cti: released on destruction unless committed.
  // Move-only. REQUIRES: the cache outlives it.
  class Reservation {
   public:
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();

    // Records the cti as endorsed: it stays in the cache until it expires.
    void Commit();

   private:
    friend class ReplayCache;
    Reservation(ReplayCache* cache, std::string key) : cache_(cache), key_(std::move(key)) {}
    ReplayCache* cache_;
    std::string key_;
  };

  explicit ReplayCache(size_t capacity = 100000) : capacity_(capacity) {}
  ReplayCache(const ReplayCache&) = delete;
  ReplayCache& operator=(const ReplayCache&) = delete;

  // Reserves `cti` until `expires_at` (seconds; the VC's exp), first
  // dropping entries that expired by `now`. kReplay if `cti` is committed
  // or reserved by a request in flight; kUnavailable if the cache holds
  // `capacity` unexpired entries.
  Result<Reservation> Reserve(ByteView cti, int64_t expires_at, int64_t now);

  // Whether `cti` is committed or reserved and not expired at `now`.
  bool Contains(ByteView cti, int64_t now) const;

  // Number of entries (committed or reserved), expired ones included until
  // the next Reserve drops them.
  size_t size() const;

 private:
  struct Entry {
    int64_t expires_at;
    bool committed;
  };
  void Release(const std::string& key);
  void Commit(const std::string& key);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::set<std::pair<int64_t, std::string>> by_expiry_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_REPLAY_CACHE_H_
