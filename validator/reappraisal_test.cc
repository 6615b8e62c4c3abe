// Appraiser::Reappraise: re-attestation of a running domain against its
// endorsed launch VC (appraisal.h, steps 8–15 of the reattest list).
#include <gtest/gtest.h>

#include "measure/testing/fixture_event_log.h"
#include "testing/attest_world.h"
#include "testing/expect_refused.h"
#include "vouch/core/countersign.h"
#include "vouch/core/endorsement.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/validator/appraisal.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/cose_credential_check.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::kNow;
using testing::Scenario;

class ReappraisalTest : public ::testing::Test {
 protected:
  // The domain as launched, 60 s before the re-attestation, endorsed by
  // validators 0 and 2 (t = 2).
  ReappraisalTest() : launch_(world_.Build({}, kNow - 60)) {
    baseline_ = world_.EndorsedLaunch(launch_, {0, 2}, kNow - 60);
  }

  AttestWorld world_;
  Built launch_;
  Bytes baseline_;
};

TEST_F(ReappraisalTest, EndorsesAnUnchangedDomainAndReleasesNothing) {
  ReattestRequest r = world_.BuildReattest(launch_, baseline_);
  auto approval = world_.Reappraise(r);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();

  auto vc = HostVc::Parse(r.vc);
  ASSERT_TRUE(vc.ok());
  EXPECT_EQ(vc->claims().type, "reattest");
  auto cs = Countersignature::Parse(approval->endorsement);
  ASSERT_TRUE(cs.ok()) << cs.error().ToString();
  auto endorsement = VerifyEndorsement(*vc, *cs);
  ASSERT_TRUE(endorsement.ok()) << endorsement.error().ToString();
  EXPECT_EQ(endorsement->validator_did, world_.ours().did());
  EXPECT_TRUE(endorsement->verdict.ok);
  EXPECT_EQ(endorsement->verdict.at, kNow);
  EXPECT_EQ(endorsement->verdict.policy, Bytes(launch_.policy_digest.value.begin(),
                                               launch_.policy_digest.value.end()));
  EXPECT_EQ(approval->host_did, world_.host_did());
  EXPECT_EQ(approval->cti, vc->claims().cti);
  // The endorsement is over the reattest VC, not the launch VC.
  auto launch_vc = HostVc::Parse(launch_.vc);
  ASSERT_TRUE(launch_vc.ok());
  EXPECT_FALSE(VerifyEndorsement(*launch_vc, *cs).ok());
}

// Step 15 with the vc+cose form (DESIGN §3 "JSON forms (W3C)"): the
// reattest VC's vc+cose is countersigned as at launch, and a host vc+cose
// signature over other JSON is refused.
TEST_F(ReappraisalTest, CountersignsTheReattestVcCose) {
  Scenario s;
  s.after_issue = [](HostVc& vc, const Ed25519PrivateKey& key) { ASSERT_TRUE(w3c::SignVcCose(vc, key).ok()); };
  ReattestRequest r = world_.BuildReattest(launch_, baseline_, s);
  auto approval = world_.Reappraise(r);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  HostVc vc = *HostVc::Parse(r.vc);
  auto endorsement = VerifyEndorsement(vc, *Countersignature::Parse(approval->endorsement));
  ASSERT_TRUE(endorsement.ok()) << endorsement.error().ToString();
  ASSERT_TRUE(endorsement->carried_cose_signature.has_value());
  ASSERT_TRUE(AttachEndorsement(vc, *endorsement).ok());
  auto check = w3c::CheckCoseCredential(*w3c::ExportVcCose(vc), kNow);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  EXPECT_TRUE(check->status.ok()) << check->status.error().ToString();
  EXPECT_EQ(check->countersignatures.size(), 1u);

  Scenario lie;
  lie.after_issue = [](HostVc& vc, const Ed25519PrivateKey& key) {
    HostVcClaims other = vc.claims();
    other.domain_uuid = "00000000-0000-4000-8000-000000000000";
    HostVc forged = *HostVc::Issue(other, key);
    ASSERT_TRUE(w3c::SignVcCose(forged, key).ok());
    vc.CarryCoseSignature(*forged.carried_cose_signature());
  };
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, lie, kNow + 1), kNow + 1),
                 Code::kBadSignature, "vc+cose signature does not verify");
}

// A fragment withdrawn from a platform class is enforced on running domains
// at their next round: a vulnerable firmware leaves every policy at once.
TEST_F(ReappraisalTest, AWithdrawnBootReferenceRefusesTheNextRound) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  std::map<uint32_t, Bytes> quoted = vouch::testing::ReplayedValues(log, {0, 1, 2, 3, 4, 5, 6, 7});
  Scenario s;
  s.policy = [](OwnerPolicy& p) {
    p.pcrs = {0, 1, 2, 3, 4, 5, 6, 7};
    p.reference_pcrs.clear();
    p.reference_boot.clear();
    p.platforms = {"gce"};
  };
  s.claims = [quoted](HostVcClaims& c) { c.tpm.pcrs = quoted; };
  s.event_log = log.bytes;
  auto firmware = ProposeBootReference(log.parsed, "gce", "firmware", {0, 1, 2, 3, 4, 5, 6, 7});
  ASSERT_TRUE(firmware.ok()) << firmware.error().ToString();
  world_.directory().PutReference(*firmware);
  Built launch = world_.Build(s, kNow - 60);
  ASSERT_TRUE(world_.Appraise(launch, kNow - 60).ok());
  Bytes baseline = world_.EndorsedLaunch(launch, {0, 2}, kNow - 60);
  auto round = world_.Reappraise(world_.BuildReattest(launch, baseline, s));
  ASSERT_TRUE(round.ok()) << round.error().ToString();

  world_.directory().PutReference({"gce", "firmware", {}, {}, true});
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch, baseline, s, kNow + 1), kNow + 1),
                 Code::kPcrMismatch, "boot refused: platform class gce has no reference values on the ledger");
}

TEST_F(ReappraisalTest, RefusesAnAkThisValidatorDidNotCertify) {
  world_.directory().Put(HostRecord{world_.host_did(), world_.ak().PublicArea(), true,
                                    {world_.validators()[0].did()}, false, ""});
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_)), Code::kUncertifiedAk,
                 "its TPM AK was not certified by this validator");
}

TEST_F(ReappraisalTest, TheSameReattestVcTwiceIsAReplay) {
  ReattestRequest r = world_.BuildReattest(launch_, baseline_);
  ASSERT_TRUE(world_.Reappraise(r).ok());
  EXPECT_REFUSED(world_.Reappraise(r), Code::kReplay, "");
}

TEST_F(ReappraisalTest, AChangedDomainXmlIsDrift) {
  Scenario s;
  s.domain = [](qemu::DomainConfig& d) { d.memory_kib = 262144; };  // still within the policy
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, s)), Code::kDrift,
                 "differs from the launch baseline");
}

TEST_F(ReappraisalTest, AnUnpinnedPcrThatChangedSinceLaunchIsDriftNamedByThePcr) {
  // The policy quotes PCRs 0 and 7 and pins only 7; PCR 0's baseline is its
  // launch value.
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.tpm.pcrs[0] = Bytes(32, 0x5a); };
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, s)), Code::kDrift,
                 "PCR 0 changed since launch");
}

TEST_F(ReappraisalTest, APinnedPcrIsJudgedByThePolicyFirst) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.tpm.pcrs[7] = Bytes(32, 0x5a); };
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, s)),
                 Code::kPcrMismatch, "PCR 7 differs from reference");
}

TEST_F(ReappraisalTest, TheFreshEvidenceIsCheckedAsAtLaunch) {
  Scenario memory;
  memory.domain = [](qemu::DomainConfig& d) { d.memory_kib = 4 * 1048576; };
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, memory)),
                 Code::kConfig, "memory");
  Scenario forged;
  forged.after_quote = [](HostVcClaims& c) { c.tpm.pcrs[0] = Bytes(32, 0x11); };
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, forged)),
                 Code::kPcrMismatch, "");
}

TEST_F(ReappraisalTest, ABaselineNeedsTEndorsementsByDistinctPolicyValidators) {
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(
                     launch_, world_.EndorsedLaunch(launch_, {2}, kNow - 60))),
                 Code::kNotInPolicy, "carries 1 valid endorsements");
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(
                     launch_, world_.EndorsedLaunch(launch_, {2, 2}, kNow - 60))),
                 Code::kNotInPolicy, "carries 1 valid endorsements");
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, launch_.vc)),
                 Code::kNotInPolicy, "carries 0 valid endorsements");

  // An endorsement by a validator outside the policy does not count.
  HostVc vc = testing::Must(HostVc::Parse(world_.EndorsedLaunch(launch_, {0}, kNow - 60)), "vc");
  ValidatorKeys stranger = ValidatorKeys::Generate();
  Verdict ok{true, kNow - 60, Bytes(32, 0), ToBytes(launch_.policy_digest.value)};
  ASSERT_TRUE(AttachEndorsement(vc, testing::Must(Endorse(vc, stranger.signing_key(), ok), "e")).ok());
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, vc.message().Encode())),
                 Code::kNotInPolicy, "carries 1 valid endorsements");
}

TEST_F(ReappraisalTest, RefusedOrForeignEndorsementsOfTheBaselineDoNotCount) {
  HostVc vc = testing::Must(HostVc::Parse(world_.EndorsedLaunch(launch_, {0}, kNow - 60)), "vc");
  // Validator 2 refused (ok: false) ...
  Verdict refused{false, kNow - 60, Bytes(32, 0), ToBytes(launch_.policy_digest.value)};
  ASSERT_TRUE(AttachEndorsement(
                  vc, testing::Must(Endorse(vc, world_.validators()[2].signing_key(), refused), "e"))
                  .ok());
  // ... and validator 1 endorsed under another policy.
  Verdict other{true, kNow - 60, Bytes(32, 0), Bytes(32, 0x77)};
  ASSERT_TRUE(AttachEndorsement(
                  vc, testing::Must(Endorse(vc, world_.validators()[1].signing_key(), other), "e"))
                  .ok());
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, vc.message().Encode())),
                 Code::kNotInPolicy, "carries 1 valid endorsements");
}

TEST_F(ReappraisalTest, ABaselineFromAnotherHostDomainOrKindIsRefused) {
  // Another host's launch of the same domain, endorsed by all three.
  AttestWorld other;
  Built theirs = other.Build({}, kNow - 60);
  Bytes their_baseline = other.EndorsedLaunch(theirs, {0, 1, 2}, kNow - 60);
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, their_baseline)),
                 Code::kNotInPolicy, "not by this host");

  // A re-attestation VC is no baseline.
  ReattestRequest earlier = world_.BuildReattest(launch_, baseline_, {}, kNow - 30);
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(
                     launch_, world_.EndorsedVc(earlier.vc, launch_.policy_digest, {0, 2},
                                                kNow - 30))),
                 Code::kNotInPolicy, "expected vouch.type \"launch\"");

  // The baseline under another policy (more memory allowed).
  Scenario roomier;
  roomier.policy = [](OwnerPolicy& p) { p.rt.memory_kib_max *= 2; };
  Built other_policy = world_.Build(roomier, kNow - 60);
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(
                     launch_, world_.EndorsedLaunch(other_policy, {0, 2}, kNow - 60))),
                 Code::kNotInPolicy, "not for this domain and policy");

  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, Bytes{0xa0})),
                 Code::kMalformed, "launch VC");
}

TEST_F(ReappraisalTest, ARevokedLaunchCredentialIsRefused) {
  world_.directory().Revoke(StrCat("cti:", HexEncode(launch_.claims.cti)), "test");
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_)), Code::kRevoked,
                 "launch VC");
}

// The launch VC's quorum is verified once per launch VC (every round sends
// the same bytes). The attacker: a host that, after a round with the real
// baseline, sends the same launch with an endorsement stripped or forged,
// or keeps re-attesting a revoked launch. Nothing carries over but the
// exact bytes that verified.
TEST_F(ReappraisalTest, AVerifiedBaselineIsRememberedOnlyForItsExactBytes) {
  ASSERT_TRUE(world_.Reappraise(world_.BuildReattest(launch_, baseline_)).ok());
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(
                     launch_, world_.EndorsedLaunch(launch_, {2}, kNow - 60))),
                 Code::kNotInPolicy, "carries 1 valid endorsements");
  Bytes forged = baseline_;
  forged[forged.size() - 10] ^= 0x01;  // inside the host's signature
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, forged)), Code::kBadSignature,
                 "launch VC: host VC signature does not verify");
  EXPECT_TRUE(world_.Reappraise(world_.BuildReattest(launch_, baseline_)).ok());
  world_.directory().Revoke(StrCat("cti:", HexEncode(launch_.claims.cti)), "test");
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_)), Code::kRevoked,
                 "launch VC");
}

TEST_F(ReappraisalTest, EachEndpointTakesOnlyItsKindOfVc) {
  Scenario launch_kind;
  launch_kind.claims = [](HostVcClaims& c) { c.type = "launch"; };
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, baseline_, launch_kind)),
                 Code::kMalformed, "/v1/reattest takes a reattest VC");
}

TEST_F(ReappraisalTest, CommonChecksComeFirst) {
  // A revoked host is refused before the baseline is looked at.
  world_.directory().Revoke(world_.host_did(), "test");
  EXPECT_REFUSED(world_.Reappraise(world_.BuildReattest(launch_, Bytes{0xa0})), Code::kRevoked,
                 "is revoked");
}

}  // namespace
}  // namespace vouch::validator
