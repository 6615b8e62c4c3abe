// What the dashboard shows of this validator's recent work (DESIGN §4
// "Dashboard"): the last `capacity` decisions, and the hosts it decided
// about with their counts — both bounded, in memory, gone on restart (the
// log and the ledger are the record).
//
// Hosts seen are hosts that got past the host lookup: a decision refused
// malformed, bad-signature or unknown-host names a DID anyone can mint, so
// it goes in the ring but not in the hosts. Past `max_hosts` the host seen
// least recently is dropped.
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_RECENT_DECISIONS_H_
#define VOUCH_VALIDATOR_RECENT_DECISIONS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "vouch/validator/decision_log.h"

namespace vouch::validator {

struct HostSeen {
  std::string did;
  int64_t last_at = 0;  // its latest decision, seconds since the epoch
  uint64_t approvals = 0;
  uint64_t refusals = 0;
};

class RecentDecisions {
 public:
  static constexpr size_t kDefaultCapacity = 50;
  static constexpr size_t kDefaultMaxHosts = 256;

  // REQUIRES: capacity > 0, max_hosts > 0.
  explicit RecentDecisions(size_t capacity = kDefaultCapacity, size_t max_hosts = kDefaultMaxHosts);

  void Add(const Decision& decision);

  // The kept decisions, newest first.
  std::vector<Decision> Latest() const;
  // The kept hosts, the most recently seen first.
  std::vector<HostSeen> Hosts() const;

 private:
  const size_t capacity_;
  const size_t max_hosts_;
  mutable std::mutex mu_;
  std::deque<Decision> decisions_;  // oldest at the front
  std::map<std::string, HostSeen, std::less<>> hosts_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_RECENT_DECISIONS_H_
