#include "vouch/core/endorsement.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"

namespace vouch {
namespace {

class EndorsementTest : public ::testing::Test {
 protected:
  Ed25519PrivateKey host_ = Ed25519PrivateKey::Generate();
  HostVc vc_ = HostVc::Issue(testing::SampleClaims(host_, Bytes(32, 5)), host_).value();
  Verdict verdict_{true, 1764000001, Bytes(32, 0xab), ToBytes(Sha256(AsBytes("policy")))};
};

TEST_F(EndorsementTest, ThreeValidatorsChainAndEachVerifies) {
  std::vector<std::string> dids;
  for (int i = 0; i < 3; ++i) {
    Ed25519PrivateKey v = Ed25519PrivateKey::Generate();
    dids.push_back(DidKey::FromPublicKey(v.public_key()).did());
    auto e = Endorse(vc_, v, verdict_);
    ASSERT_TRUE(e.ok()) << e.error().ToString();
    ASSERT_TRUE(AttachEndorsement(vc_, *e).ok());
  }
  auto reparsed = HostVc::Parse(vc_.message().Encode());
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().ToString();
  auto checks = CheckEndorsements(*reparsed);
  ASSERT_TRUE(checks.ok()) << checks.error().ToString();
  ASSERT_EQ(checks->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE((*checks)[i].status.ok()) << (*checks)[i].status.error().ToString();
    EXPECT_EQ((*checks)[i].validator_did, dids[i]);
    EXPECT_EQ((*checks)[i].verdict, verdict_);
  }
  // Endorsements do not change what shares are bound to.
  EXPECT_EQ(reparsed->Digest(), vc_.Digest());
}

TEST_F(EndorsementTest, EndorsementOfAnotherVcDoesNotVerify) {
  Ed25519PrivateKey v = Ed25519PrivateKey::Generate();
  HostVc other = HostVc::Issue(testing::SampleClaims(host_, Bytes(32, 6)), host_).value();
  Endorsement e = Endorse(other, v, verdict_).value();
  ASSERT_TRUE(AttachEndorsement(vc_, e).ok());
  auto checks = CheckEndorsements(vc_);
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 1u);
  ASSERT_FALSE((*checks)[0].status.ok());
  EXPECT_EQ((*checks)[0].status.error().code(), Code::kBadSignature);
  EXPECT_NE((*checks)[0].status.error().message().find((*checks)[0].validator_did),
            std::string::npos);
}

TEST_F(EndorsementTest, VerifyEndorsementReturnsDidAndVerdict) {
  Ed25519PrivateKey v = Ed25519PrivateKey::Generate();
  Endorsement e = Endorse(vc_, v, verdict_).value();
  auto verified = VerifyEndorsement(vc_, e.countersignature);
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_EQ(verified->validator_did, DidKey::FromPublicKey(v.public_key()).did());
  EXPECT_EQ(verified->verdict, verdict_);
}

// DESIGN §3: an endorsement's unprotected header holds "vouch.di" and
// "vouch.cose" only, each of its exact shape.
TEST_F(EndorsementTest, UnprotectedHeaderHoldsTheW3cFormsOnly) {
  Ed25519PrivateKey v = Ed25519PrivateKey::Generate();
  Endorsement e = *Endorse(vc_, v, verdict_);
  ASSERT_TRUE(e.countersignature.SetUnprotectedHeader(cbor::Value(kCarriedCoseLabel),
                                                      cbor::Value(Bytes(kCarriedCoseSignatureSize, 9)))
                  .ok());
  auto back = VerifyEndorsement(vc_, *Countersignature::Parse(e.countersignature.Encode()));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->carried_cose_signature, Bytes(kCarriedCoseSignatureSize, 9));
  EXPECT_FALSE(back->carried_proof.has_value());

  for (const auto& [label, value] : std::vector<std::pair<cbor::Value, cbor::Value>>{
           {cbor::Value("vouch.x"), cbor::Value(1)},
           {cbor::Value(kCarriedCoseLabel), cbor::Value(Bytes(65))},
           {cbor::Value(kCarriedCoseLabel), cbor::Value("sig")}}) {
    Endorsement odd = *Endorse(vc_, v, verdict_);
    ASSERT_TRUE(odd.countersignature.SetUnprotectedHeader(label, value).ok());
    auto r = VerifyEndorsement(vc_, *Countersignature::Parse(odd.countersignature.Encode()));
    ASSERT_FALSE(r.ok()) << label.ToDiagnostic();
    EXPECT_EQ(r.error().code(), Code::kMalformed) << label.ToDiagnostic();
  }
}

}  // namespace
}  // namespace vouch
