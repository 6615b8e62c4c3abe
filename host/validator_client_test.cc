// The host's client against a real vouchd that limits connections per peer:
// parallel starts on one host meet 429 and must not fail for it.
#include "vouch/host/validator_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "validator/testing/server_fixture.h"

namespace vouch::host {
namespace {

class ValidatorClientTest : public validator::testing::ServerFixture {
 protected:
  void SetUp() override {
    validator::ServerOptions options;
    options.max_peer_connections = 1;
    options.request_timeout = std::chrono::milliseconds(600);
    StartServer(options);
  }

  // A connection that sends nothing: it holds this peer's only slot until
  // the request deadline drops it.
  int HoldTheSlot() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // accepted and counted
    return fd;
  }

  std::string Endpoint() const { return StrCat("http://127.0.0.1:", server_->port()); }
};

TEST_F(ValidatorClientTest, A429IsRetriedWithinTheTimeout) {
  int held = HoldTheSlot();
  ValidatorClient client(Endpoint(), std::chrono::seconds(5));
  auto challenge = client.GetChallenge(world_.host_did());
  ::close(held);
  ASSERT_TRUE(challenge.ok()) << challenge.error().ToString();
  EXPECT_EQ(challenge->validator_did, world_.ours().did());
}

TEST_F(ValidatorClientTest, A429PastTheTimeoutIsReportedAsRateLimited) {
  int held = HoldTheSlot();
  // Shorter than the 600 ms the held slot lasts, long enough on a loaded machine
  // for the first 429 to arrive: a retry the timeout cuts short still reports it.
  ValidatorClient client(Endpoint(), std::chrono::milliseconds(300));
  auto challenge = client.GetChallenge(world_.host_did());
  ::close(held);
  ASSERT_FALSE(challenge.ok());
  EXPECT_EQ(challenge.error().code(), Code::kRateLimited) << challenge.error().ToString();
}

}  // namespace
}  // namespace vouch::host
