// The deadline on libvirt calls, without a libvirt daemon: a unix socket that
// accepts connections but never answers stands in for a hung libvirtd.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "vouch/qemu/libvirt.h"

namespace vouch::qemu {
namespace {

class SilentSocket {
 public:
  SilentSocket() {
    char tmpl[] = "/tmp/vouch-qemu-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/libvirt-sock";
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);  // never accept(): the client's hello goes unanswered
  }
  ~SilentSocket() {
    close(fd_);  // resets queued connections, so abandoned calls end
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::string uri() const { return "qemu+unix:///system?socket=" + path_; }
  std::string dir() const { return dir_; }

 private:
  std::string dir_, path_;
  int fd_ = -1;
};

}  // namespace
}  // namespace vouch::qemu

// A timed-out libvirt call is abandoned on its worker thread by design
// (libvirt.h): when this test process exits, that thread may still hold what
// libvirt and its TLS stack allocated for the hung connection. LeakSanitizer
// would report those as leaks of this binary; they are not vouch's.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libvirt.so\nleak:libcrypto.so\nleak:libgnutls.so\n";
}

namespace vouch::qemu {
namespace {

// Threads of this process now.
size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(LibvirtTimeout, ConnectToAHungDaemonReturnsTimeoutWithinTheDeadline) {
  const size_t threads_before = ThreadCount();
  auto hung = std::make_unique<SilentSocket>();
  LibvirtOptions options;
  options.call_timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  auto conn = Connect(hung->uri(), options);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_FALSE(conn.ok());
  if (!conn.ok()) {
    EXPECT_EQ(conn.error().code(), Code::kTimeout) << conn.error().ToString();
    EXPECT_NE(conn.error().message().find("did not answer within 300 ms"), std::string::npos)
        << conn.error().message();
  }
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
  // Closing the socket ends the abandoned call; let its worker thread finish
  // before the process exits, so exit-time destructors (libvirt's, gnutls's,
  // the sanitizers' leak check) never race a thread inside libvirt.
  hung.reset();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ThreadCount() > threads_before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(LibvirtTimeout, ConnectToAMissingSocketIsUnavailableAndQuiet) {
  SilentSocket hung;  // only for a fresh directory
  const std::string uri = "qemu+unix:///system?socket=" + hung.dir() + "/absent-sock";
  testing::internal::CaptureStderr();
  auto conn = Connect(uri);
  std::string stderr_text = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), Code::kUnavailable) << conn.error().ToString();
  EXPECT_NE(conn.error().message().find("absent-sock"), std::string::npos) << conn.error().message();
  EXPECT_EQ(conn.error().message().find('\n'), std::string::npos);
  EXPECT_EQ(stderr_text, "") << "libvirt printed to stderr";
}

TEST(LibvirtVersion, FormatsLibvirtEncodedVersions) {
  EXPECT_EQ(FormatLibvirtVersion(9000000), "9.0.0");
  EXPECT_EQ(FormatLibvirtVersion(7002022), "7.2.22");
  EXPECT_EQ(FormatLibvirtVersion(10010123), "10.10.123");
}

}  // namespace
}  // namespace vouch::qemu
