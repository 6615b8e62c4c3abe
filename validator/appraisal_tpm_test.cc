// Appraisal of quotes made by a real TPM 2.0 (swtpm): the AK is created in
// the TPM under its endorsement key, the quote is TPM2_Quote over the
// policy's PCRs qualified by the exact extraData binding of DESIGN §4.
#include <gtest/gtest.h>

#include "measure/testing/swtpm_fixture.h"
#include "testing/attest_world.h"
#include "vouch/core/digest.h"
#include "vouch/measure/tpm.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::kNow;
using testing::Scenario;

class AppraisalTpmTest : public ::vouch::testing::SwtpmTest {
 protected:
  // Extends PCR 16 with `digest` through tpm2-tools (before any Tpm is open).
  void Extend16(const Bytes& digest) { Tool({"tpm2_pcrextend", "16:sha256=" + HexEncode(digest)}); }

  // Opens the TPM, makes an AK, registers it for the world's host, and
  // returns a scenario whose quotes come from this TPM over PCRs 0, 7, 16.
  Scenario TpmScenario() {
    auto tpm = Tpm::Open(swtpm_->tcti());
    EXPECT_TRUE(tpm.ok()) << tpm.error().ToString();
    tpm_ = std::move(tpm).value();
    auto ak = tpm_->CreateAk();
    EXPECT_TRUE(ak.ok()) << ak.error().ToString();
    ak_ = std::make_unique<Ak>(std::move(ak).value());
    world_.directory().Put(
        HostRecord{world_.host_did(), ak_->public_area().bytes(), true, {world_.ours().did()}, false, ""});
    Scenario s;
    s.quote = [this](ByteView extra) {
      auto q = tpm_->Quote(*ak_, {0, 7, 16}, extra);
      EXPECT_TRUE(q.ok()) << q.error().ToString();
      return q.ok() ? *q : TpmQuote{};
    };
    return s;
  }

  static Bytes Extended(const Bytes& old_value, const Bytes& digest) {
    return ToBytes(Sha256({old_value, digest}));
  }

  AttestWorld world_;
  std::unique_ptr<Tpm> tpm_;
  std::unique_ptr<Ak> ak_;
};

TEST_F(AppraisalTpmTest, ApprovesQuoteFromRealTpmAndReleasesShare) {
  Bytes measurement = ToBytes(Sha256(AsBytes("vouch test kernel")));
  Extend16(measurement);
  Scenario s = TpmScenario();
  Bytes pcr16 = Extended(Bytes(32, 0), measurement);
  s.policy = [pcr16](OwnerPolicy& p) {
    p.pcrs = {0, 7, 16};
    p.reference_pcrs = {{7, {Bytes(32, 0)}}, {16, {pcr16}}};
  };
  Built b = world_.Build(s);
  ASSERT_EQ(b.claims.tpm.pcrs.at(16), pcr16);
  auto approval = world_.Appraise(b);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  auto vc = HostVc::Parse(b.vc);
  ASSERT_TRUE(vc.ok());
  auto share = OpenShareAsHost(b.ephemeral, b.claims.cti, vc->Digest(), approval->sealed_share);
  ASSERT_TRUE(share.ok()) << share.error().ToString();
  EXPECT_TRUE(*share == world_.shares()[AttestWorld::kOurs]);
}

TEST_F(AppraisalTpmTest, RefusesRealQuoteWhenPcr16DriftedFromReference) {
  Bytes measurement = ToBytes(Sha256(AsBytes("vouch test kernel")));
  Extend16(measurement);
  Extend16(ToBytes(Sha256(AsBytes("something else ran"))));
  Scenario s = TpmScenario();
  Bytes expected = Extended(Bytes(32, 0), measurement);
  s.policy = [expected](OwnerPolicy& p) {
    p.pcrs = {0, 7, 16};
    p.reference_pcrs = {{16, {expected}}};
  };
  auto r = world_.Appraise(world_.Build(s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kPcrMismatch) << r.error().ToString();
  EXPECT_NE(r.error().message().find("PCR 16 differs from reference"), std::string::npos)
      << r.error().message();
}

TEST_F(AppraisalTpmTest, RefusesRealQuoteQualifiedByAnotherEphemeralKey) {
  Scenario s = TpmScenario();
  auto quote = s.quote;
  s.quote = [quote](ByteView) { return quote(ToBytes(Sha256(AsBytes("another E")))); };
  auto r = world_.Appraise(world_.Build(s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadQuote) << r.error().ToString();
  EXPECT_NE(r.error().message().find("quote extraData"), std::string::npos);
}

TEST_F(AppraisalTpmTest, RefusesRealQuoteCheckedAgainstAnotherTpmsAk) {
  Scenario s = TpmScenario();
  ::vouch::testing::SoftwareAk impostor;
  world_.directory().Put(
      HostRecord{world_.host_did(), impostor.PublicArea(), true, {world_.ours().did()}, false, ""});
  auto r = world_.Appraise(world_.Build(s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadQuote) << r.error().ToString();
}

}  // namespace
}  // namespace vouch::validator
