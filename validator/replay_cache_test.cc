#include "vouch/validator/replay_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "vouch/core/random.h"

namespace vouch::validator {
namespace {

constexpr int64_t kNow = 1000;

TEST(ReplayCache, CommittedCtiIsRefusedUntilItExpires) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  {
    auto r = cache.Reserve(cti, kNow + 60, kNow);
    ASSERT_TRUE(r.ok());
    r->Commit();
  }
  auto again = cache.Reserve(cti, kNow + 60, kNow + 10);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kReplay);
  EXPECT_NE(again.error().message().find("already endorsed"), std::string::npos);
  EXPECT_TRUE(cache.Contains(cti, kNow + 59));
  EXPECT_FALSE(cache.Contains(cti, kNow + 60));
  EXPECT_TRUE(cache.Reserve(cti, kNow + 200, kNow + 60).ok());  // expired: the VC is dead anyway
}

TEST(ReplayCache, ReleasedReservationLeavesNoTrace) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  { ASSERT_TRUE(cache.Reserve(cti, kNow + 60, kNow).ok()); }  // not committed
  EXPECT_FALSE(cache.Contains(cti, kNow));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.Reserve(cti, kNow + 60, kNow).ok());
}

TEST(ReplayCache, ReservationInFlightBlocksAConcurrentSameCti) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  auto first = cache.Reserve(cti, kNow + 60, kNow);
  ASSERT_TRUE(first.ok());
  auto second = cache.Reserve(cti, kNow + 60, kNow);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("being appraised by another request"), std::string::npos);
}

TEST(ReplayCache, FullCacheRefusesRatherThanForgets) {
  ReplayCache cache(2);
  for (int i = 0; i < 2; ++i) {
    auto r = cache.Reserve(RandomBytes(16), kNow + 60, kNow);
    ASSERT_TRUE(r.ok());
    r->Commit();
  }
  auto full = cache.Reserve(RandomBytes(16), kNow + 60, kNow);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), Code::kUnavailable);
  auto after = cache.Reserve(RandomBytes(16), kNow + 120, kNow + 60);  // both expired by now
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ReplayCache, ReservationThatOutlivesItsExpiryIsStillDroppedAfterCommit) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  auto r = cache.Reserve(cti, kNow + 1, kNow);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(cache.Reserve(RandomBytes(16), kNow + 100, kNow + 5).ok());  // sweeps past kNow+1
  r->Commit();
  ASSERT_TRUE(cache.Reserve(RandomBytes(16), kNow + 100, kNow + 6).ok());
  EXPECT_FALSE(cache.Contains(cti, kNow + 6));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ReplayCache, ExactlyOneOfManyConcurrentReservationsWins) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = cache.Reserve(cti, kNow + 60, kNow);
      if (r.ok()) {
        ++wins;
        r->Commit();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
}

}  // namespace
}  // namespace vouch::validator
