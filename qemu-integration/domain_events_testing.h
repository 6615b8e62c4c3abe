// Test helper for DomainEventWatch (domain_events_test.cc, libvirt_test.cc):
// collects the events a watch delivers so the test thread can wait for them.
#ifndef VOUCH_QEMU_DOMAIN_EVENTS_TESTING_H_
#define VOUCH_QEMU_DOMAIN_EVENTS_TESTING_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "vouch/qemu/domain_events.h"

namespace vouch::qemu {

// For gtest's messages.
inline const char* KindName(DomainEvent::Kind kind) {
  switch (kind) {
    case DomainEvent::Kind::kStarted: return "started";
    case DomainEvent::Kind::kStopped: return "stopped";
    case DomainEvent::Kind::kSuspended: return "suspended";
    case DomainEvent::Kind::kResumed: return "resumed";
    case DomainEvent::Kind::kOther: return "other";
    case DomainEvent::Kind::kConnectionLost: return "connection-lost";
  }
  return "?";
}
inline void PrintTo(DomainEvent::Kind kind, std::ostream* os) { *os << KindName(kind); }
inline void PrintTo(const DomainEvent& e, std::ostream* os) {
  *os << KindName(e.kind) << "/" << e.detail << " '" << e.name << "' " << e.uuid;
}

namespace event_testing {

class EventLog {
 public:
  // For DomainEventWatch::Open; the log must outlive the watch.
  std::function<void(const DomainEvent&)> Callback() {
    return [this](const DomainEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
      changed_.notify_all();
    };
  }

  // The events that `match` accepts once there are at least `n`, or all
  // there are when `timeout` passes first.
  std::vector<DomainEvent> WaitFor(const std::function<bool(const DomainEvent&)>& match, size_t n,
                                   std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return Matching(match).size() >= n; });
    return Matching(match);
  }

  // The events of domain `name`.
  std::vector<DomainEvent> WaitFor(const std::string& name, size_t n, std::chrono::milliseconds timeout) {
    return WaitFor([&](const DomainEvent& e) { return e.name == name; }, n, timeout);
  }

 private:
  std::vector<DomainEvent> Matching(const std::function<bool(const DomainEvent&)>& match) const {
    std::vector<DomainEvent> out;
    for (const DomainEvent& e : events_) {
      if (match(e)) out.push_back(e);
    }
    return out;
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<DomainEvent> events_;
};

inline std::vector<DomainEvent::Kind> KindsOf(const std::vector<DomainEvent>& events) {
  std::vector<DomainEvent::Kind> out;
  for (const DomainEvent& e : events) out.push_back(e.kind);
  return out;
}

}  // namespace event_testing
}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_DOMAIN_EVENTS_TESTING_H_
