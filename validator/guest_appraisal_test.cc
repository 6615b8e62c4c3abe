// The guest half of a re-attestation (guest_appraisal.h) through
// Appraiser::Reappraise: the guest vTPM's quote, its pinned references, and
// drift against the guest's first endorsed report, with the attacks a host
// or a guest could try on each (another nonce, another AK, a baseline of
// another launch or without t endorsements).
#include <gtest/gtest.h>

#include "testing/attest_world.h"
#include "testing/expect_refused.h"
#include "vouch/core/drift_verdict.h"
#include "vouch/core/quote_binding.h"
#include "vouch/validator/appraisal.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::kNow;
using testing::Scenario;
using ::vouch::testing::ExamplePcrValues;
using ::vouch::testing::SoftwareAk;

void WithGuestSection(OwnerPolicy& p) {
  p.reattest_s = 10;
  p.grace = 3;
  GuestPolicy g;
  g.pcrs = {0, 9};
  g.boot_s = 60;
  g.action = "none";
  p.guest = g;
}

// What the guest's vTPM reports in a round; tests change one thing.
struct GuestState {
  const SoftwareAk* ak;
  std::map<uint32_t, Bytes> pcrs = ExamplePcrValues({0, 9});
  Bytes log = Bytes(32, 0x10);
  std::function<Bytes(const std::vector<Bytes>&)> extra = [](const std::vector<Bytes>& nonces) {
    return GuestQuoteExtraData(nonces);
  };
  const SoftwareAk* signer = nullptr;  // another key than `ak` signs the quote
};

class GuestAppraisalTest : public ::testing::Test {
 protected:
  GuestAppraisalTest() : launch_(world_.Build(GuestPolicyScenario(), kNow - 60)) {
    guest_.ak = &guest_ak_;
    launch_vc_ = world_.EndorsedLaunch(launch_, {0, 2}, kNow - 60);
  }

  static Scenario GuestPolicyScenario(std::function<void(OwnerPolicy&)> more = nullptr) {
    Scenario s;
    s.policy = [more](OwnerPolicy& p) {
      WithGuestSection(p);
      if (more) more(p);
    };
    return s;
  }

  // A reattest request of launch_ at `now` with `guest`'s evidence (none if
  // null), `baseline` as its guest baseline; `bend` changes the claims last.
  ReattestRequest Round(const GuestState* guest, Bytes baseline = {}, int64_t now = kNow,
                        std::function<void(HostVcClaims&)> bend = nullptr,
                        std::function<void(OwnerPolicy&)> policy = nullptr) {
    Scenario s = GuestPolicyScenario(policy);
    const Bytes launch_cti = launch_.claims.cti;
    s.claims = [guest, launch_cti, bend](HostVcClaims& c) {
      c.launch_cti = launch_cti;
      if (guest != nullptr) {
        const SoftwareAk& signer = guest->signer ? *guest->signer : *guest->ak;
        TpmQuote q = signer.Quote(guest->pcrs, guest->extra(c.nonces));
        c.guest = GuestEvidence{q.attest, q.signature, guest->log, q.pcr_values, guest->ak->PublicArea()};
      }
      if (bend) bend(c);
    };
    ReattestRequest r = world_.BuildReattest(launch_, launch_vc_, s, now);
    r.guest_baseline = std::move(baseline);
    return r;
  }

  // The guest's first report, approved and endorsed by validators `by`.
  Bytes FirstReport(const std::vector<size_t>& by = {0, 2}) {
    ReattestRequest first = Round(&guest_, {}, kNow - 30);
    auto approved = world_.Reappraise(first, kNow - 30);
    EXPECT_TRUE(approved.ok()) << approved.error().ToString();
    return world_.EndorsedVc(first.vc, launch_.policy_digest, by, kNow - 30);
  }

  AttestWorld world_;
  Built launch_;
  SoftwareAk guest_ak_;
  GuestState guest_;
  Bytes launch_vc_;
};

TEST_F(GuestAppraisalTest, TheFirstReportIsEndorsedAndBecomesTheBaseline) {
  Bytes baseline = FirstReport();
  auto second = world_.Reappraise(Round(&guest_, baseline));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
}

TEST_F(GuestAppraisalTest, AGuestPcrChangedSinceTheFirstReportIsDriftNamedByThePcr) {
  Bytes baseline = FirstReport();
  GuestState extended = guest_;
  extended.pcrs[9] = Bytes(32, 0x99);
  EXPECT_REFUSED(world_.Reappraise(Round(&extended, baseline)), Code::kDrift,
                 "guest PCR 9 changed since the first report");
}

TEST_F(GuestAppraisalTest, ADriftRefusalCarriesThisValidatorsSignedVerdictOverTheVc) {
  Bytes baseline = FirstReport();
  GuestState extended = guest_;
  extended.pcrs[9] = Bytes(32, 0x99);
  ReattestRequest r = Round(&extended, baseline);
  AppraisalTrace trace;
  EXPECT_REFUSED(world_.Reappraise(r, kNow, &trace), Code::kDrift, "guest PCR 9");
  ASSERT_FALSE(trace.drift_verdict.empty());
  auto vc = HostVc::Parse(r.vc);
  ASSERT_TRUE(vc.ok());
  auto policy = SignedPolicy::Parse(r.policy);
  ASSERT_TRUE(policy.ok());
  const PolicyValidator& ours = policy->policy().validators[AttestWorld::kOurs];
  auto signer = VerifyDriftVerdict(*vc, trace.drift_verdict, ours, policy->digest());
  ASSERT_TRUE(signer.ok()) << signer.error().ToString();
  EXPECT_EQ(*signer, world_.ours().did());

  // A malformed round judges nothing, so it carries no verdict.
  AppraisalTrace none;
  EXPECT_REFUSED(world_.Reappraise(Round(nullptr), kNow, &none), Code::kMalformed, "expects guest evidence");
  EXPECT_TRUE(none.drift_verdict.empty());
}

TEST_F(GuestAppraisalTest, AnotherGuestAkOrEventLogIsDrift) {
  Bytes baseline = FirstReport();
  SoftwareAk other_ak;
  GuestState new_key = guest_;
  new_key.ak = &other_ak;
  EXPECT_REFUSED(world_.Reappraise(Round(&new_key, baseline)), Code::kDrift, "guest AK differs");
  GuestState new_log = guest_;
  new_log.log = Bytes(32, 0x11);
  EXPECT_REFUSED(world_.Reappraise(Round(&new_log, baseline)), Code::kDrift,
                 "guest event log digest");
}

TEST_F(GuestAppraisalTest, APinnedGuestPcrIsJudgedByItsReference) {
  const Bytes good = ExamplePcrValues({9}).at(9);
  auto pin = [good](OwnerPolicy& p) { p.guest->reference[9] = {good}; };
  launch_ = world_.Build(GuestPolicyScenario(pin), kNow - 60);
  launch_vc_ = world_.EndorsedLaunch(launch_, {0, 2}, kNow - 60);
  auto first = world_.Reappraise(Round(&guest_, {}, kNow, nullptr, pin));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  GuestState other = guest_;
  other.pcrs[9] = Bytes(32, 0x42);
  EXPECT_REFUSED(world_.Reappraise(Round(&other, {}, kNow, nullptr, pin)), Code::kPcrMismatch,
                 "guest PCR 9 differs from reference");
}

TEST_F(GuestAppraisalTest, APolicyWithAGuestSectionNeedsGuestEvidenceAndOneWithoutTakesNone) {
  EXPECT_REFUSED(world_.Reappraise(Round(nullptr)), Code::kMalformed, "expects guest evidence");

  // The same evidence under a launch whose policy has no guest section.
  auto no_guest = [](OwnerPolicy& p) { p.guest.reset(); };
  launch_ = world_.Build(GuestPolicyScenario(no_guest), kNow - 60);
  launch_vc_ = world_.EndorsedLaunch(launch_, {0, 2}, kNow - 60);
  EXPECT_REFUSED(world_.Reappraise(Round(&guest_, {}, kNow, nullptr, no_guest)), Code::kMalformed,
                 "the policy has no guest section");
}

TEST_F(GuestAppraisalTest, AGuestQuoteOfOtherChallengesOrByAnotherKeyIsRefused) {
  // An old guest quote replayed: bound to other nonces.
  GuestState replayed = guest_;
  replayed.extra = [](const std::vector<Bytes>&) { return GuestQuoteExtraData({RandomBytes(32)}); };
  EXPECT_REFUSED(world_.Reappraise(Round(&replayed)), Code::kBadQuote, "guest quote");
  // A host quote's binding is not a guest quote's.
  GuestState host_bound = guest_;
  host_bound.extra = [](const std::vector<Bytes>& nonces) {
    return HostQuoteExtraData(nonces, Bytes(32, 1), Bytes(32, 2));
  };
  EXPECT_REFUSED(world_.Reappraise(Round(&host_bound)), Code::kBadQuote, "guest quote");
  // Signed by a key other than the AK the evidence names.
  SoftwareAk forger;
  GuestState forged = guest_;
  forged.signer = &forger;
  EXPECT_REFUSED(world_.Reappraise(Round(&forged)), Code::kBadQuote, "guest quote");
  // A required guest PCR left out.
  GuestState partial = guest_;
  partial.pcrs.erase(9);
  EXPECT_REFUSED(world_.Reappraise(Round(&partial)), Code::kPcrMismatch,
                 "guest PCR 9 is required by the policy");
}

TEST_F(GuestAppraisalTest, ARoundMustNameTheLaunchItReattests) {
  EXPECT_REFUSED(world_.Reappraise(Round(&guest_, {}, kNow,
                                         [](HostVcClaims& c) { c.launch_cti = RandomBytes(kCtiSize); })),
                 Code::kNotInPolicy, "reattest VC names launch");
}

TEST_F(GuestAppraisalTest, ABaselineWithoutTEndorsementsCountsForNothing) {
  Bytes weak = FirstReport({0});
  GuestState extended = guest_;
  extended.pcrs[9] = Bytes(32, 0x99);
  EXPECT_REFUSED(world_.Reappraise(Round(&extended, weak)), Code::kNotInPolicy, "guest baseline");
}

TEST_F(GuestAppraisalTest, ABaselineOfAnotherLaunchIsRefused) {
  Bytes baseline = FirstReport();
  // The domain relaunched: a new launch VC, the old launch's guest baseline.
  launch_ = world_.Build(GuestPolicyScenario(), kNow - 20);
  launch_vc_ = world_.EndorsedLaunch(launch_, {0, 2}, kNow - 20);
  EXPECT_REFUSED(world_.Reappraise(Round(&guest_, baseline)), Code::kNotInPolicy,
                 "guest baseline: of launch");
}

TEST_F(GuestAppraisalTest, ALaunchVcIsNoGuestBaseline) {
  EXPECT_REFUSED(world_.Reappraise(Round(&guest_, launch_vc_)), Code::kNotInPolicy,
                 "not a reattest VC with guest evidence");
}

}  // namespace
}  // namespace vouch::validator
