#include "vouch/w3c/date_time.h"

#include <gtest/gtest.h>

namespace vouch::w3c {
namespace {

TEST(DateTime, FormatsUtcWithoutFraction) {
  EXPECT_EQ(*FormatDateTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(*FormatDateTime(1677281798), "2023-02-24T23:36:38Z");
  EXPECT_EQ(*FormatDateTime(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(*FormatDateTime(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*FormatDateTime(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatDateTime(253402300800).error().code(), Code::kInvalidArgument);
}

TEST(DateTime, ParsesWhatItFormatsAndOffsets) {
  for (int64_t t : {int64_t{0}, int64_t{1677281798}, int64_t{-86401}, int64_t{4102444800}}) {
    EXPECT_EQ(*ParseDateTime(*FormatDateTime(t)), t);
  }
  EXPECT_EQ(*ParseDateTime("2023-02-24T23:36:38.999Z"), 1677281798);
  EXPECT_EQ(*ParseDateTime("2023-02-25T00:36:38+01:00"), 1677281798);
  EXPECT_EQ(*ParseDateTime("2023-02-24T22:36:38-01:00"), 1677281798);
}

TEST(DateTime, RefusesWhatIsNoDateTimeStamp) {
  for (const char* bad : {"", "2023-02-24", "2023-02-24T23:36:38", "2023-02-24 23:36:38Z",
                          "2023-02-30T00:00:00Z", "2023-13-01T00:00:00Z", "2023-02-24T24:00:00Z",
                          "2023-02-24T23:60:00Z", "2023-02-24T23:36:60Z", "0000-01-01T00:00:00Z",
                          "2023-02-24T23:36:38.Z", "2023-02-24T23:36:38+1:00", "2023-02-24T23:36:38Zx",
                          "2023-02-24T23:36:38z", "+2023-02-24T23:36:38Z", "2023-02-24T23:36:38+15:00"}) {
    auto r = ParseDateTime(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kMalformed) << bad;
  }
}

}  // namespace
}  // namespace vouch::w3c
