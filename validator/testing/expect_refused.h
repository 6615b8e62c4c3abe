// EXPECT_REFUSED(result, code, reason_part): `result` (a Result<…>) is a
// refusal with `code` whose reason contains `reason_part`.
#ifndef VOUCH_VALIDATOR_TESTING_EXPECT_REFUSED_H_
#define VOUCH_VALIDATOR_TESTING_EXPECT_REFUSED_H_

#include <gtest/gtest.h>

#include <string>

#include "vouch/core/errors.h"

#define EXPECT_REFUSED(result, want_code, reason_part)                                             \
  do {                                                                                             \
    const auto& r_ = (result);                                                                     \
    ASSERT_FALSE(r_.ok()) << "approved, expected " << ::vouch::CodeName(want_code);                \
    EXPECT_EQ(r_.error().code(), want_code) << r_.error().ToString();                              \
    EXPECT_NE(r_.error().message().find(reason_part), std::string::npos) << r_.error().ToString(); \
  } while (0)

#endif  // VOUCH_VALIDATOR_TESTING_EXPECT_REFUSED_H_
