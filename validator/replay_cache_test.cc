#include "vouch/validator/replay_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string_view>
#include <thread>
#include <vector>

#include "vouch/core/random.h"

namespace vouch::validator {
namespace {

constexpr int64_t kNow = 1000;
constexpr std::string_view kHost = "did:key:z6MkHost";
constexpr std::string_view kOtherHost = "did:key:z6MkOther";

TEST(ReplayCache, CommittedCtiIsRefusedUntilItExpires) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  {
    auto r = cache.Reserve(cti, kHost, kNow + 60, kNow);
    ASSERT_TRUE(r.ok());
    r->Commit();
  }
  auto again = cache.Reserve(cti, kHost, kNow + 60, kNow + 10);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kReplay);
  EXPECT_NE(again.error().message().find("already endorsed"), std::string::npos);
  EXPECT_TRUE(cache.Contains(cti, kNow + 59));
  EXPECT_FALSE(cache.Contains(cti, kNow + 60));
  EXPECT_TRUE(cache.Reserve(cti, kHost, kNow + 200, kNow + 60).ok());  // expired: the VC is dead anyway
}

TEST(ReplayCache, ReleasedReservationLeavesNoTrace) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  { ASSERT_TRUE(cache.Reserve(cti, kHost, kNow + 60, kNow).ok()); }  // not committed
  EXPECT_FALSE(cache.Contains(cti, kNow));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.Reserve(cti, kHost, kNow + 60, kNow).ok());
}

TEST(ReplayCache, ReservationInFlightBlocksAConcurrentSameCti) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  auto first = cache.Reserve(cti, kHost, kNow + 60, kNow);
  ASSERT_TRUE(first.ok());
  auto second = cache.Reserve(cti, kHost, kNow + 60, kNow);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("being appraised by another request"), std::string::npos);
}

TEST(ReplayCache, FullCacheRefusesRatherThanForgets) {
  ReplayCache cache(2);
  for (int i = 0; i < 2; ++i) {
    auto r = cache.Reserve(RandomBytes(16), kHost, kNow + 60, kNow);
    ASSERT_TRUE(r.ok());
    r->Commit();
  }
  auto full = cache.Reserve(RandomBytes(16), kHost, kNow + 60, kNow);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), Code::kUnavailable);
  auto after = cache.Reserve(RandomBytes(16), kHost, kNow + 120, kNow + 60);  // both expired by now
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(cache.size(), 1u);
}

// A certified host mints 100,000 approved VCs of its own: it fills only its
// own quota, and another host's next VC is still taken.
TEST(ReplayCache, OneHostCannotFillTheCacheForEveryone) {
  ReplayCache cache;  // the defaults vouchd runs with
  size_t refused = 0;
  for (int i = 0; i < 100000; ++i) {
    auto r = cache.Reserve(RandomBytes(16), kHost, kNow + 3600, kNow);
    if (r.ok()) {
      r->Commit();
    } else {
      ++refused;
      EXPECT_EQ(r.error().code(), Code::kRateLimited);
    }
  }
  EXPECT_EQ(refused, 100000u - 1024u);
  auto quota = cache.Reserve(RandomBytes(16), kHost, kNow + 3600, kNow);
  ASSERT_FALSE(quota.ok());
  EXPECT_EQ(quota.error().message(),
            StrCat("host '", kHost, "' has 1024 unexpired VCs in this validator's replay cache, its quota: "
                   "try again when they expire"));
  auto honest = cache.Reserve(RandomBytes(16), kOtherHost, kNow + 60, kNow);
  ASSERT_TRUE(honest.ok()) << honest.error().ToString();
  EXPECT_EQ(cache.size(), 1025u);
}

TEST(ReplayCache, AHostsQuotaFreesAsItsVcsExpireOrAreReleased) {
  ReplayCache cache(100, 2);
  auto a = cache.Reserve(RandomBytes(16), kHost, kNow + 10, kNow);
  ASSERT_TRUE(a.ok());
  a->Commit();
  {
    auto in_flight = cache.Reserve(RandomBytes(16), kHost, kNow + 10, kNow);
    ASSERT_TRUE(in_flight.ok());
    EXPECT_FALSE(cache.Reserve(RandomBytes(16), kHost, kNow + 10, kNow).ok());
  }  // released: a refusal does not use up the quota
  auto b = cache.Reserve(RandomBytes(16), kHost, kNow + 10, kNow);
  ASSERT_TRUE(b.ok());
  b->Commit();
  EXPECT_FALSE(cache.Reserve(RandomBytes(16), kHost, kNow + 10, kNow + 5).ok());
  EXPECT_TRUE(cache.Reserve(RandomBytes(16), kHost, kNow + 30, kNow + 10).ok());  // both expired
}

TEST(ReplayCache, ReservationThatOutlivesItsExpiryIsStillDroppedAfterCommit) {
  ReplayCache cache;
  Bytes cti = RandomBytes(16);
  auto r = cache.Reserve(cti, kHost, kNow + 1, kNow);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(cache.Reserve(RandomBytes(16), kHost, kNow + 100, kNow + 5).ok());  // sweeps past kNow+1
  r->Commit();
  ASSERT_TRUE(cache.Reserve(RandomBytes(16), kHost, kNow + 100, kNow + 6).ok());
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
      auto r = cache.Reserve(cti, kHost, kNow + 60, kNow);
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
