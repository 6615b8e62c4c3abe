// DomainEventWatch on libvirt's test driver (test:///default: in-process, no
// daemon). In libvirt 9.0 all connections to test:///default in a process
// share one driver state (a domain created on one is listed by the other, and
// its events reach callbacks registered on the other), so a second
// connection drives the domains the watch follows. The test driver has no
// close callback or keepalive; connection loss is tested against libvirtd in
// libvirt_test.cc.
#include "vouch/qemu/domain_events.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain_events_testing.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::qemu {
namespace {

using std::chrono::milliseconds;
using Kind = DomainEvent::Kind;
using event_testing::EventLog;
using event_testing::KindsOf;

constexpr const char* kTestUri = "test:///default";
constexpr milliseconds kEventWait{10000};  // generous: a loaded CI machine

// A domain on test:///default under a name no other test uses.
class TestDomain {
 public:
  TestDomain() : conn_(virConnectOpen(kTestUri)) {
    static std::atomic<int> counter{0};
    name_ = "vouch-ev-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  }
  // The driver state lives as long as the process: leave nothing running.
  ~TestDomain() {
    if (dom_ && virDomainIsActive(dom_.get()) == 1) virDomainDestroy(dom_.get());
  }

  std::string name() const { return name_; }
  virConnectPtr conn() const { return conn_.get(); }

  // Creates and starts it (virDomainCreateXML); returns its UUID.
  std::string Start() {
    const std::string xml = "<domain type='test'><name>" + name_ +
                            "</name><memory>8192</memory><os><type>hvm</type></os></domain>";
    dom_.reset(virDomainCreateXML(conn_.get(), xml.c_str(), 0));
    EXPECT_TRUE(dom_) << virGetLastErrorMessage();
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    if (dom_) virDomainGetUUIDString(dom_.get(), uuid);
    return uuid;
  }
  virDomainPtr dom() const { return dom_.get(); }

 private:
  VirConnectHandle conn_;
  VirDomainHandle dom_;
  std::string name_;
};

size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(DomainEventWatch, DeliversTheLifecycleOfADomainDrivenOnAnotherConnection) {
  EventLog log;
  auto watch = DomainEventWatch::Open(kTestUri, log.Callback());
  ASSERT_TRUE(watch.ok()) << watch.error().ToString();

  TestDomain domain;
  ASSERT_NE(domain.conn(), nullptr) << virGetLastErrorMessage();
  const std::string uuid = domain.Start();
  ASSERT_NE(domain.dom(), nullptr);
  ASSERT_EQ(virDomainSuspend(domain.dom()), 0) << virGetLastErrorMessage();
  ASSERT_EQ(virDomainResume(domain.dom()), 0) << virGetLastErrorMessage();
  ASSERT_EQ(virDomainDestroy(domain.dom()), 0) << virGetLastErrorMessage();

  std::vector<DomainEvent> events = log.WaitFor(domain.name(), 4, kEventWait);
  EXPECT_EQ(KindsOf(events),
            (std::vector<Kind>{Kind::kStarted, Kind::kSuspended, Kind::kResumed, Kind::kStopped}));
  ASSERT_EQ(events.size(), 4u);
  for (const DomainEvent& e : events) {
    EXPECT_EQ(e.name, domain.name());
    EXPECT_EQ(e.uuid, uuid);
  }
  EXPECT_EQ(events[0].detail, VIR_DOMAIN_EVENT_STARTED_BOOTED);
  EXPECT_EQ(events[1].detail, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
  EXPECT_EQ(events[2].detail, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
  EXPECT_EQ(events[3].detail, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
}

TEST(DomainEventWatch, DefineAndUndefineAreOther) {
  EventLog log;
  auto watch = DomainEventWatch::Open(kTestUri, log.Callback());
  ASSERT_TRUE(watch.ok()) << watch.error().ToString();
  TestDomain domain;
  const std::string xml = "<domain type='test'><name>" + domain.name() +
                          "</name><memory>8192</memory><os><type>hvm</type></os></domain>";
  VirDomainHandle dom(virDomainDefineXML(domain.conn(), xml.c_str()));
  ASSERT_TRUE(dom) << virGetLastErrorMessage();
  ASSERT_EQ(virDomainUndefine(dom.get()), 0) << virGetLastErrorMessage();

  std::vector<DomainEvent> events = log.WaitFor(domain.name(), 2, kEventWait);
  ASSERT_EQ(KindsOf(events), (std::vector<Kind>{Kind::kOther, Kind::kOther}));
  EXPECT_EQ(events[0].detail, VIR_DOMAIN_EVENT_DEFINED_ADDED);
  EXPECT_EQ(events[1].detail, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
}

// The destructor wakes the loop rather than waiting for the next event, and
// the event thread is started again by the next Open (the once-per-process
// registration is not repeated).
TEST(DomainEventWatch, ClosesPromptlyAndOpensAgain) {
  const size_t threads_before = ThreadCount();
  for (int round = 0; round < 3; ++round) {
    EventLog log;
    auto watch = DomainEventWatch::Open(kTestUri, log.Callback());
    ASSERT_TRUE(watch.ok()) << "round " << round << ": " << watch.error().ToString();

    TestDomain domain;
    domain.Start();
    EXPECT_EQ(KindsOf(log.WaitFor(domain.name(), 1, kEventWait)), std::vector<Kind>{Kind::kStarted})
        << "round " << round;

    const auto start = std::chrono::steady_clock::now();
    watch->reset();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, milliseconds(1000)) << "round " << round;
  }
  EXPECT_LE(ThreadCount(), threads_before) << "the event thread outlived the last watch";
}

// All watches share the one event thread: closing either leaves the other
// receiving events.
TEST(DomainEventWatch, TwoWatchesReceiveEventsAndCloseInEitherOrder) {
  for (bool close_first_opened : {true, false}) {
    SCOPED_TRACE(close_first_opened ? "closing the first opened" : "closing the second opened");
    EventLog log_a, log_b;
    auto a = DomainEventWatch::Open(kTestUri, log_a.Callback());
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    auto b = DomainEventWatch::Open(kTestUri, log_b.Callback());
    ASSERT_TRUE(b.ok()) << b.error().ToString();

    TestDomain first;
    first.Start();
    EXPECT_EQ(log_a.WaitFor(first.name(), 1, kEventWait).size(), 1u);
    EXPECT_EQ(log_b.WaitFor(first.name(), 1, kEventWait).size(), 1u);

    auto& closed = close_first_opened ? *a : *b;
    EventLog& open_log = close_first_opened ? log_b : log_a;
    EventLog& closed_log = close_first_opened ? log_a : log_b;
    closed.reset();
    TestDomain second;
    second.Start();
    EXPECT_EQ(KindsOf(open_log.WaitFor(second.name(), 1, kEventWait)),
              std::vector<Kind>{Kind::kStarted});
    EXPECT_TRUE(closed_log.WaitFor(second.name(), 1, milliseconds(0)).empty());
  }
}

// A callback that is running when the watch is destroyed finishes before the
// destructor returns, and no callback starts after it.
TEST(DomainEventWatch, DestructorWaitsForARunningCallbackAndNoneStartsAfter) {
  std::mutex mu;
  std::condition_variable cv;
  bool in_callback = false;
  std::atomic<bool> destroyed{false}, finished{false}, called_after{false};
  auto watch = DomainEventWatch::Open(kTestUri, [&](const DomainEvent& e) {
    if (e.kind != Kind::kStarted) return;
    if (destroyed) called_after = true;
    {
      std::lock_guard<std::mutex> lock(mu);
      in_callback = true;
    }
    cv.notify_all();
    std::this_thread::sleep_for(milliseconds(300));  // a slow handler, not an assertion
    finished = true;
  });
  ASSERT_TRUE(watch.ok()) << watch.error().ToString();

  TestDomain first;
  first.Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kEventWait, [&] { return in_callback; }));
  }
  TestDomain second;
  second.Start();  // queued behind the running callback
  watch->reset();
  destroyed = true;
  EXPECT_TRUE(finished) << "the destructor returned while on_event was running";

  // Let a stray delivery (there must be none) happen: run the loop's work
  // through a new watch, whose own start event proves the loop has turned.
  EventLog log;
  auto probe = DomainEventWatch::Open(kTestUri, log.Callback());
  ASSERT_TRUE(probe.ok()) << probe.error().ToString();
  TestDomain third;
  third.Start();
  EXPECT_EQ(log.WaitFor(third.name(), 1, kEventWait).size(), 1u);
  EXPECT_FALSE(called_after) << "on_event ran after its watch was destroyed";
}

TEST(DomainEventWatch, RefusesAnEmptyCallback) {
  auto watch = DomainEventWatch::Open(kTestUri, nullptr);
  ASSERT_FALSE(watch.ok());
  EXPECT_EQ(watch.error().code(), Code::kInvalidArgument);
}

TEST(DomainEventWatch, NamesTheUriWhenLibvirtCannotConnect) {
  const std::string uri = "qemu+unix:///system?socket=/nonexistent/vouch-test/libvirt-sock";
  auto watch = DomainEventWatch::Open(uri, [](const DomainEvent&) {});
  ASSERT_FALSE(watch.ok());
  EXPECT_EQ(watch.error().code(), Code::kUnavailable);
  const std::string& msg = watch.error().message();
  EXPECT_NE(msg.find(uri), std::string::npos) << msg;
  EXPECT_NE(msg.find("/nonexistent/vouch-test/libvirt-sock"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

}  // namespace
}  // namespace vouch::qemu
