#include "vouch/core/lease_terms.h"

#include <gtest/gtest.h>

#include <limits>

namespace vouch {
namespace {

TEST(LeaseTerms, NoGraceIsNoLease) {
  OwnerPolicy policy;
  policy.reattest_s = 60;
  EXPECT_FALSE(LeaseTermsOf(policy).has_value());
}

TEST(LeaseTerms, AreThePolicysIntervalAndGrace) {
  OwnerPolicy policy;
  policy.reattest_s = 60;
  policy.grace = 5;
  auto terms = LeaseTermsOf(policy);
  ASSERT_TRUE(terms.has_value());
  EXPECT_EQ(terms->interval_s, 60u);
  EXPECT_EQ(terms->grace, 5u);
  EXPECT_EQ(terms->boot_s, 0);  // no guest evidence expected: no boot allowance
  EXPECT_EQ(LeaseDeadline(1000, terms->interval_s, terms->grace), 1300);
}

OwnerPolicy GuestPolicyBooting(uint64_t boot_s) {
  OwnerPolicy policy;
  policy.reattest_s = 2;
  policy.grace = 3;
  policy.guest.emplace();
  policy.guest->boot_s = boot_s;
  return policy;
}

TEST(LeaseTerms, AGuestPolicyAllowsItsBootTimeCappedAtAnHour) {
  EXPECT_EQ(LeaseTermsOf(GuestPolicyBooting(120))->boot_s, 120);
  EXPECT_EQ(LeaseTermsOf(GuestPolicyBooting(uint64_t{1} << 30))->boot_s, 3600);
}

// A policy's reattest_s is 64-bit on the wire: a huge one must not wrap the
// interval into a short lease.
TEST(LeaseTerms, AHugeIntervalClampsRatherThanWraps) {
  OwnerPolicy policy;
  policy.reattest_s = (uint64_t{1} << 32) + 1;
  policy.grace = 1;
  EXPECT_EQ(LeaseTermsOf(policy)->interval_s, UINT32_MAX);
}

TEST(LeaseTerms, DeadlineSaturatesInsteadOfWrappingIntoThePast) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(LeaseDeadline(kMax - 5, UINT32_MAX, UINT32_MAX), kMax);
  EXPECT_EQ(LeaseDeadline(kMax - 5, 2, 3), kMax);
  EXPECT_EQ(LeaseDeadline(kMax - 6, 2, 3), kMax);
  EXPECT_EQ(LeaseDeadline(kMax - 7, 2, 3), kMax - 1);
}

}  // namespace
}  // namespace vouch
