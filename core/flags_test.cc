#include "vouch/core/flags.h"

#include <gtest/gtest.h>

namespace vouch {
namespace {

TEST(Flags, ValuesInBothFormsRepeatedInOrder) {
  auto f = Flags::Parse({"--host", "a", "pos1", "--host=b", "--force", "pos2", "--threshold", "3"},
                        {"host", "threshold"}, {"force"});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->GetAll("host"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*f->Get("host"), "a");
  EXPECT_TRUE(f->Has("force"));
  EXPECT_FALSE(f->help());
  EXPECT_EQ(*f->GetUint("threshold", 0), 3u);
  EXPECT_EQ(f->positional(), (std::vector<std::string>{"pos1", "pos2"}));
}

TEST(Flags, AValueMayLookLikeANumberOrBeEmpty) {
  auto f = Flags::Parse({"--reason", "-1", "--note="}, {"reason", "note"});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(*f->Get("reason"), "-1");
  EXPECT_EQ(*f->Get("note"), "");
}

TEST(Flags, UnknownFlagsAreNamed) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--frob"}, {"x", "--frob=1"}, {"-q"}}) {
    auto f = Flags::Parse(args, {"host"}, {"force"});
    ASSERT_FALSE(f.ok()) << args[0];
    EXPECT_EQ(f.error().code(), Code::kInvalidArgument);
    EXPECT_NE(f.error().message().find("unknown flag -"), std::string::npos) << f.error().message();
  }
  auto f = Flags::Parse({"--frob=1"}, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message(), "unknown flag --frob");
}

TEST(Flags, AMissingValueIsNamed) {
  auto f = Flags::Parse({"--host"}, {"host"});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message(), "flag --host needs a value");
}

TEST(Flags, HelpIsKnownToEveryCommand) {
  for (const char* h : {"-h", "--help"}) {
    auto f = Flags::Parse({"x", h}, {"host"});
    ASSERT_TRUE(f.ok()) << h;
    EXPECT_TRUE(f->help()) << h;
  }
  EXPECT_TRUE(AsksForHelp({"show", "L", "--help"}));
  EXPECT_TRUE(AsksForHelp({"-h"}));
  EXPECT_FALSE(AsksForHelp({"show", "--", "--help"}));
  EXPECT_FALSE(AsksForHelp({"show", "--helpful"}));
}

TEST(Flags, EverythingAfterTheSeparatorIsPositional) {
  auto f = Flags::Parse({"a", "--", "--force", "-x"}, {}, {"force"});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_FALSE(f->Has("force"));
  EXPECT_EQ(f->positional(), (std::vector<std::string>{"a", "--force", "-x"}));
}

TEST(Flags, DefaultsFillOnlyWhatTheCommandLineLeftOut) {
  auto f = Flags::Parse({"--ledger", "sqlite:///a"}, {"ledger", "tcti"});
  ASSERT_TRUE(f.ok());
  f->SetDefault("ledger", "sqlite:///from-config");
  f->SetDefault("tcti", "swtpm:port=1");
  EXPECT_EQ(f->GetAll("ledger"), std::vector<std::string>{"sqlite:///a"});
  EXPECT_EQ(*f->Get("tcti"), "swtpm:port=1");
}

TEST(Flags, NumbersAreCheckedAndFlagsRequiredByName) {
  auto f = Flags::Parse({"--n", "12x"}, {"n", "m"});
  ASSERT_TRUE(f.ok());
  auto n = f->GetUint("n", 0);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message(), "flag --n must be a number, got '12x'");
  EXPECT_EQ(*f->GetUint("m", 7), 7u);
  auto m = f->Require("m");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message(), "missing required flag --m");
}

TEST(Flags, DurationsAreReadInOneSpellingAndCheckedByName) {
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  auto f = Flags::Parse({"--timeout", "2s", "--reattest=60", "--wait", "1500ms", "--bad", "5x", "--zero", "0s"},
                        {"timeout", "reattest", "wait", "bad", "zero", "absent"});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(*f->GetDuration("timeout", seconds(5), seconds(1), minutes(5)), seconds(2));
  EXPECT_EQ(*f->GetDuration("reattest", seconds(5), seconds(1), minutes(5)), seconds(60));  // bare: seconds
  EXPECT_EQ(*f->GetDuration("wait", seconds(5), milliseconds(1), minutes(5)), milliseconds(1500));
  EXPECT_EQ(*f->GetDuration("absent", seconds(5), seconds(1), minutes(5)), seconds(5));
  auto zero = f->GetDuration("zero", seconds(5), seconds(1), minutes(5));
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(zero.error().message(), "--zero '0s' must be 1s..5m");
  auto bad = f->GetDuration("bad", seconds(5), seconds(1), minutes(5));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "--bad: '5x' is not a duration: write a whole number with ms, s, m or h (e.g. 500ms, 30s, 5m); "
            "a bare number is seconds");
}

TEST(Flags, ARenamedFlagIsRefusedWithItsNewSpellingNeverIgnored) {
  const std::vector<RenamedDuration> renamed = {{"timeout-ms", "timeout", "ms"}, {"guest-boot-s", "guest-boot", "s"}};
  for (const auto& args : std::vector<std::vector<std::string>>{{"x", "--timeout-ms", "5000"}, {"--timeout-ms=5000"}}) {
    auto f = Flags::Parse(args, {"timeout", "guest-boot"}, {}, renamed);
    ASSERT_FALSE(f.ok()) << args.back();
    EXPECT_EQ(f.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(f.error().message(), "flag --timeout-ms was renamed: write --timeout 5000ms");
  }
  auto boot = Flags::Parse({"--guest-boot-s", "300"}, {"guest-boot"}, {}, renamed);
  ASSERT_FALSE(boot.ok());
  EXPECT_EQ(boot.error().message(), "flag --guest-boot-s was renamed: write --guest-boot 300s");
  auto odd = Flags::Parse({"--timeout-ms", "soon"}, {"timeout"}, {}, renamed);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().message(), "flag --timeout-ms was renamed: write --timeout DURATION");
  // The new names parse; a command without the rename still calls the old one unknown.
  EXPECT_TRUE(Flags::Parse({"--timeout", "5s", "--guest-boot", "300"}, {"timeout", "guest-boot"}, {}, renamed).ok());
  auto unknown = Flags::Parse({"--timeout-ms", "5000"}, {"timeout"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "unknown flag --timeout-ms");
}

}  // namespace
}  // namespace vouch
