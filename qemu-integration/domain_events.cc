#include "vouch/qemu/domain_events.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "internal/libvirt_error.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::qemu {
namespace {

// Client keepalive: without it a peer that vanishes without closing the
// socket (a remote host, qemu+ssh) is noticed only by TCP, hours later.
constexpr int kKeepAliveIntervalSeconds = 5;
constexpr unsigned kKeepAliveCount = 3;

Status RegisterEventLoopImpl() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = virEventRegisterDefaultImpl(); });
  if (rc < 0) {
    return internal::LastLibvirtError("libvirt: registering its default event loop failed");
  }
  return Ok();
}

// The one thread that runs libvirt's default event loop (see the header).
class EventThread {
 public:
  // Never destroyed: a joinable std::thread must not meet static destruction.
  static EventThread& Get() {
    static auto* thread = new EventThread;
    return *thread;
  }

  Status Acquire() {
    std::lock_guard<std::mutex> lock(mu_);
    if (users_ == 0) {
      drained_ = false;
      try {
        thread_ = std::thread([this] {
          while (!drained_) virEventRunDefaultImpl();
        });
      } catch (const std::system_error& e) {
        return Error(Code::kInternal, StrCat("libvirt event thread: cannot start (", e.what(), ")"));
      }
    }
    ++users_;
    return Ok();
  }

  // The last user stops the loop with a 0 ms timeout whose callback removes
  // it. libvirt frees a removed timeout or handle in an idle callback on the
  // loop, so this timeout's free callback runs after those queued before it
  // (the closed connections' sockets among them) and only then sets
  // drained_: nothing libvirt still had to free is left behind.
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--users_ > 0) return;
    // Cannot fail: the default implementation is registered.
    virEventAddTimeout(0, &RemoveTimeout, nullptr, &SetDrained);
    thread_.join();
  }

 private:
  static void RemoveTimeout(int timer, void*) { virEventRemoveTimeout(timer); }
  static void SetDrained(void*) { Get().drained_ = true; }

  std::mutex mu_;
  int users_ = 0;
  std::thread thread_;
  std::atomic<bool> drained_{false};
};

// What libvirt's callbacks reach. The mutex lets the destructor wait for a
// running on_event and keeps any later one from starting.
class Sink {
 public:
  explicit Sink(std::function<void(const DomainEvent&)> on_event) : on_event_(std::move(on_event)) {}

  void Deliver(const DomainEvent& event) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (on_event_) on_event_(event);
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    on_event_ = nullptr;
  }

 private:
  std::mutex mu_;
  std::function<void(const DomainEvent&)> on_event_;
};

DomainEvent::Kind KindOf(int event) {
  switch (event) {
    case VIR_DOMAIN_EVENT_STARTED: return DomainEvent::Kind::kStarted;
    case VIR_DOMAIN_EVENT_STOPPED: return DomainEvent::Kind::kStopped;
    case VIR_DOMAIN_EVENT_SUSPENDED: return DomainEvent::Kind::kSuspended;
    case VIR_DOMAIN_EVENT_RESUMED: return DomainEvent::Kind::kResumed;
    default: return DomainEvent::Kind::kOther;
  }
}

// `opaque` is a heap std::shared_ptr<Sink>: libvirt may still be inside this
// callback when deregistration returns, and frees the opaque (FreeSinkRef)
// only after it has returned.
int OnLifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque) {
  DomainEvent e;
  if (const char* name = virDomainGetName(dom); name != nullptr) e.name = name;
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virDomainGetUUIDString(dom, uuid) == 0) e.uuid = uuid;
  e.kind = KindOf(event);
  e.detail = detail;
  (*static_cast<std::shared_ptr<Sink>*>(opaque))->Deliver(e);
  return 0;
}

void FreeSinkRef(void* opaque) { delete static_cast<std::shared_ptr<Sink>*>(opaque); }

virConnectDomainEventGenericCallback LifecycleCallback() {
  [[maybe_unused]] virConnectDomainEventCallback exact = &OnLifecycle;
  // VIR_DOMAIN_EVENT_CALLBACK's cast, through void (*)() so that g++'s
  // -Wcast-function-type accepts it.
  return reinterpret_cast<virConnectDomainEventGenericCallback>(
      reinterpret_cast<void (*)()>(&OnLifecycle));
}

// `opaque` is the Sink itself: libvirt runs a close callback under the lock
// that unregistering takes, so none is running once that returns.
void OnClose(virConnectPtr, int reason, void* opaque) {
  DomainEvent e;
  e.kind = DomainEvent::Kind::kConnectionLost;
  e.detail = reason;
  static_cast<Sink*>(opaque)->Deliver(e);
}

}  // namespace

class DomainEventWatch::Impl {
 public:
  explicit Impl(std::function<void(const DomainEvent&)> on_event)
      : sink_(std::make_shared<Sink>(std::move(on_event))) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  Status Start(std::string_view uri);

 private:
  Status Subscribe();
  Error Unavailable(std::string_view what) const;

  std::shared_ptr<Sink> sink_;
  std::string uri_;
  bool have_loop_ = false;
  VirConnectHandle conn_;
  int lifecycle_id_ = -1;
  bool have_close_callback_ = false;
};

Status DomainEventWatch::Impl::Start(std::string_view uri) {
  uri_ = std::string(uri);
  VOUCH_RETURN_IF_ERROR(EventThread::Get().Acquire());
  have_loop_ = true;
  conn_.reset(virConnectOpen(uri_.c_str()));
  if (!conn_) return Unavailable("");
  if (virConnectSetKeepAlive(conn_.get(), kKeepAliveIntervalSeconds, kKeepAliveCount) < 0) {
    virResetLastError();  // drivers without a daemon (test:///) have no keepalive
  }
  return Subscribe();
}

// The close callback comes last, so that a connection breaking while the
// daemon is asked to send events fails Open() rather than calling on_event
// on the caller's thread; the liveness check covers a break in between.
Status DomainEventWatch::Impl::Subscribe() {
  auto* ref = new std::shared_ptr<Sink>(sink_);
  lifecycle_id_ = virConnectDomainEventRegisterAny(conn_.get(), nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   LifecycleCallback(), ref, &FreeSinkRef);
  if (lifecycle_id_ < 0) {
    delete ref;  // libvirt frees the opaque only of a registered callback
    return Unavailable(": subscribing to domain lifecycle events failed");
  }
  if (virConnectRegisterCloseCallback(conn_.get(), &OnClose, sink_.get(), nullptr) < 0) {
    return Unavailable(": registering the close callback failed");
  }
  have_close_callback_ = true;
  if (virConnectIsAlive(conn_.get()) != 1) {
    return Error(Code::kUnavailable,
                 StrCat("libvirt event connection '", uri_, "': closed while subscribing"));
  }
  return Ok();
}

Error DomainEventWatch::Impl::Unavailable(std::string_view what) const {
  Error e = internal::LastLibvirtError(StrCat("libvirt event connection '", uri_, "'", what));
  return Error(Code::kUnavailable, e.message());
}

// The close callback goes first: deregistering talks to the daemon, and a
// connection that breaks meanwhile would run OnClose on this thread. Only
// deregistering can fail, on a connection already gone, and libvirt drops
// the callback locally all the same: nothing is left to undo.
DomainEventWatch::Impl::~Impl() {
  if (have_close_callback_ && virConnectUnregisterCloseCallback(conn_.get(), &OnClose) < 0) {
    virResetLastError();
  }
  if (lifecycle_id_ >= 0 && virConnectDomainEventDeregisterAny(conn_.get(), lifecycle_id_) < 0) {
    virResetLastError();
  }
  sink_->Close();
  conn_.reset();  // while the loop still runs, so it frees the socket
  if (have_loop_) EventThread::Get().Release();
}

DomainEventWatch::DomainEventWatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DomainEventWatch::~DomainEventWatch() = default;

Result<std::unique_ptr<DomainEventWatch>> DomainEventWatch::Open(
    std::string_view uri, std::function<void(const DomainEvent&)> on_event) {
  if (!on_event) {
    return Error(Code::kInvalidArgument, "libvirt domain event watch: on_event is empty");
  }
  internal::QuietLibvirtErrors();
  VOUCH_RETURN_IF_ERROR(RegisterEventLoopImpl());
  std::unique_ptr<DomainEventWatch> watch(
      new DomainEventWatch(std::make_unique<Impl>(std::move(on_event))));
  VOUCH_RETURN_IF_ERROR(watch->impl_->Start(uri));
  return watch;
}

}  // namespace vouch::qemu
