#include "vouch/validator/appraisal.h"

#include <gtest/gtest.h>

#include "testing/attest_world.h"
#include "testing/expect_refused.h"
#include "measure/testing/fixture_event_log.h"
#include "vouch/core/countersign.h"
#include "vouch/core/endorsement.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/launch_policy.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/cose_credential_check.h"
#include "vouch/w3c/credential_check.h"
#include "vouch/w3c/endorsed_credential.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::kNow;
using testing::Scenario;

Bytes FlipLast(Bytes b) {
  b.back() ^= 0x01;
  return b;
}

class AppraisalTest : public ::testing::Test {
 protected:
  AttestWorld world_;
};

TEST_F(AppraisalTest, ApprovesValidRequestAndReleasesShareToEphemeralKey) {
  Built b = world_.Build();
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();

  auto vc = HostVc::Parse(b.vc);
  ASSERT_TRUE(vc.ok());
  auto opened = OpenShareAsHost(b.ephemeral, b.claims.cti, vc->Digest(), approval->sealed_share);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_TRUE(*opened == world_.shares()[AttestWorld::kOurs]);

  auto cs = Countersignature::Parse(approval->endorsement);
  ASSERT_TRUE(cs.ok()) << cs.error().ToString();
  auto endorsement = VerifyEndorsement(*vc, *cs);
  ASSERT_TRUE(endorsement.ok()) << endorsement.error().ToString();
  EXPECT_EQ(endorsement->validator_did, world_.ours().did());
  EXPECT_TRUE(endorsement->verdict.ok);
  EXPECT_EQ(endorsement->verdict.at, kNow);
  EXPECT_EQ(endorsement->verdict.policy,
            Bytes(b.policy_digest.value.begin(), b.policy_digest.value.end()));
  EXPECT_EQ(endorsement->verdict.ledger_head, Bytes(32, 0));
  EXPECT_EQ(approval->host_did, world_.host_did());
  EXPECT_EQ(approval->domain_uuid, testing::kDomain);
}

TEST_F(AppraisalTest, VerdictCarriesTheDirectorysLedgerHead) {
  Bytes head = RandomBytes(32);
  world_.directory().SetLedgerHead(head);
  auto approval = world_.Appraise(world_.Build());
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  EXPECT_EQ(approval->verdict.ledger_head, head);
}

TEST_F(AppraisalTest, TwoValidatorsReleasesCombineToTheImageKey) {
  // Validator 0 runs its own appraiser; the host puts both challenges in eat_nonce.
  ChallengeIssuer challenges0;
  ReplayCache replay0;
  Appraiser appraiser0(world_.validators()[0], world_.directory(), challenges0, replay0);
  Bytes nonce0 = challenges0.Issue(world_.host_did(), kNow);
  Scenario s;
  s.other_nonces = {nonce0, RandomBytes(32)};
  Built b = world_.Build(s);
  auto ours = world_.Appraise(b);
  ASSERT_TRUE(ours.ok()) << ours.error().ToString();

  // The same VC and policy, with validator 0's share and index.
  auto policy = SignedPolicy::Parse(b.request.policy);
  ASSERT_TRUE(policy.ok());
  AttestRequest r0 = b.request;
  r0.index = 0;
  r0.share = *SealShareForValidator(world_.validators()[0].hpke_key().public_key(),
                                    testing::kDomain, policy->digest(), world_.shares()[0]);
  auto theirs = appraiser0.Appraise(r0, kNow);
  ASSERT_TRUE(theirs.ok()) << theirs.error().ToString();

  auto vc = HostVc::Parse(b.vc);
  ASSERT_TRUE(vc.ok());
  std::vector<SecretBytes> released;
  for (const Approval* a : {&*ours, &*theirs}) {
    auto share = OpenShareAsHost(b.ephemeral, b.claims.cti, vc->Digest(), a->sealed_share);
    ASSERT_TRUE(share.ok()) << share.error().ToString();
    released.push_back(std::move(share).value());
  }
  auto key = ShamirCombine(released);
  ASSERT_TRUE(key.ok()) << key.error().ToString();
  EXPECT_TRUE(*key == world_.image_key());
  EXPECT_EQ(KeyCheckValue(*key), policy->policy().kcv);
}

TEST_F(AppraisalTest, TraceNamesHostDomainAndCtiOfARefusal) {
  world_.directory().Revoke(world_.host_did(), "decommissioned");
  Built b = world_.Build();
  AppraisalTrace trace;
  auto r = world_.Appraise(b, kNow, &trace);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(trace.host_did, world_.host_did());
  EXPECT_EQ(trace.domain_uuid, testing::kDomain);
  EXPECT_EQ(trace.cti_hex, HexEncode(b.claims.cti));
}

// --- 1. the VC itself ---------------------------------------------------------

TEST_F(AppraisalTest, RefusesVcThatIsNotCose) {
  Scenario s;
  s.vc_bytes = [](Bytes) { return Bytes{0x01, 0x02, 0x03}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kMalformed, "");
}

TEST_F(AppraisalTest, RefusesVcWhoseSignatureDoesNotVerify) {
  Scenario s;
  s.vc_bytes = FlipLast;  // the last byte is the signature's
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadSignature, "host VC");
}

// DESIGN §3 "JSON forms (W3C)": the host proves the VC's JSON form; this
// validator checks that proof over its own rendering and chains its own.
TEST_F(AppraisalTest, EndorsementCarriesAW3cProofChainedToTheHosts) {
  Scenario s;
  s.after_issue = [](HostVc& vc, const Ed25519PrivateKey& key) { ASSERT_TRUE(w3c::ProveHostVc(vc, key).ok()); };
  Built b = world_.Build(s);
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  HostVc vc = *HostVc::Parse(b.vc);
  auto endorsement = VerifyEndorsement(vc, *Countersignature::Parse(approval->endorsement));
  ASSERT_TRUE(endorsement.ok()) << endorsement.error().ToString();
  ASSERT_TRUE(endorsement->carried_proof.has_value());
  EXPECT_EQ(endorsement->carried_proof->created, "2025-11-24T16:00:00Z");
  ASSERT_TRUE(AttachEndorsement(vc, *endorsement).ok());
  auto exported = w3c::ExportDataIntegrity(vc);
  ASSERT_TRUE(exported.ok()) << exported.error().ToString();
  auto check = w3c::CheckCredential(*exported, kNow);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  EXPECT_TRUE(check->status.ok()) << check->status.error().ToString();
  ASSERT_EQ(check->proofs.size(), 2u);
  EXPECT_EQ(check->proofs[1].previous_proof, std::vector<std::string>{w3c::HostProofId(vc)});
}

TEST_F(AppraisalTest, EndorsesAVcWithoutW3cProofInCborOnly) {
  Built b = world_.Build();
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  EXPECT_TRUE(Countersignature::Parse(approval->endorsement)->unprotected().map().empty());
}

TEST_F(AppraisalTest, RefusesVcWhoseW3cProofSignsOtherJson) {
  Scenario s;
  s.after_issue = [](HostVc& vc, const Ed25519PrivateKey& key) {
    ASSERT_TRUE(w3c::ProveHostVc(vc, key).ok());
    CarriedProof proof = *vc.carried_proof();
    proof.created = "2025-11-24T16:00:01Z";  // the proof's JSON is no longer what was signed
    vc.CarryProof(proof);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadSignature, "W3C proof does not verify");
}

// The same for vc+cose: the host signs the JSON as a COSE_Sign1; this
// validator verifies that signature over its own rendering and
// countersigns the vc+cose with its CBOR countersignature's header.
TEST_F(AppraisalTest, EndorsementCarriesAVcCoseCountersignature) {
  Scenario s;
  s.after_issue = [](HostVc& vc, const Ed25519PrivateKey& key) {
    ASSERT_TRUE(w3c::ProveHostVc(vc, key).ok());
    ASSERT_TRUE(w3c::SignVcCose(vc, key).ok());
  };
  Built b = world_.Build(s);
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  HostVc vc = *HostVc::Parse(b.vc);
  auto endorsement = VerifyEndorsement(vc, *Countersignature::Parse(approval->endorsement));
  ASSERT_TRUE(endorsement.ok()) << endorsement.error().ToString();
  ASSERT_TRUE(endorsement->carried_proof.has_value());
  ASSERT_TRUE(endorsement->carried_cose_signature.has_value());
  ASSERT_TRUE(AttachEndorsement(vc, *endorsement).ok());
  auto exported = w3c::ExportVcCose(vc);
  ASSERT_TRUE(exported.ok()) << exported.error().ToString();
  auto check = w3c::CheckCoseCredential(*exported, kNow);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  EXPECT_TRUE(check->status.ok()) << check->status.error().ToString();
  ASSERT_EQ(check->countersignatures.size(), 1u);
  EXPECT_EQ(check->countersignatures[0].signer, endorsement->validator_did);
}

TEST_F(AppraisalTest, RefusesVcWhoseVcCoseSignatureSignsOtherJson) {
  Scenario s;
  s.after_issue = [](HostVc& vc, const Ed25519PrivateKey& key) {
    ASSERT_TRUE(w3c::SignVcCose(vc, key).ok());
    HostVcClaims other = vc.claims();
    other.hypervisor.qemu = "9.9.9";  // a vc+cose of another claims set
    HostVc lie = *HostVc::Issue(other, key);
    ASSERT_TRUE(w3c::SignVcCose(lie, key).ok());
    vc.CarryCoseSignature(*lie.carried_cose_signature());
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadSignature, "vc+cose signature does not verify");
}

TEST_F(AppraisalTest, RefusesVcWithAnUnknownUnprotectedHeader) {
  Scenario s;
  s.after_issue = [](HostVc& vc, const Ed25519PrivateKey&) {
    ASSERT_TRUE(vc.mutable_message().SetUnprotectedHeader(cbor::Value("vouch.x"), cbor::Value(1)).ok());
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kMalformed, "unknown unprotected header label");
}

TEST_F(AppraisalTest, RefusesReattestVcOnAttest) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.type = "reattest"; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kMalformed, "launch VC");
}

// --- 2. time --------------------------------------------------------------------

TEST_F(AppraisalTest, RefusesExpiredVc) {
  Built b = world_.Build();
  EXPECT_REFUSED(world_.Appraise(b, kNow + 61), Code::kStaleNonce, "host VC expired 1 s ago");
}

TEST_F(AppraisalTest, RefusesVcIssuedInTheFuture) {
  Scenario s;
  s.claims = [](HostVcClaims& c) {
    c.issued_at = kNow + 100;
    c.expires_at = kNow + 160;
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce, "issued in the future");
}

// --- 3. the host ----------------------------------------------------------------

TEST_F(AppraisalTest, RefusesUnknownHost) {
  StaticHostDirectory empty;
  Appraiser appraiser(world_.ours(), empty, world_.challenges(), world_.replay());
  auto r = appraiser.Appraise(world_.Build().request, kNow);
  EXPECT_REFUSED(r, Code::kUnknownHost, "is not registered");
}

TEST_F(AppraisalTest, RefusesRevokedHostWithTheRevocationReason) {
  world_.directory().Revoke(world_.host_did(), "PCR drift reported by 3 validators");
  EXPECT_REFUSED(world_.Appraise(world_.Build()), Code::kRevoked,
                 "is revoked: PCR drift reported by 3 validators");
}

TEST_F(AppraisalTest, RefusesRevokedCti) {
  Built b = world_.Build();
  world_.directory().Revoke("cti:" + HexEncode(b.claims.cti), "leaked VC");
  EXPECT_REFUSED(world_.Appraise(b), Code::kRevoked,
                 "cti " + HexEncode(b.claims.cti) + " is revoked");
}

TEST_F(AppraisalTest, RefusesHostWhoseAkIsNotCertified) {
  world_.directory().Put(HostRecord{world_.host_did(), world_.ak().PublicArea(), false, {}, false, ""});
  EXPECT_REFUSED(world_.Appraise(world_.Build()), Code::kUncertifiedAk,
                 "its TPM AK is not certified by enough validators (certify_quorum)");
}

TEST_F(AppraisalTest, RefusesAkThatOnlyOtherValidatorsCertified) {
  // The quorum holds, but this validator never checked the AK's credential activation itself.
  world_.directory().Put(HostRecord{world_.host_did(), world_.ak().PublicArea(), true,
                                    {world_.validators()[0].did(), world_.validators()[2].did()}, false,
                                    ""});
  EXPECT_REFUSED(world_.Appraise(world_.Build()), Code::kUncertifiedAk,
                 "host '" + world_.host_did() +
                     "': its TPM AK was not certified by this validator (run 'vouch host enroll')");
}

TEST_F(AppraisalTest, RefusesAkThisValidatorCertifiedBelowTheQuorum) {
  world_.directory().Put(
      HostRecord{world_.host_did(), world_.ak().PublicArea(), false, {world_.ours().did()}, false, ""});
  EXPECT_REFUSED(world_.Appraise(world_.Build()), Code::kUncertifiedAk, "(certify_quorum)");
}

// --- 4. the challenge -----------------------------------------------------------

TEST_F(AppraisalTest, RefusesStaleNonce) {
  Scenario s;
  s.our_nonce = world_.challenges().Issue(world_.host_did(), kNow - 31);
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce,
                 "challenge expired: issued 31 s ago, valid for 30 s");
}

TEST_F(AppraisalTest, RefusesForgedNonce) {
  Scenario s;
  Bytes forged = world_.challenges().Issue(world_.host_did(), kNow);
  forged.back() ^= 0x80;
  s.our_nonce = forged;
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce,
                 "none of the 3 challenges in eat_nonce was issued by this validator");
}

TEST_F(AppraisalTest, RefusesNonceIssuedToAnotherHost) {
  Scenario s;
  std::string other = DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did();
  s.our_nonce = world_.challenges().Issue(other, kNow);
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce,
                 "challenge was issued to another host");
}

TEST_F(AppraisalTest, RefusesVcWithoutAnyOfOurNonces) {
  Scenario s;
  s.our_nonce = RandomBytes(32);
  s.other_nonces = {};
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce,
                 "none of the 1 challenges in eat_nonce");
}

// --- 5. replay ------------------------------------------------------------------

TEST_F(AppraisalTest, RefusesReplayedVcTheSecondTime) {
  Built b = world_.Build();
  auto first = world_.Appraise(b);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_REFUSED(world_.Appraise(b), Code::kReplay, "was already endorsed by this validator");
}

TEST_F(AppraisalTest, RefusalDoesNotBurnTheCti) {
  Built b = world_.Build();
  AttestRequest bad = b.request;
  bad.share = FlipLast(bad.share);
  EXPECT_FALSE(world_.appraiser().Appraise(bad, kNow).ok());
  auto again = world_.Appraise(b);
  EXPECT_TRUE(again.ok()) << again.error().ToString();
}

// A challenge is single-use: the host's second VC on one challenge is refused
// even though both are signed by the host and the challenge is fresh.
TEST_F(AppraisalTest, RefusesASecondVcOnTheSameChallenge) {
  Scenario s;
  s.our_nonce = world_.challenges().Issue(world_.host_did(), kNow);
  auto first = world_.Appraise(world_.Build(s));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce,
                 "challenge was already answered by another VC: a challenge is single-use");
  Scenario reattest = s;
  reattest.claims = [](HostVcClaims& c) { c.type = "reattest"; };
  EXPECT_REFUSED(world_.Reappraise(ReattestRequest{world_.Build(reattest).request.vc,
                                                   world_.Build(s).request.policy, Bytes{1}, 1, {}, {}}),
                 Code::kStaleNonce, "already answered by another VC");
}

TEST_F(AppraisalTest, RefusedVcDoesNotUseUpItsChallenge) {
  Scenario s;
  s.our_nonce = world_.challenges().Issue(world_.host_did(), kNow);
  Scenario bad = s;
  bad.policy = [](OwnerPolicy& p) { p.reference_pcrs[7] = {RandomBytes(32)}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(bad)), Code::kPcrMismatch, "PCR 7");
  auto good = world_.Appraise(world_.Build(s));
  EXPECT_TRUE(good.ok()) << good.error().ToString();
}

// --- 6. the owner policy --------------------------------------------------------

TEST_F(AppraisalTest, RefusesPolicyWhoseSignatureDoesNotVerify) {
  Scenario s;
  s.policy_bytes = FlipLast;
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadSignature, "owner policy");
}

TEST_F(AppraisalTest, RefusesIndexThatNamesAnotherValidator) {
  Scenario s;
  s.index = 0;
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy,
                 "not this validator (which is validator 1)");
}

TEST_F(AppraisalTest, RefusesIndexOutsideThePolicy) {
  Scenario s;
  s.index = 7;
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy,
                 "index 7 is outside the policy's 3 validators");
}

TEST_F(AppraisalTest, RefusesPolicyWithoutThisValidator) {
  Scenario s;
  ValidatorKeys stranger = ValidatorKeys::Generate();
  s.policy = [&](OwnerPolicy& p) {
    p.validators[1] = {stranger.did(), stranger.hpke_key().public_key(), "http://x"};
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy, "is not in the policy");
}

TEST_F(AppraisalTest, RefusesPolicyListingAnotherHpkeKeyForThisValidator) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) {
    p.validators[1].hpke_public_key = X25519PrivateKey::Generate().public_key();
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy, "lists HPKE key");
}

TEST_F(AppraisalTest, RefusesVcLivingLongerThanPolicyTtl) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.expires_at = c.issued_at + 300; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kStaleNonce,
                 "host VC lifetime 300 s exceeds the policy's vc_ttl of 120 s");
}

TEST_F(AppraisalTest, RefusesVcBoundToAnotherPolicy) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.policy_digest = RandomBytes(32); };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy, "host VC names policy");
}

TEST_F(AppraisalTest, RefusesVcForAnotherDomain) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.domain_uuid = "00000000-0000-4000-8000-000000000000"; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy,
                 "host VC is for domain 00000000-0000-4000-8000-000000000000");
}

// --- 7. allowed hosts -----------------------------------------------------------

TEST_F(AppraisalTest, RefusesHostNotAmongPolicyHosts) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) {
    p.hosts = std::vector<std::string>{
        DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did()};
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kHostNotAllowed,
                 "is not among the policy's 1 allowed hosts");
}

TEST_F(AppraisalTest, ApprovesHostListedInPolicyHosts) {
  Scenario s;
  std::string did = world_.host_did();
  s.policy = [did](OwnerPolicy& p) { p.hosts = std::vector<std::string>{did}; };
  auto r = world_.Appraise(world_.Build(s));
  EXPECT_TRUE(r.ok()) << r.error().ToString();
}

// --- 8. the quote ---------------------------------------------------------------

TEST_F(AppraisalTest, RefusesVcWithoutTpmQuote) {
  Scenario s;
  s.after_quote = [](HostVcClaims& c) { c.tpm.present = false; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadQuote, "carries no TPM quote");
}

TEST_F(AppraisalTest, RejectsQuoteWhoseExtraDataOmitsEphemeralKey) {
  Scenario s;
  s.extra = [](const HostVcClaims& c) {
    return HostQuoteExtraData(c.nonces, Bytes(32, 0), c.config_digest);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadQuote, "quote extraData");
}

TEST_F(AppraisalTest, RejectsQuoteQualifiedByOtherNonces) {
  Scenario s;
  s.extra = [](const HostVcClaims& c) {
    std::vector<Bytes> others(c.nonces.begin(), c.nonces.end() - 1);
    return HostQuoteExtraData(others, c.ephemeral_public_key, c.config_digest);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadQuote, "quote extraData");
}

TEST_F(AppraisalTest, RefusesQuoteSignedByAnotherAk) {
  ::vouch::testing::SoftwareAk stranger;
  Scenario s;
  s.quote_signer = &stranger;
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kBadQuote, "");
}

TEST_F(AppraisalTest, RefusesClaimedPcrValueThatWasNotQuoted) {
  Scenario s;
  s.after_quote = [](HostVcClaims& c) {
    c.tpm.pcrs[0] = RandomBytes(32);
    c.boot_hash = BootHash(c.tpm.pcrs);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch, "");
}

TEST_F(AppraisalTest, RefusesQuoteThatLeavesOutAPolicyPcr) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) { p.pcrs = {0, 7, 16}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 "PCR 16 is required by the policy but not in the quote");
}

TEST_F(AppraisalTest, RefusesRegisteredAkThatIsNotAnAk) {
  world_.directory().Put(
      HostRecord{world_.host_did(), Bytes{0x00, 0x01, 0x02}, true, {world_.ours().did()}, false, ""});
  EXPECT_REFUSED(world_.Appraise(world_.Build()), Code::kBadQuote, "registered AK of host");
}

// --- 9, 10. boot hash and reference PCRs ----------------------------------------

TEST_F(AppraisalTest, RefusesBootHashThatDoesNotMatchQuotedPcrs) {
  Scenario s;
  s.after_quote = [](HostVcClaims& c) { c.boot_hash = RandomBytes(32); };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 "does not match the quoted PCRs");
}

TEST_F(AppraisalTest, RefusesBootHashNotAmongReferences) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) { p.reference_boot = {RandomBytes(32), RandomBytes(32)}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 "is not one of the policy's 2 reference boot hashes");
}

TEST_F(AppraisalTest, ApprovesBootHashListedAsReference) {
  Scenario s;
  Bytes boot = BootHash(world_.pcr_values());
  s.policy = [boot](OwnerPolicy& p) { p.reference_boot = {RandomBytes(32), boot}; };
  auto r = world_.Appraise(world_.Build(s));
  EXPECT_TRUE(r.ok()) << r.error().ToString();
}

TEST_F(AppraisalTest, RefusesPcrThatDiffersFromReference) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) { p.reference_pcrs[7] = {RandomBytes(32), RandomBytes(32)}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 "PCR 7 differs from reference");
}

TEST_F(AppraisalTest, ApprovesPcrMatchingAnyListedReference) {
  Scenario s;
  Bytes seven = world_.pcr_values().at(7);
  s.policy = [seven](OwnerPolicy& p) { p.reference_pcrs[7] = {RandomBytes(32), seven}; };
  auto r = world_.Appraise(world_.Build(s));
  EXPECT_TRUE(r.ok()) << r.error().ToString();
}

// --- 8. the firmware event log (vouch.evlog) replays to the quote --------------

// "0123456789abcdef…": how a reason shows a value.
std::string ShortHex(const Bytes& b) { return HexEncode(ByteView(b).first(8)) + "…"; }

// A request whose quote covers PCRs 0 and 7 with exactly the values the
// fixture log `log` replays to, sending `sent` as the event log (its
// SHA-256 in the VC's vouch.evlog).
Scenario WithEventLog(const vouch::testing::FixtureEventLog& log, Bytes sent) {
  std::map<uint32_t, Bytes> quoted = vouch::testing::ReplayedValues(log, {0, 7});
  Scenario s;
  s.policy = [quoted](OwnerPolicy& p) { p.reference_pcrs[7] = {quoted.at(7)}; };
  s.claims = [quoted](HostVcClaims& c) { c.tpm.pcrs = quoted; };
  s.event_log = std::move(sent);
  return s;
}

// A host sending another log than the one its VC names, or a log its VC
// does not name, or none for a VC that names one.
TEST_F(AppraisalTest, TheEventLogSentMustBeTheOneTheVcNames) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-arch-linux.bin");
  Scenario swapped = WithEventLog(log, log.bytes);
  swapped.event_log_sent = vouch::testing::WithFirstDigestChanged(log, 7);
  EXPECT_REFUSED(world_.Appraise(world_.Build(swapped)), Code::kMalformed,
                 StrCat("the event log sent has SHA-256 ", ShortHex(ToBytes(Sha256(*swapped.event_log_sent))),
                        ", not the host VC's 'vouch.evlog' ", ShortHex(ToBytes(Sha256(log.bytes)))));
  Scenario unnamed = WithEventLog(log, {});
  unnamed.event_log_sent = log.bytes;
  EXPECT_REFUSED(world_.Appraise(world_.Build(unnamed)), Code::kMalformed,
                 "the request carries an event log, but the host VC has no 'vouch.evlog' digest");
  Scenario withheld = WithEventLog(log, log.bytes);
  withheld.event_log_sent = Bytes{};
  EXPECT_REFUSED(world_.Appraise(world_.Build(withheld)), Code::kMalformed,
                 "the host VC names an event log ('vouch.evlog'), but the request carries none");
}

TEST_F(AppraisalTest, ApprovesAnEventLogThatReplaysToTheQuote) {
  for (const char* name : {"event-arch-linux.bin", "event-gce-ubuntu-2104-log.bin"}) {
    vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog(name);
    auto r = world_.Appraise(world_.Build(WithEventLog(log, log.bytes)));
    EXPECT_TRUE(r.ok()) << name << ": " << r.error().ToString();
  }
}

TEST_F(AppraisalTest, RefusesAnEventLogWithOneDigestChangedNamingItsPcr) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-arch-linux.bin");
  Bytes changed = vouch::testing::WithFirstDigestChanged(log, 7);
  auto replayed = ReplayEventLog(*ParseEventLog(changed));
  ASSERT_TRUE(replayed.ok());
  EXPECT_REFUSED(world_.Appraise(world_.Build(WithEventLog(log, changed))), Code::kPcrMismatch,
                 StrCat("event log does not match the quote: PCR 7 replays to ",
                        ShortHex(replayed->at("sha256").at(7)), ", quoted ",
                        ShortHex(log.sha256.at(7))));
}

// The validator prepares a log once (DigestCache) but holds it to each
// request's own quote: a host that sent a good log once cannot reuse it
// under a quote of another boot.
TEST_F(AppraisalTest, ALogSeenBeforeIsStillHeldToEachRequestsQuote) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-arch-linux.bin");
  auto first = world_.Appraise(world_.Build(WithEventLog(log, log.bytes)));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  Scenario other_boot = WithEventLog(log, log.bytes);
  Bytes seven = ToBytes(Sha256(AsBytes("another boot")));
  auto claims = other_boot.claims;
  other_boot.claims = [claims, seven](HostVcClaims& c) {
    claims(c);
    c.tpm.pcrs[7] = seven;
  };
  other_boot.policy = [seven](OwnerPolicy& p) { p.reference_pcrs[7] = {seven}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(other_boot)), Code::kPcrMismatch,
                 StrCat("event log does not match the quote: PCR 7 replays to ", ShortHex(log.sha256.at(7)),
                        ", quoted ", ShortHex(seven)));
  auto again = world_.Appraise(world_.Build(WithEventLog(log, log.bytes)));
  EXPECT_TRUE(again.ok()) << again.error().ToString();
}

// A quoted PCR the log never extends must hold its initial value (zeros).
TEST_F(AppraisalTest, RefusesAQuotedPcrTheLogNeverExtendsUnlessItIsZero) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-arch-linux.bin");
  ASSERT_EQ(log.sha256.count(16), 0u);
  Scenario s = WithEventLog(log, log.bytes);
  Bytes sixteen = ToBytes(Sha256(AsBytes("debug")));
  auto claims = s.claims;
  s.claims = [claims, sixteen](HostVcClaims& c) {
    claims(c);
    c.tpm.pcrs[16] = sixteen;
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 StrCat("PCR 16 replays to ", ShortHex(Bytes(32, 0)), ", quoted ", ShortHex(sixteen)));
  s.claims = [claims](HostVcClaims& c) {
    claims(c);
    c.tpm.pcrs[16] = Bytes(32, 0);
  };
  auto r = world_.Appraise(world_.Build(s));
  EXPECT_TRUE(r.ok()) << r.error().ToString();
}

TEST_F(AppraisalTest, RefusesAnEventLogThatDoesNotParse) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-arch-linux.bin");
  Bytes cut(log.bytes.begin(), log.bytes.begin() + 100);
  EXPECT_REFUSED(world_.Appraise(world_.Build(WithEventLog(log, ToBytes("not an event log")))),
                 Code::kMalformed, "the event log sent is not a firmware event log: event log");
  EXPECT_REFUSED(world_.Appraise(world_.Build(WithEventLog(log, cut))), Code::kMalformed,
                 "the event log sent is not a firmware event log");
}

TEST_F(AppraisalTest, RefusesASha1EventLogAgainstASha256Quote) {
  vouch::testing::FixtureEventLog sha256 = vouch::testing::LoadFixtureEventLog("event-arch-linux.bin");
  Bytes sha1 = vouch::testing::LoadFixtureEventLog("event-uefi-sha1-log.bin").bytes;
  EXPECT_REFUSED(world_.Appraise(world_.Build(WithEventLog(sha256, sha1))), Code::kMalformed,
                 "has no SHA-256 digests");
}

// --- 9. platform classes: the log against the ledger's boot references ------

// A request carrying the gce log, quoting exactly what it replays to on
// PCRs 0–7, under a policy that names platform class "gce".
Scenario OnPlatform(const vouch::testing::FixtureEventLog& log, Bytes sent,
                    std::vector<std::string> platforms = {"gce"}) {
  std::map<uint32_t, Bytes> quoted = vouch::testing::ReplayedValues(log, {0, 1, 2, 3, 4, 5, 6, 7});
  Scenario s;
  s.policy = [platforms](OwnerPolicy& p) {
    p.pcrs = {0, 1, 2, 3, 4, 5, 6, 7};
    p.reference_pcrs.clear();  // classes instead of pasted hashes
    p.reference_boot.clear();
    p.platforms = platforms;
  };
  s.claims = [quoted](HostVcClaims& c) { c.tpm.pcrs = quoted; };
  s.event_log = std::move(sent);
  return s;
}

BootReference Proposed(const Bytes& log, const char* name, std::vector<uint32_t> pcrs) {
  auto ref = ProposeBootReference(*ParseEventLog(log), "gce", name, std::move(pcrs));
  EXPECT_TRUE(ref.ok()) << ref.error().ToString();
  return ref.ok() ? *ref : BootReference{};
}

// Issue 13's update story, at the appraisal: a domain sealed to a class
// starts on a host whose kernel changed once the class lists the new kernel,
// with no re-seal; withdrawing the old kernel refuses a host still on it.
TEST_F(AppraisalTest, APlatformClassFollowsAKernelUpdateWithoutAReseal) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  Bytes updated = vouch::testing::WithEventDigestChanged(log, 23);  // PCR 4: the boot loader
  vouch::testing::FixtureEventLog updated_log = log;
  updated_log.bytes = updated;
  updated_log.parsed = *ParseEventLog(updated);
  updated_log.sha256 = ReplayEventLog(updated_log.parsed)->at("sha256");

  world_.directory().PutReference(Proposed(log.bytes, "firmware", {0, 1, 2, 3, 5, 6, 7}));
  world_.directory().PutReference(Proposed(log.bytes, "kernel-old", {4}));
  auto before = world_.Appraise(world_.Build(OnPlatform(log, log.bytes)));
  EXPECT_TRUE(before.ok()) << before.error().ToString();
  std::string new_digest = HexEncode(updated_log.parsed.events.at(22).digests.at(1).digest);
  EXPECT_REFUSED(world_.Appraise(world_.Build(OnPlatform(updated_log, updated))), Code::kPcrMismatch,
                 "boot refused: event 23: PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION: sha256 " + new_digest +
                     " matches no rule of platform class gce");

  world_.directory().PutReference(Proposed(updated, "kernel-new", {4}));
  auto after = world_.Appraise(world_.Build(OnPlatform(updated_log, updated)));
  EXPECT_TRUE(after.ok()) << after.error().ToString();
  auto old_still = world_.Appraise(world_.Build(OnPlatform(log, log.bytes)));
  EXPECT_TRUE(old_still.ok()) << old_still.error().ToString();

  world_.directory().PutReference({"gce", "kernel-old", {}, {}, true});
  EXPECT_REFUSED(world_.Appraise(world_.Build(OnPlatform(log, log.bytes))), Code::kPcrMismatch,
                 "boot refused: event 23: PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION");
}

TEST_F(AppraisalTest, APlatformPolicyWithoutAnEventLogIsRefused) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  world_.directory().PutReference(Proposed(log.bytes, "all", {}));
  EXPECT_REFUSED(world_.Appraise(world_.Build(OnPlatform(log, Bytes{}))), Code::kPcrMismatch,
                 "the policy appraises the boot by platform class gce, but the host VC carries no event log");
}

TEST_F(AppraisalTest, AClassWithNoReferenceValuesAllowsNothing) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  EXPECT_REFUSED(world_.Appraise(world_.Build(OnPlatform(log, log.bytes))), Code::kPcrMismatch,
                 "boot refused: platform class gce has no reference values on the ledger");
}

// Events on a PCR the quote leaves out prove nothing: a class governing one
// is refused even if the log looks right.
TEST_F(AppraisalTest, AClassGoverningAPcrOutsideTheQuoteIsRefused) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  world_.directory().PutReference(Proposed(log.bytes, "all", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14}));
  EXPECT_REFUSED(world_.Appraise(world_.Build(OnPlatform(log, log.bytes))), Code::kPcrMismatch,
                 "platform class gce governs PCR 8, which the quote does not cover");
}

TEST_F(AppraisalTest, OneOfThePolicysClassesSuffices) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  world_.directory().PutReference(Proposed(log.bytes, "all", {}));
  auto r = world_.Appraise(world_.Build(OnPlatform(log, log.bytes, {"other", "gce"})));
  // "all" governs PCRs 8+ too, beyond the quote: propose on 0-7 instead.
  EXPECT_FALSE(r.ok());
  world_.directory().PutReference({"gce", "all", {}, {}, true});
  world_.directory().PutReference(Proposed(log.bytes, "firmware", {0, 1, 2, 3, 4, 5, 6, 7}));
  auto ok = world_.Appraise(world_.Build(OnPlatform(log, log.bytes, {"other", "gce"})));
  EXPECT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_REFUSED(world_.Appraise(world_.Build(OnPlatform(log, log.bytes, {"other"}))), Code::kPcrMismatch,
                 "boot refused: platform class other has no reference values on the ledger");
}

// --- 11. hypervisor versions ----------------------------------------------------

TEST_F(AppraisalTest, RefusesHypervisorOlderThanMinimum) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.hypervisor.qemu = "6.2.0"; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kHvVersion,
                 "qemu 6.2.0 is older than the policy's minimum 7.0");
}

TEST_F(AppraisalTest, ComparesVersionsNumerically) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) { p.hv_min["qemu"] = "7.10"; };
  s.claims = [](HostVcClaims& c) { c.hypervisor.qemu = "7.9.1"; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kHvVersion, "qemu 7.9.1 is older");
}

TEST_F(AppraisalTest, RefusesHypervisorThatDoesNotStateAVersion) {
  Scenario s;
  s.claims = [](HostVcClaims& c) { c.hypervisor.libvirt = ""; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kHvVersion,
                 "does not state its libvirt version");
}

// --- 12. runtime configuration --------------------------------------------------

TEST_F(AppraisalTest, RefusesMemoryOverPolicyMaximum) {
  Scenario s;
  s.domain = [](qemu::DomainConfig& d) { d.memory_kib = 2097152; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kConfig,
                 "memory 2097152 KiB exceeds the policy's memory_kib_max of 1048576 KiB");
}

TEST_F(AppraisalTest, RefusesVcpusOverPolicyMaximum) {
  Scenario s;
  s.domain = [](qemu::DomainConfig& d) { d.vcpus = 8; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kConfig,
                 "vcpus 8 exceeds the policy's vcpus_max of 2");
}

TEST_F(AppraisalTest, RefusesNetworkNotAllowed) {
  Scenario s;
  s.domain = [](qemu::DomainConfig& d) {
    d.interfaces.push_back(d.interfaces[0]);
    d.interfaces.back().source = "dmz";
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kConfig,
                 "network 'dmz' is not in the policy's nets_allowed");
}

TEST_F(AppraisalTest, RefusesDeviceNotAllowed) {
  Scenario s;
  s.domain = [](qemu::DomainConfig& d) { d.devices = {"usb-host", "virtio-rng"}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kConfig,
                 "device 'usb-host' is not in the policy's devices_allowed");
}

TEST_F(AppraisalTest, AnyDeviceWhenPolicyListsNone) {
  Scenario s;
  s.policy = [](OwnerPolicy& p) { p.rt.devices_allowed.reset(); };
  s.domain = [](qemu::DomainConfig& d) { d.devices = {"usb-host"}; };
  auto r = world_.Appraise(world_.Build(s));
  EXPECT_TRUE(r.ok()) << r.error().ToString();
}

// The host shows the validators one domain while its quote binds another.
TEST_F(AppraisalTest, RefusesADomainConfigTheQuoteDoesNotBind) {
  Scenario s;
  s.after_quote = [](HostVcClaims& c) {
    qemu::DomainConfig shown = AttestWorld::BaseDomain();
    shown.os.cmdline = "console=ttyS0 quiet";
    c.domain_config = qemu::CanonicalConfigBytes(shown);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kConfig, "is not the one its quote binds");
}

TEST_F(AppraisalTest, RefusesADomainConfigThatDoesNotDecode) {
  Scenario s;
  s.claims = [](HostVcClaims& c) {
    c.domain_config = {0xa0};  // an empty map
    c.config_digest = ToBytes(Sha256(c.domain_config));
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kMalformed, "host VC claim 'vouch.dom'");
}

// A domain changed after sealing, each way the issue names: refused by the
// validator under the limits `vouch seal` pins.
TEST_F(AppraisalTest, RefusesADomainOutsideThePinnedLaunchPolicy) {
  auto pinned = [](OwnerPolicy& p) { p.rt = qemu::PinnedLimitsOf(AttestWorld::BaseDomain()); };
  Scenario same;
  same.policy = pinned;
  auto ok = world_.Appraise(world_.Build(same));
  EXPECT_TRUE(ok.ok()) << ok.error().ToString();
  struct Case {
    std::function<void(qemu::DomainConfig&)> change;
    std::string reason;
  } cases[] = {
      {[](qemu::DomainConfig& d) { d.os.kernel = "/tmp/vmlinuz"; }, "boot kernel '/tmp/vmlinuz'"},
      {[](qemu::DomainConfig& d) {
         d.disks.push_back(d.disks[0]);
         d.disks.back().target_dev = "vdb";
         d.disks.back().source = "/tmp/copy.img";
         d.disks.back().encryption_format.clear();
       },
       "disk 'disk:vdb:none:/tmp/copy.img' is not in the policy's disks_allowed"},
      {[](qemu::DomainConfig& d) { d.qemu_args = {"-gdb", "tcp::1234"}; }, "<qemu:commandline> arguments"},
      {[](qemu::DomainConfig& d) { d.emulator = "/tmp/qemu"; }, "emulator '/tmp/qemu'"},
  };
  for (const Case& c : cases) {
    Scenario s;
    s.policy = pinned;
    s.domain = c.change;
    EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kConfig, c.reason);
  }
}

// --- 13. the share --------------------------------------------------------------

TEST_F(AppraisalTest, RefusesShareSealedToAnotherValidator) {
  Scenario s;
  const auto& other = world_.validators()[2];
  const auto& share = world_.shares()[AttestWorld::kOurs];
  s.share = [&](const SignedPolicy& p) {
    return *SealShareForValidator(other.hpke_key().public_key(), testing::kDomain, p.digest(),
                                  share);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy,
                 "sealed share does not open with this validator's key");
}

TEST_F(AppraisalTest, RefusesShareSealedUnderAnotherPolicy) {
  Scenario s;
  const auto& ours = world_.ours();
  const auto& share = world_.shares()[AttestWorld::kOurs];
  s.share = [&](const SignedPolicy&) {
    return *SealShareForValidator(ours.hpke_key().public_key(), testing::kDomain,
                                  PolicyDigest::Of(RandomBytes(8)), share);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy,
                 "sealed share does not open");
}

TEST_F(AppraisalTest, RefusesShareThatDoesNotMatchCommitment) {
  // Sealed correctly to this validator, but it is validator 2's share.
  Scenario s;
  const auto& ours = world_.ours();
  const auto& wrong = world_.shares()[2];
  s.share = [&](const SignedPolicy& p) {
    return *SealShareForValidator(ours.hpke_key().public_key(), testing::kDomain, p.digest(),
                                  wrong);
  };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kNotInPolicy,
                 "sealed share does not match the policy's commitment for validator 1");
}

TEST_F(AppraisalTest, RefusesShareThatIsNotEncAndCiphertext) {
  Scenario s;
  s.share = [](const SignedPolicy&) { return Bytes{0xa0}; };
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kMalformed, "sealed share");
}

// --- fault injection ------------------------------------------------------------

TEST_F(AppraisalTest, WrongShareFaultReleasesAShareThatFailsTheCommitment) {
  AppraisalOptions o;
  o.fault = Fault::kWrongShare;
  world_.SetOptions(o);
  Built b = world_.Build();
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  auto vc = HostVc::Parse(b.vc);
  auto share = OpenShareAsHost(b.ephemeral, b.claims.cti, vc->Digest(), approval->sealed_share);
  ASSERT_TRUE(share.ok());
  EXPECT_NE(ShareCommitment(*share), ShareCommitment(world_.shares()[AttestWorld::kOurs]));
}

TEST_F(AppraisalTest, BadCountersignatureFaultYieldsAnEndorsementThatDoesNotVerify) {
  AppraisalOptions o;
  o.fault = Fault::kBadCountersignature;
  world_.SetOptions(o);
  Built b = world_.Build();
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  auto vc = HostVc::Parse(b.vc);
  auto cs = Countersignature::Parse(approval->endorsement);
  ASSERT_TRUE(cs.ok()) << cs.error().ToString();
  auto e = VerifyEndorsement(*vc, *cs);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), Code::kBadSignature);
}

TEST_F(AppraisalTest, RefuseAllFaultRefusesAValidRequest) {
  AppraisalOptions o;
  o.fault = Fault::kRefuseAll;
  world_.SetOptions(o);
  EXPECT_REFUSED(world_.Appraise(world_.Build()), Code::kUnavailable, "--fault=refuse-all");
}

}  // namespace
}  // namespace vouch::validator
