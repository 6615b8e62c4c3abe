#include "measure/testing/swtpm_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <filesystem>

#include "measure/testing/temp_dir.h"
#include "vouch/core/bytes.h"

namespace vouch::testing {
namespace {

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(SwtpmProcess, TwoRunAtOnceOnTheirOwnPortsAndStopByPid) {
  auto a = SwtpmProcess::Start();
  auto b = SwtpmProcess::Start();
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_NE((*a)->port(), (*b)->port());
  EXPECT_NE((*a)->state_dir(), (*b)->state_dir());
  EXPECT_EQ((*a)->tcti(), "swtpm:host=127.0.0.1,port=" + std::to_string((*a)->port()));
  auto r = (*a)->RunTpm2Tool({"tpm2_getrandom", "--hex", "8"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->output;

  pid_t pid = (*a)->pid();
  std::string dir = (*a)->state_dir();
  ASSERT_TRUE(Alive(pid));
  a->reset();
  EXPECT_FALSE(Alive(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));  // a temp dir it made itself
  EXPECT_TRUE(Alive((*b)->pid()));
}

TEST(SwtpmProcess, RestartKeepsTheGivenStateDirectory) {
  TempDir tmp;
  std::string dir = tmp / "state";
  {
    auto s = SwtpmProcess::Start(dir);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    pid_t first = (*s)->pid();
    ASSERT_TRUE((*s)->Restart().ok());
    EXPECT_NE((*s)->pid(), first);
    EXPECT_FALSE(Alive(first));
    auto r = (*s)->RunTpm2Tool({"tpm2_getrandom", "--hex", "8"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 0) << r->output;
    EXPECT_TRUE(std::filesystem::exists(dir + "/tpm2-00.permall"));
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/tpm2-00.permall"));  // not ours to remove
}

TEST(SwtpmProcess, ReportsAnUnusableStateDirectory) {
  TempDir tmp;
  ASSERT_TRUE(WriteFile(tmp / "file", AsBytes("x")).ok());
  auto s = SwtpmProcess::Start(tmp / "file/state");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kIo);
}

}  // namespace
}  // namespace vouch::testing
