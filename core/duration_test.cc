#include "vouch/core/duration.h"

#include <gtest/gtest.h>

#include <string>

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kGrammar[] =
    "' is not a duration: write a whole number with ms, s, m or h (e.g. 500ms, 30s, 5m); a bare number is seconds";

TEST(ParseDuration, EveryUnitAndABareNumberAsSeconds) {
  struct Case {
    std::string text;
    milliseconds want;
  };
  for (const Case& c : std::vector<Case>{{"500ms", milliseconds(500)},
                                         {"30s", seconds(30)},
                                         {"5m", minutes(5)},
                                         {"2h", hours(2)},
                                         {"60", seconds(60)},
                                         {"0", milliseconds(0)},
                                         {"0ms", milliseconds(0)},
                                         {"007s", seconds(7)},
                                         {"1500ms", milliseconds(1500)}}) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.error().ToString();
    EXPECT_EQ(*d, c.want) << c.text;
  }
}

TEST(ParseDuration, RefusesAnythingElseNamingTheTextAndShowingTheGrammar) {
  for (const char* text : {"", "s", "ms", "5x", "5S", "5sec", "5 s", " 5s", "5s ", "+5s", "-5s", "1.5s", "1e3ms",
                           "5ms5", "5us", "0x10", "5d", "five"}) {
    auto d = ParseDuration(text);
    ASSERT_FALSE(d.ok()) << "'" << text << "' parsed";
    EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(d.error().message(), StrCat("'", text, kGrammar)) << text;
  }
}

TEST(ParseDuration, TheLargestIsInt64MillisecondsAndOneMoreIsRefused) {
  EXPECT_EQ(*ParseDuration("9223372036854775807ms"), milliseconds::max());
  EXPECT_EQ(*ParseDuration("9223372036854775s"), seconds(9223372036854775));
  EXPECT_EQ(*ParseDuration("9223372036854775"), seconds(9223372036854775));
  EXPECT_EQ(*ParseDuration("153722867280912m"), minutes(153722867280912));
  EXPECT_EQ(*ParseDuration("2562047788015h"), hours(2562047788015));
  for (const char* text : {"9223372036854775808ms", "9223372036854776s", "9223372036854776", "153722867280913m",
                           "2562047788016h", "18446744073709551616ms", "99999999999999999999999999h"}) {
    auto d = ParseDuration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(d.error().message(),
              StrCat("'", text, "' is not a duration: too long (at most 9223372036854775807ms)"));
  }
}

TEST(ParseDurationIn, NamesWhatAndTheRangeInTheSameSpelling) {
  EXPECT_EQ(*ParseDurationIn("--timeout", "1s", seconds(1), minutes(5)), seconds(1));
  EXPECT_EQ(*ParseDurationIn("--timeout", "5m", seconds(1), minutes(5)), minutes(5));
  EXPECT_EQ(*ParseDurationIn("--timeout", "300", seconds(1), minutes(5)), minutes(5));
  auto low = ParseDurationIn("--timeout", "0s", seconds(1), minutes(5));
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().message(), "--timeout '0s' must be 1s..5m");
  auto high = ParseDurationIn("--timeout", "300001ms", seconds(1), minutes(5));
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().message(), "--timeout '300001ms' must be 1s..5m");
  auto bad = ParseDurationIn("'hook.conf' line 3: deadline", "5x", seconds(1), minutes(5));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), StrCat("'hook.conf' line 3: deadline: '5x", kGrammar));
}

TEST(FormatDuration, TheShortestExactSpellingThatParsesBack) {
  struct Case {
    milliseconds d;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{milliseconds(0), "0s"},
                                         {milliseconds(1), "1ms"},
                                         {milliseconds(1500), "1500ms"},
                                         {seconds(30), "30s"},
                                         {seconds(90), "90s"},
                                         {minutes(5), "5m"},
                                         {minutes(90), "90m"},
                                         {hours(2), "2h"},
                                         {hours(48), "48h"},
                                         {milliseconds::max(), "9223372036854775807ms"}}) {
    EXPECT_EQ(FormatDuration(c.d), c.want);
    EXPECT_EQ(*ParseDuration(c.want), c.d) << c.want;
  }
  EXPECT_EQ(FormatDuration(seconds(-5)), "-5s");
  EXPECT_EQ(FormatDuration(milliseconds(-1)), "-1ms");
}

TEST(WholeSeconds, RefusesWhatTheWireCannotCarry) {
  EXPECT_EQ(*WholeSeconds("--reattest", milliseconds(60000)), seconds(60));
  EXPECT_EQ(*WholeSeconds("--reattest", hours(1)), seconds(3600));
  auto part = WholeSeconds("--reattest", milliseconds(1500));
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(part.error().message(), "--reattest '1500ms' must be a whole number of seconds");
}

TEST(RespelledDuration, TheOldNumberWithTheUnitItCounted) {
  const RenamedDuration deadline{"deadline_ms", "deadline", "ms"};
  const RenamedDuration boot{"guest-boot-s", "guest-boot", "s"};
  EXPECT_EQ(RespelledDuration(deadline, "5000"), "5000ms");
  EXPECT_EQ(RespelledDuration(boot, "300"), "300s");
  EXPECT_EQ(*ParseDuration(RespelledDuration(deadline, "5000")), seconds(5));
  EXPECT_EQ(RespelledDuration(deadline, "5s"), "DURATION");
  EXPECT_EQ(RespelledDuration(deadline, ""), "DURATION");
  EXPECT_EQ(RespelledDuration(deadline, "-1"), "DURATION");
}

}  // namespace
}  // namespace vouch
