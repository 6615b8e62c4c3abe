#include "vouch/validator/peer_key.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

TEST(PeerKey, Ipv4AsItIsIpv6ByItsSlash64) {
  EXPECT_EQ(PeerKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(PeerKey("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(PeerKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(PeerKey("2001:db8:1:2::1"), PeerKey("2001:db8:1:2:ffff::9"));  // one machine's /64
  EXPECT_NE(PeerKey("2001:db8:1:2::1"), PeerKey("2001:db8:1:3::1"));
  EXPECT_EQ(PeerKey("unknown"), "unknown");
}

}  // namespace
}  // namespace vouch::validator
