#include "vouch/validator/replay_cache.h"

namespace vouch::validator {

ReplayCache::Reservation::Reservation(Reservation&& other) noexcept
    : cache_(other.cache_), key_(std::move(other.key_)) {
  other.cache_ = nullptr;
}

ReplayCache::Reservation& ReplayCache::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    if (cache_ != nullptr) cache_->Release(key_);
    cache_ = other.cache_;
    key_ = std::move(other.key_);
    other.cache_ = nullptr;
  }
  return *this;
}

ReplayCache::Reservation::~Reservation() {
  if (cache_ != nullptr) cache_->Release(key_);
}

void ReplayCache::Reservation::Commit() {
  if (cache_ != nullptr) cache_->Commit(key_);
  cache_ = nullptr;
}

Result<ReplayCache::Reservation> ReplayCache::Reserve(ByteView cti, std::string_view host,
                                                      int64_t expires_at, int64_t now) {
  std::string key = ToString(cti);
  std::lock_guard<std::mutex> lock(mu_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    auto it = entries_.find(by_expiry_.begin()->second);
    // Only committed entries expire; a reservation belongs to a request in
    // flight (Commit puts it back in by_expiry_).
    if (it != entries_.end() && it->second.committed) EraseLocked(it);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (auto it = entries_.find(key); it != entries_.end()) {
    return Error(
        Code::kReplay,
        it->second.committed
            ? StrCat("host VC cti ", HexEncode(cti), " was already endorsed by this validator")
            : StrCat("host VC cti ", HexEncode(cti), " is being appraised by another request"));
  }
  size_t& held = per_host_count_[std::string(host)];
  if (held >= per_host_) {
    return Error(Code::kRateLimited,
                 StrCat("host '", host, "' has ", held, " unexpired VCs in this validator's replay cache, "
                        "its quota: try again when they expire"));
  }
  if (entries_.size() >= capacity_) {
    if (held == 0) per_host_count_.erase(std::string(host));
    return Error(Code::kUnavailable,
                 StrCat("replay cache is full (", capacity_, " unexpired VCs); try again later"));
  }
  ++held;
  entries_.emplace(key, Entry{expires_at, false, std::string(host)});
  by_expiry_.emplace(expires_at, key);
  return Reservation(this, std::move(key));
}

void ReplayCache::Commit(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.committed = true;
    by_expiry_.emplace(it->second.expires_at, key);
  }
}

void ReplayCache::Release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.committed) return;
  by_expiry_.erase({it->second.expires_at, key});
  EraseLocked(it);
}

void ReplayCache::EraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
  auto count = per_host_count_.find(it->second.host);
  if (count != per_host_count_.end() && --count->second == 0) per_host_count_.erase(count);
  entries_.erase(it);
}

bool ReplayCache::Contains(ByteView cti, int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(ToString(cti));
  return it != entries_.end() && (!it->second.committed || it->second.expires_at > now);
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace vouch::validator
