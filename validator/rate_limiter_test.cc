#include "vouch/validator/rate_limiter.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, ABurstThenTheRate) {
  RateLimiter limiter(RateLimit{2, 3});
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("a", t0).allowed) << i;
  EXPECT_FALSE(limiter.Take("a", t0).allowed);
  EXPECT_FALSE(limiter.Take("a", t0 + milliseconds(400)).allowed);  // 0.8 of a token
  RateLimiter::Outcome next = limiter.Take("a", t0 + milliseconds(500));
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.refused_before, 2u);  // the two refusals since the last allowed take
  EXPECT_FALSE(limiter.Take("a", t0 + milliseconds(500)).allowed);
  // A long pause refills to the burst, no further.
  auto later = t0 + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("a", later).allowed) << i;
  EXPECT_FALSE(limiter.Take("a", later).allowed);
}

TEST(RateLimiter, OneKeyDoesNotSpendAnothersBudget) {
  RateLimiter limiter(RateLimit{1, 1});
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Take("stranger", t0).allowed);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.Take("stranger", t0).allowed);
  EXPECT_TRUE(limiter.Take("victim", t0).allowed);
}

TEST(RateLimiter, KeysAreBoundedByForgettingTheLeastRecentlyUsed) {
  RateLimiter limiter(RateLimit{1, 1}, 2);
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Take("a", t0).allowed);
  EXPECT_TRUE(limiter.Take("b", t0).allowed);
  EXPECT_FALSE(limiter.Take("a", t0).allowed);  // "a" is now the most recent
  EXPECT_TRUE(limiter.Take("c", t0).allowed);   // forgets "b"
  EXPECT_FALSE(limiter.Take("a", t0).allowed);  // "a" was kept
  EXPECT_TRUE(limiter.Take("b", t0).allowed);   // "b" starts afresh
}

}  // namespace
}  // namespace vouch::validator
