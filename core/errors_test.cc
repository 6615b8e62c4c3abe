#include "vouch/core/errors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vouch {
namespace {

TEST(Errors, CodeNamesAreTheRefusalWireNames) {
  EXPECT_EQ(CodeName(Code::kInvalidArgument), "invalid-argument");
  EXPECT_EQ(CodeName(Code::kMalformed), "malformed");
  EXPECT_EQ(CodeName(Code::kBadSignature), "bad-signature");
  EXPECT_EQ(CodeName(Code::kNotFound), "not-found");
  EXPECT_EQ(CodeName(Code::kStaleNonce), "stale-nonce");
  EXPECT_EQ(CodeName(Code::kHostNotAllowed), "host-not-allowed");
  EXPECT_EQ(CodeName(Code::kPcrMismatch), "pcr-mismatch");
  EXPECT_EQ(CodeName(Code::kDrift), "drift");
  EXPECT_EQ(CodeName(Code::kRateLimited), "rate-limited");
}

TEST(Errors, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kDrift); ++c) {
    std::string_view name = CodeName(static_cast<Code>(c));
    EXPECT_NE(name, "unknown") << c;
    EXPECT_FALSE(name.empty()) << c;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
  }
  EXPECT_EQ(names.size(), 22u);
}

TEST(Errors, ToStringAndWithContext) {
  Error e(Code::kBadSignature, "Ed25519 signature does not verify");
  EXPECT_EQ(e.ToString(), "bad-signature: Ed25519 signature does not verify");
  Error c = e.WithContext("validator 'vd-a'");
  EXPECT_EQ(c.code(), Code::kBadSignature);
  EXPECT_EQ(c.message(), "validator 'vd-a': Ed25519 signature does not verify");
  EXPECT_EQ(e.message(), "Ed25519 signature does not verify");  // original unchanged
}

TEST(Errors, StrCatJoinsMixedArguments) {
  EXPECT_EQ(StrCat("share ", 3, " of ", size_t{5}, ": ", std::string("ok"), '.'), "share 3 of 5: ok.");
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Error(Code::kInvalidArgument, StrCat(x, " is odd"));
  return x / 2;
}

Result<int> Quarter(int x) {
  VOUCH_ASSIGN_OR_RETURN(int h, Half(x));
  VOUCH_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  VOUCH_RETURN_IF_ERROR(Half(x));
  return Ok();
}

TEST(Errors, ResultHoldsAValueOrAnError) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, 4);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "3 is odd");
  Result<std::string> s = std::string("moved");
  EXPECT_EQ(s->size(), 5u);
  EXPECT_EQ(std::move(s).value(), "moved");
}

TEST(Errors, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).error().message(), "3 is odd");
  EXPECT_EQ(Quarter(5).error().message(), "5 is odd");
  EXPECT_TRUE(CheckEven(4).ok());
  Status s = CheckEven(7);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().ToString(), "invalid-argument: 7 is odd");
  EXPECT_TRUE(Ok().ok());
}

}  // namespace
}  // namespace vouch
