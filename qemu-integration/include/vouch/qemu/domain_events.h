// Following libvirt's domain lifecycle events (DESIGN §2 "Run"): vouch-agent
// learns that a domain started, paused, resumed or stopped when libvirt says
// so, instead of polling the domain list.
//
// libvirt's event loop. libvirt delivers events only to a process that
// registered an event loop implementation before opening the connection,
// and that registration is process-wide and cannot be undone. Open()
// registers libvirt's default implementation once per process
// (virEventRegisterDefaultImpl under std::call_once); code in the same
// process must not register another. The default implementation is one
// GLib main context per process, and two threads iterating it take each
// other's wake-ups, so all watches share one event thread: the first open
// watch starts it, the last one's destructor stops and joins it.
//
// Each watch opens its own connection, which no LibvirtConnection call (nor
// one of its abandoned calls) ever uses.
//
// Callbacks. `on_event` runs on the event thread, one event at a time, in
// libvirt's order; it must return quickly (hand work to another thread):
// while it runs, no other watch receives events and libvirt's keepalive
// replies wait. It must not throw (an exception ends the process rather
// than unwind through libvirt) and must not destroy its own watch (the
// destructor waits for a running `on_event` to return). After the
// destructor returns, `on_event` is never called again.
//
// While no watch is open nobody runs the loop, and libvirt frees what a
// closed connection registered with it (its socket included, so also a
// LibvirtConnection's) only when the loop runs: a process that closed its
// last watch should not keep opening connections for long.
//
// What libvirt sends (libvirt 9.0, QEMU 7.2): a start is kResumed
// (unpaused: the vCPUs run for the first time) and then kStarted; a destroy
// is kOther (shutdown, as QEMU reports the host's SIGTERM) and then
// kStopped. So kResumed does not mean the domain was paused: follow
// kStarted and kStopped for whether it runs.
//
// Connection loss. When the connection closes under the watch (the daemon
// stopped or restarted, the socket broke, keepalive timed out) `on_event`
// receives one kConnectionLost event and nothing more: destroy the watch and
// Open() a new one, then reconcile with LibvirtConnection::ActiveDomains(),
// since events that happened in between are lost.
//
// Blocking. Open() and the destructor talk to the daemon (connect, register;
// deregister, close) and, like every plain libvirt call, wait for its
// answer: a daemon that accepts connections but never answers blocks them
// (LibvirtConnection's deadlines do not apply here).
//
// Thread safety: a DomainEventWatch has no methods to race on; Open() may
// be called from several threads at once.
#ifndef VOUCH_QEMU_DOMAIN_EVENTS_H_
#define VOUCH_QEMU_DOMAIN_EVENTS_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"

namespace vouch::qemu {

struct DomainEvent {
  enum class Kind {
    kStarted,    // VIR_DOMAIN_EVENT_STARTED
    kStopped,    // VIR_DOMAIN_EVENT_STOPPED
    kSuspended,  // VIR_DOMAIN_EVENT_SUSPENDED (paused, including by vouch's drift verdict)
    kResumed,    // VIR_DOMAIN_EVENT_RESUMED
    // Any other lifecycle event (defined, undefined, shutdown, pmsuspended,
    // crashed): ask libvirt for the domain's state if it matters.
    kOther,
    kConnectionLost,  // the watch's connection closed; name and uuid are empty
  };
  std::string name;  // the domain's name
  std::string uuid;  // the domain's UUID, lower-case 8-4-4-4-12
  Kind kind = Kind::kOther;
  // libvirt's detail: the virDomainEvent*DetailType of the event (e.g.
  // VIR_DOMAIN_EVENT_STOPPED_DESTROYED); for kConnectionLost the
  // virConnectCloseReason (e.g. VIR_CONNECT_CLOSE_REASON_EOF).
  int detail = 0;
};

// A subscription to the lifecycle events of every domain on one libvirt
// connection. Neither copyable nor movable: own it through the unique_ptr
// Open returns.
class DomainEventWatch {
 public:
  // Connects to `uri` (e.g. kDefaultLibvirtUri) and delivers every
  // lifecycle event of every domain to `on_event` (see the file comment for
  // the thread it runs on). kUnavailable, naming the URI with libvirt's
  // message, if the connection cannot be opened or libvirt refuses the
  // subscription; kInvalidArgument if `on_event` is empty; kInternal if the
  // event thread cannot start.
  [[nodiscard]] static Result<std::unique_ptr<DomainEventWatch>> Open(
      std::string_view uri, std::function<void(const DomainEvent&)> on_event);

  DomainEventWatch(const DomainEventWatch&) = delete;
  DomainEventWatch& operator=(const DomainEventWatch&) = delete;
  // Deregisters, waits for a running `on_event`, closes the connection and,
  // if this was the last watch, stops and joins the event thread.
  // REQUIRES: not called from an `on_event` (of any watch).
  ~DomainEventWatch();

 private:
  class Impl;
  explicit DomainEventWatch(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_DOMAIN_EVENTS_H_
