// The replay cache (DESIGN §4 "cti not seen"): the VC ids (cti) this
// validator has endorsed, each kept until its VC expires, so a VC is
// endorsed at most once.
//
// A cti is first *reserved* while its request is appraised (so two
// concurrent requests with one VC cannot both pass) and only *committed*
// when the appraisal succeeds; a failed appraisal releases it, so a refusal
// does not burn the VC. The cache is bounded: when it is full of unexpired
// entries it refuses new ones (fail closed) rather than forget one. So that
// one host cannot fill it for everyone (a certified host can mint approved
// VCs of its own), each host DID may hold at most `per_host` of them; past
// that only that host is refused.
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_REPLAY_CACHE_H_
#define VOUCH_VALIDATOR_REPLAY_CACHE_H_

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
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

  static constexpr size_t kDefaultCapacity = 100000;
  static constexpr size_t kDefaultPerHost = 1024;

  explicit ReplayCache(size_t capacity = kDefaultCapacity, size_t per_host = kDefaultPerHost)
      : capacity_(capacity), per_host_(per_host) {}
  ReplayCache(const ReplayCache&) = delete;
  ReplayCache& operator=(const ReplayCache&) = delete;

  // Reserves `cti` of `host` (the VC's issuer) until `expires_at` (seconds;
  // the VC's exp), first dropping entries that expired by `now`. kReplay if
  // `cti` is committed or reserved by a request in flight; kRateLimited if
  // `host` holds `per_host` unexpired entries; kUnavailable if the cache
  // holds `capacity`.
  Result<Reservation> Reserve(ByteView cti, std::string_view host, int64_t expires_at, int64_t now);

  // Whether `cti` is committed or reserved and not expired at `now`.
  bool Contains(ByteView cti, int64_t now) const;

  // Number of entries (committed or reserved), expired ones included until
  // the next Reserve drops them.
  size_t size() const;

 private:
  struct Entry {
    int64_t expires_at;
    bool committed;
    std::string host;
  };
  void Release(const std::string& key);
  void Commit(const std::string& key);
  // Erases `it` and its count for its host. REQUIRES: mu_ held.
  void EraseLocked(std::unordered_map<std::string, Entry>::iterator it);

  const size_t capacity_;
  const size_t per_host_;
  std::unordered_map<std::string, size_t> per_host_count_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::set<std::pair<int64_t, std::string>> by_expiry_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_REPLAY_CACHE_H_
