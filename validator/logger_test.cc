#include "vouch/validator/logger.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace vouch::validator {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2023-11-14T22:13:20.123Z
const system_clock::time_point kT = system_clock::time_point(milliseconds(1700000000123));

TEST(Logger, LineIsRfc3339UtcTimeThenLevelThenMessage) {
  std::vector<std::string> lines;
  Logger log([&](const std::string& line) { lines.push_back(line); }, [] { return kT; });
  log.Info("vouchd: a");
  log.Warn("vouchd: b");
  log.Error("vouchd: c");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "time=2023-11-14T22:13:20.123Z level=info vouchd: a");
  EXPECT_EQ(lines[1], "time=2023-11-14T22:13:20.123Z level=warn vouchd: b");
  EXPECT_EQ(lines[2], "time=2023-11-14T22:13:20.123Z level=error vouchd: c");
}

TEST(Logger, ToStreamEndsEachLineAndCopiesShareTheStream) {
  std::ostringstream out;
  Logger log = Logger::ToStream(out, [] { return kT; });
  Logger copy = log;
  log.Info("one");
  copy.Warn("two");
  EXPECT_EQ(out.str(),
            "time=2023-11-14T22:13:20.123Z level=info one\n"
            "time=2023-11-14T22:13:20.123Z level=warn two\n");
}

TEST(Logger, Rfc3339PadsFieldsAndMilliseconds) {
  EXPECT_EQ(FormatRfc3339Utc(system_clock::time_point(milliseconds(0))), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Utc(system_clock::time_point(milliseconds(1709251199007))), "2024-02-29T23:59:59.007Z");
}

TEST(Logger, QuotedValuesCannotBreakTheLineOrForgeKeys) {
  EXPECT_EQ(QuoteLogValue("did:key:z6Mk"), "did:key:z6Mk");
  EXPECT_EQ(QuoteLogValue("a=b"), "\"a=b\"");
  EXPECT_EQ(QuoteLogValue(""), "\"\"");
  EXPECT_EQ(QuoteLogValue("x\n level=error \"y\""), "\"x\\n level=error \\\"y\\\"\"");
  std::string line = "vouchd: x";
  AppendLogField(line, "reason", "two words");
  AppendLogField(line, "empty", "");
  EXPECT_EQ(line, "vouchd: x reason=\"two words\"");
}

}  // namespace
}  // namespace vouch::validator
