// The stop notices a host sends when a leased domain stops, against real
// validator servers that hold (or do not hold) a lease of the launch.
#include "vouch/host/lease_end.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "measure/testing/temp_dir.h"
#include "validator/testing/attest_world.h"
#include "validator/testing/test_lease.h"
#include "vouch/core/did_key.h"
#include "vouch/core/hpke.h"
#include "vouch/core/random.h"
#include "vouch/validator/lease_store.h"
#include "vouch/validator/server.h"

namespace vouch::host {
namespace {

using validator::testing::kNow;

class LeaseEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Validator 0 holds a lease of the launch, validator 1 none, validator 2 is down.
    for (int i = 0; i < 2; ++i) {
      auto store = validator::LeaseStore::Open(dir_ / StrCat("leases", i, ".sqlite"));
      ASSERT_TRUE(store.ok()) << store.error().ToString();
      stores_.push_back(std::move(store).value());
      validator::ServerOptions options;
      options.clock = [] { return kNow; };
      options.logger = validator::Logger::Discard();
      auto started = validator::Server::Start(
          options, validator::ServerParts{&world_.appraiser(), &world_.challenges(), &metrics_, &world_.replay(),
                                          nullptr, nullptr, nullptr, stores_.back().get()});
      ASSERT_TRUE(started.ok()) << started.error().ToString();
      servers_.push_back(std::move(started).value());
      policy_.validators.push_back({DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did(),
                                    X25519PrivateKey::Generate().public_key(),
                                    StrCat("http://127.0.0.1:", servers_.back()->port())});
    }
    policy_.validators.push_back({DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did(),
                                  X25519PrivateKey::Generate().public_key(), "http://127.0.0.1:9"});
    ASSERT_TRUE(stores_[0]
                    ->Grant(validator::testing::TestLease(Launch(), DidKey::FromPublicKey(host_.public_key()).did(), kNow))
                    .ok());
  }

  std::string Launch() const { return StrCat("cti:", HexEncode(launch_)); }
  bool HeldBy(size_t i) const { return stores_[i]->Find(Launch()).value().has_value(); }
  std::string Name(size_t i) const { return policy_.validators[i].endpoint.substr(7); }

  testing::TempDir dir_;
  validator::testing::AttestWorld world_;
  validator::Metrics metrics_;
  std::vector<std::unique_ptr<validator::LeaseStore>> stores_;
  std::vector<std::unique_ptr<validator::Server>> servers_;
  OwnerPolicy policy_;
  Ed25519PrivateKey host_ = Ed25519PrivateKey::Generate();
  Bytes launch_ = RandomBytes(16);
};

TEST_F(LeaseEndTest, EachValidatorsAnswerIsReportedAndTheHeldLeaseEnds) {
  LeaseEndReport report = EndLeases(policy_, host_, launch_, kNow, std::chrono::seconds(3));
  EXPECT_EQ(report.ended, std::vector<std::string>{Name(0)});
  EXPECT_EQ(report.not_held, std::vector<std::string>{Name(1)});
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].rfind(Name(2) + ": ", 0), 0u) << report.failures[0];
  EXPECT_FALSE(HeldBy(0));
}

// The attacker: another host that wants this host's launch to go unreported.
TEST_F(LeaseEndTest, AnotherHostsNoticeEndsNothing) {
  LeaseEndReport report = EndLeases(policy_, Ed25519PrivateKey::Generate(), launch_, kNow, std::chrono::seconds(3));
  EXPECT_TRUE(report.ended.empty());
  ASSERT_EQ(report.failures.size(), 2u);
  EXPECT_NE(report.failures[0].find("is held by"), std::string::npos) << report.failures[0];
  EXPECT_TRUE(HeldBy(0));
}

}  // namespace
}  // namespace vouch::host
