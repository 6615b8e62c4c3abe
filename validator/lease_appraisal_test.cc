// Leases through the Appraiser (appraisal.h AppraisalOptions::leases, DESIGN
// §4 "Leases"): granted with a launch under a policy with `grace`, renewed by
// its re-attestations, never left behind by a refused launch.
#include <gtest/gtest.h>

#include "ledger-client/testing/ledger_world.h"
#include "testing/attest_world.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/lease_store.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::kNow;
using testing::Scenario;

class LeaseAppraisalTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(LeaseStore::kDefaultCapacity, LeaseStore::kDefaultPerHost); }

  void Open(size_t capacity, size_t per_host) {
    world_.reset();
    store_.reset();
    auto store = LeaseStore::Open(tmp_.File("leases.sqlite"), capacity, per_host);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    world_ = std::make_unique<AttestWorld>();
    AppraisalOptions options;
    options.leases = store_.get();
    world_->SetOptions(options);
  }

  // A policy with reattest_s 2 and grace 3 (a 6 s lease).
  static Scenario Leased() {
    Scenario s;
    s.policy = [](OwnerPolicy& p) {
      p.reattest_s = 2;
      p.grace = 3;
    };
    return s;
  }

  static std::string Launch(const Built& b) { return StrCat("cti:", HexEncode(b.claims.cti)); }

  std::optional<Lease> Find(const std::string& launch) {
    auto found = store_->Find(launch);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }

  ledger::testing::TempDir tmp_;
  std::unique_ptr<LeaseStore> store_;
  std::unique_ptr<AttestWorld> world_;
};

TEST_F(LeaseAppraisalTest, AnEndorsedLaunchUnderGraceHoldsALease) {
  Built b = world_->Build(Leased());
  auto approval = world_->Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  std::optional<Lease> lease = Find(Launch(b));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->host, world_->host_did());
  EXPECT_EQ(lease->domain, b.claims.domain_uuid);
  EXPECT_EQ(lease->interval_s, 2u);
  EXPECT_EQ(lease->grace, 3u);
  EXPECT_EQ(lease->deadline, kNow + 6);
}

TEST_F(LeaseAppraisalTest, TheGuestsBootTimeIsAddedToTheFirstDeadline) {
  Scenario s = Leased();
  auto base = s.policy;
  s.policy = [base](OwnerPolicy& p) {
    base(p);
    GuestPolicy g;
    g.pcrs = {9};
    g.boot_s = 40;
    p.guest = g;
  };
  Built b = world_->Build(s);
  ASSERT_TRUE(world_->Appraise(b).ok());
  std::optional<Lease> lease = Find(Launch(b));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->deadline, kNow + 40 + 6);
}

TEST_F(LeaseAppraisalTest, APolicyWithoutGraceHoldsNoLease) {
  Built b = world_->Build();
  ASSERT_TRUE(world_->Appraise(b).ok());
  EXPECT_FALSE(Find(Launch(b)).has_value());
  EXPECT_EQ(*store_->Count(), 0u);
}

// A launch refused after the lease was granted (the host's cnf key is not a
// usable X25519 key, so no share can be sealed to it) leaves no lease: a
// host cannot fill its quota with launches that were never endorsed.
TEST_F(LeaseAppraisalTest, ALaunchRefusedAfterTheGrantLeavesNoLease) {
  Scenario s = Leased();
  s.claims = [](HostVcClaims& c) { c.ephemeral_public_key = Bytes(32, 0); };
  Built b = world_->Build(s);
  auto refused = world_->Appraise(b);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("cnf key"), std::string::npos) << refused.error().ToString();
  EXPECT_EQ(*store_->Count(), 0u);
}

// The attacker: a certified host that launches again and again so that the
// validator holds more leases of it than its quota. Past the quota the
// launch is refused and no share is released.
TEST_F(LeaseAppraisalTest, AHostPastItsLeaseQuotaGetsNoShare) {
  Open(/*capacity=*/100, /*per_host=*/2);
  ASSERT_TRUE(world_->Appraise(world_->Build(Leased())).ok());
  ASSERT_TRUE(world_->Appraise(world_->Build(Leased())).ok());
  Built third = world_->Build(Leased());
  auto refused = world_->Appraise(third);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kRateLimited);
  EXPECT_NE(refused.error().message().find("lease"), std::string::npos) << refused.error().message();
  EXPECT_FALSE(Find(Launch(third)).has_value());
  // The refusal did not burn the VC: once the host stops a domain, it passes.
  ASSERT_TRUE(store_->End(store_->Missed(INT64_MAX, 1)->front().launch).ok());
  EXPECT_TRUE(world_->Appraise(third).ok());
}

TEST_F(LeaseAppraisalTest, AnEndorsedReattestationRenewsTheLease) {
  Built launch = world_->Build(Leased(), kNow - 60);
  ASSERT_TRUE(world_->Appraise(launch, kNow - 60).ok());
  ASSERT_EQ(Find(Launch(launch))->deadline, kNow - 60 + 6);
  Bytes baseline = world_->EndorsedLaunch(launch, {0, 2}, kNow - 60);
  auto renewed = world_->Reappraise(world_->BuildReattest(launch, baseline, Leased()));
  ASSERT_TRUE(renewed.ok()) << renewed.error().ToString();
  EXPECT_EQ(Find(Launch(launch))->deadline, kNow + 6);
}

// A validator that did not endorse the launch (or lost its state) starts
// expecting re-attestations from the first one it endorses.
TEST_F(LeaseAppraisalTest, AReattestationOfALaunchWithoutALeaseGrantsOne) {
  Built launch = world_->Build(Leased(), kNow - 60);
  Bytes baseline = world_->EndorsedLaunch(launch, {0, 2}, kNow - 60);
  ASSERT_TRUE(world_->Reappraise(world_->BuildReattest(launch, baseline, Leased())).ok());
  std::optional<Lease> lease = Find(Launch(launch));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->deadline, kNow + 6);
}

// A refused re-attestation (drift) renews nothing: the deadline keeps running.
TEST_F(LeaseAppraisalTest, ARefusedReattestationDoesNotRenew) {
  Built launch = world_->Build(Leased(), kNow - 60);
  ASSERT_TRUE(world_->Appraise(launch, kNow - 60).ok());
  Bytes baseline = world_->EndorsedLaunch(launch, {0, 2}, kNow - 60);
  Scenario drifted = Leased();
  drifted.claims = [](HostVcClaims& c) { c.tpm.pcrs[0] = Bytes(32, 0x5a); };
  ASSERT_FALSE(world_->Reappraise(world_->BuildReattest(launch, baseline, drifted)).ok());
  EXPECT_EQ(Find(Launch(launch))->deadline, kNow - 60 + 6);
}

}  // namespace
}  // namespace vouch::validator
