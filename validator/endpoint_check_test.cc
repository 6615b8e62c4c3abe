#include "vouch/validator/endpoint_check.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

TEST(EndpointMismatch, MatchingEndpointsPass) {
  EXPECT_EQ(EndpointMismatch("http://10.0.0.5:7401", "0.0.0.0", 7401), std::nullopt);
  EXPECT_EQ(EndpointMismatch("http://validator-1.example:7401/", "10.0.0.5", 7401), std::nullopt);
  EXPECT_EQ(EndpointMismatch("http://127.0.0.1:7401", "127.0.0.1", 7401), std::nullopt);
  EXPECT_EQ(EndpointMismatch("http://[::1]:7401", "::1", 7401), std::nullopt);
  EXPECT_EQ(EndpointMismatch("http://[2001:db8::1]:7401", "::", 7401), std::nullopt);
  EXPECT_EQ(EndpointMismatch("http://v.example", "0.0.0.0", 80), std::nullopt);
  EXPECT_EQ(EndpointMismatch("https://v.example", "0.0.0.0", 443), std::nullopt);
}

TEST(EndpointMismatch, AnotherPortIsNamed) {
  auto why = EndpointMismatch("http://10.0.0.5:7402", "0.0.0.0", 7401);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "it names port 7402, vouchd listens on port 7401");
  EXPECT_TRUE(EndpointMismatch("http://v.example", "0.0.0.0", 7401).has_value());  // 80
}

TEST(EndpointMismatch, ALoopbackListenerBehindAPublicEndpointIsNamed) {
  auto why = EndpointMismatch("http://10.0.0.5:7401", "127.0.0.1", 7401);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("loopback (127.0.0.1) only: no other machine can reach 10.0.0.5"), std::string::npos) << *why;
  EXPECT_TRUE(EndpointMismatch("http://[2001:db8::1]:7401", "::1", 7401).has_value());
}

TEST(EndpointMismatch, AnEndpointThatIsNoUrlIsNamed) {
  for (const char* bad : {"10.0.0.5:7401", "ftp://h:1", "http://", "http://:7401", "http://h:", "http://h:port",
                          "http://[::1", "http://[::1]x", "http://h:123456"}) {
    auto why = EndpointMismatch(bad, "0.0.0.0", 7401);
    ASSERT_TRUE(why.has_value()) << bad;
    EXPECT_NE(why->find("is not an http(s)://HOST[:PORT] URL"), std::string::npos) << bad << ": " << *why;
  }
}

}  // namespace
}  // namespace vouch::validator
