#include "vouch/validator/api.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"

namespace vouch::validator {
namespace {

using cbor::Value;

TEST(Api, HttpStatusPerCode) {
  EXPECT_EQ(HttpStatusFor(Code::kMalformed), 400);
  EXPECT_EQ(HttpStatusFor(Code::kReplay), 409);
  EXPECT_EQ(HttpStatusFor(Code::kPcrMismatch), 403);
  EXPECT_EQ(HttpStatusFor(Code::kUnknownHost), 403);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
}

}  // namespace
}  // namespace vouch::validator
