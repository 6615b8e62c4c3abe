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

}  // namespace
}  // namespace vouch
