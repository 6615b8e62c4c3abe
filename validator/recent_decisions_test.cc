#include "vouch/validator/recent_decisions.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

Decision Made(std::string host, int64_t at, bool approved, std::optional<Code> code = std::nullopt) {
  Decision d;
  d.host_did = std::move(host);
  d.at = at;
  d.approved = approved;
  d.code = code;
  return d;
}

TEST(RecentDecisions, KeepsTheLastNNewestFirst) {
  RecentDecisions recent(3);
  for (int i = 1; i <= 5; ++i) recent.Add(Made(StrCat("did:key:h", i), i, true));
  std::vector<Decision> latest = recent.Latest();
  ASSERT_EQ(latest.size(), 3u);
  EXPECT_EQ(latest[0].at, 5);
  EXPECT_EQ(latest[1].at, 4);
  EXPECT_EQ(latest[2].at, 3);
}

TEST(RecentDecisions, HostsSeenCountOutcomesButNotStrangers) {
  RecentDecisions recent;
  recent.Add(Made("did:key:a", 10, true));
  recent.Add(Made("did:key:a", 12, false, Code::kPcrMismatch));
  recent.Add(Made("did:key:b", 11, false, Code::kRevoked));
  recent.Add(Made("did:key:stranger", 13, false, Code::kUnknownHost));
  recent.Add(Made("did:key:forged", 14, false, Code::kBadSignature));
  recent.Add(Made("", 15, false, Code::kMalformed));
  std::vector<HostSeen> hosts = recent.Hosts();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].did, "did:key:a");  // seen last
  EXPECT_EQ(hosts[0].last_at, 12);
  EXPECT_EQ(hosts[0].approvals, 1u);
  EXPECT_EQ(hosts[0].refusals, 1u);
  EXPECT_EQ(hosts[1].did, "did:key:b");
  EXPECT_EQ(recent.Latest().size(), 6u);  // every decision is in the ring
}

TEST(RecentDecisions, PastMaxHostsTheOneSeenLeastRecentlyGoes) {
  RecentDecisions recent(10, 2);
  recent.Add(Made("did:key:a", 1, true));
  recent.Add(Made("did:key:b", 2, true));
  recent.Add(Made("did:key:a", 3, true));
  recent.Add(Made("did:key:c", 4, true));  // b goes
  std::vector<HostSeen> hosts = recent.Hosts();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].did, "did:key:c");
  EXPECT_EQ(hosts[1].did, "did:key:a");
  EXPECT_EQ(hosts[1].approvals, 2u);
}

}  // namespace
}  // namespace vouch::validator
