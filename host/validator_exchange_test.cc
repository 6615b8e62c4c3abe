#include "validator_exchange.h"

#include <gtest/gtest.h>

namespace vouch::host::internal {
namespace {

TEST(JoinFailures, NamesValidatorsWithTheSameReasonOnceInFirstSeenOrder) {
  EXPECT_EQ(JoinFailures({"127.0.0.1:7401: revoked: host is quarantined", "127.0.0.1:7402: connection refused",
                          "127.0.0.1:7403: revoked: host is quarantined", "127.0.0.1:7404: connection refused",
                          "127.0.0.1:7405: rate-limited"}),
            "127.0.0.1:7401, 127.0.0.1:7403: revoked: host is quarantined; 127.0.0.1:7402, 127.0.0.1:7404: "
            "connection refused; 127.0.0.1:7405: rate-limited");
  EXPECT_EQ(JoinFailures({"a: x"}), "a: x");
  EXPECT_EQ(JoinFailures({}), "");
  EXPECT_EQ(JoinFailures({"no reason given", "b: y", "no reason given"}), "no reason given; b: y; no reason given");
}

// Five validators refusing one quarantined host with the same long reason:
// the joined message stays far below libvirt's 1,024-byte error limit.
TEST(JoinFailures, FiveIdenticalRefusalsCostOneReason) {
  const std::string why(300, 'q');
  std::vector<std::string> failures;
  for (int i = 1; i <= 5; ++i) failures.push_back(StrCat("127.0.0.1:740", i, ": ", why));
  const std::string joined = JoinFailures(failures);
  EXPECT_LT(joined.size(), why.size() + 100);
  for (int i = 1; i <= 5; ++i) EXPECT_NE(joined.find(StrCat("127.0.0.1:740", i)), std::string::npos);
}

}  // namespace
}  // namespace vouch::host::internal
