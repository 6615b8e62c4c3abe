// Signed drift verdicts (drift_verdict.h): what a host may count before it
// stops a guest, and the forgeries it must not count.
#include "vouch/core/drift_verdict.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/hpke.h"

namespace vouch {
namespace {

class DriftVerdictTest : public ::testing::Test {
 protected:
  Ed25519PrivateKey host_ = Ed25519PrivateKey::Generate();
  HostVc vc_ = HostVc::Issue(testing::SampleClaims(host_, Bytes(32, 5)), host_).value();
  Ed25519PrivateKey validator_key_ = Ed25519PrivateKey::Generate();
  std::string did_ = DidKey::FromPublicKey(validator_key_.public_key()).did();
  PolicyValidator validator_{did_, X25519PrivateKey::Generate().public_key(), "http://127.0.0.1:7401"};
  PolicyDigest policy_ = PolicyDigest::Of(AsBytes("the policy"));
};

TEST_F(DriftVerdictTest, AValidatorsSignedRefusalVerifiesForThatVcAndPolicy) {
  auto verdict = SignDriftVerdict(vc_, validator_key_, did_, 1764000000, Bytes(32, 1), policy_);
  ASSERT_TRUE(verdict.ok()) << verdict.error().ToString();
  auto signer = VerifyDriftVerdict(vc_, *verdict, validator_, policy_);
  ASSERT_TRUE(signer.ok()) << signer.error().ToString();
  EXPECT_EQ(*signer, did_);
}

TEST_F(DriftVerdictTest, AVerdictOverAnotherVcOrPolicyOrByAnotherKeyDoesNotCount) {
  auto verdict = SignDriftVerdict(vc_, validator_key_, did_, 1764000000, Bytes(32, 1), policy_);
  ASSERT_TRUE(verdict.ok());
  // Replayed onto another VC of the same host.
  HostVc other = HostVc::Issue(testing::SampleClaims(host_, Bytes(32, 6)), host_).value();
  EXPECT_FALSE(VerifyDriftVerdict(other, *verdict, validator_, policy_).ok());
  // Under another policy.
  auto moved = VerifyDriftVerdict(vc_, *verdict, validator_, PolicyDigest::Of(AsBytes("another")));
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(moved.error().message().find("not a refusal (ok = false) under this policy"), std::string::npos);
  // Signed by a key that is not this policy validator's (a network attacker's own).
  Ed25519PrivateKey stranger = Ed25519PrivateKey::Generate();
  auto forged = SignDriftVerdict(vc_, stranger, DidKey::FromPublicKey(stranger.public_key()).did(), 1764000000,
                                 Bytes(32, 1), policy_);
  ASSERT_TRUE(forged.ok());
  auto refused = VerifyDriftVerdict(vc_, *forged, validator_, policy_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("not by the policy's validator"), std::string::npos);
  // Bytes that are no countersignature at all.
  EXPECT_FALSE(VerifyDriftVerdict(vc_, AsBytes("drift!"), validator_, policy_).ok());
}

TEST_F(DriftVerdictTest, AnEndorsementIsNoDriftVerdict) {
  Verdict ok{true, 1764000000, Bytes(32, 1), ToBytes(policy_.value)};
  auto endorsement = Endorse(vc_, validator_key_, ok);
  ASSERT_TRUE(endorsement.ok());
  auto refused = VerifyDriftVerdict(vc_, endorsement->countersignature.Encode(), validator_, policy_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("not a refusal"), std::string::npos);
}

TEST(EvidenceRefusal, JudgesOnlyTheEvidenceNotTransportOrInput) {
  for (Code c : {Code::kDrift, Code::kPcrMismatch, Code::kConfig, Code::kHvVersion, Code::kRevoked}) {
    EXPECT_TRUE(IsEvidenceRefusal(c)) << CodeName(c);
  }
  for (Code c : {Code::kUnavailable, Code::kTimeout, Code::kMalformed, Code::kRateLimited, Code::kStaleNonce}) {
    EXPECT_FALSE(IsEvidenceRefusal(c)) << CodeName(c);
  }
}

}  // namespace
}  // namespace vouch
