// Appraisal of quotes made by a real TPM 2.0 (swtpm): the AK is created in
// the TPM under its endorsement key, the quote is TPM2_Quote over the
// policy's PCRs qualified by the exact extraData binding of DESIGN §4.
#include <gtest/gtest.h>

#include "measure/testing/swtpm_fixture.h"
#include "testing/attest_world.h"
#include "testing/expect_refused.h"
#include "measure/testing/fixture_event_log.h"
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

  // Extends the TPM's SHA-256 PCRs with the digest of every event of `log`
  // that extends one, in log order (before any Tpm is open): the TPM then
  // holds what the log replays to, as the firmware that wrote it left it.
  void ExtendWithLog(const vouch::testing::FixtureEventLog& log) {
    std::vector<std::string> argv = {"tpm2_pcrextend"};
    for (const LoggedEvent& e : log.parsed.events) {
      if (e.type == kEvNoAction) continue;
      for (const EventDigest& d : e.digests) {
        if (d.alg == kEventLogSha256) argv.push_back(StrCat(e.pcr, ":sha256=", HexEncode(d.digest)));
      }
    }
    ASSERT_GT(argv.size(), 30u) << "a real log of 30 or more events";
    Tool(argv);
  }

  // The firmware PCRs (0–7) `log` extends; PCR 0 only if the log starts it
  // at locality 0, as the swtpm does.
  static std::vector<uint32_t> FirmwarePcrs(const vouch::testing::FixtureEventLog& log) {
    std::vector<uint32_t> pcrs;
    for (uint32_t i = 0; i < 8; ++i) {
      if (log.sha256.count(i) != 0 && (i != 0 || log.parsed.pcr0_locality == 0)) pcrs.push_back(i);
    }
    return pcrs;
  }

  // Opens the TPM, makes an AK, registers it for the world's host, and
  // returns a scenario whose quotes come from this TPM over `pcrs`.
  Scenario TpmScenario(std::vector<uint32_t> pcrs = {0, 7, 16}) {
    auto tpm = Tpm::Open(swtpm_->tcti());
    EXPECT_TRUE(tpm.ok()) << tpm.error().ToString();
    tpm_ = std::move(tpm).value();
    auto ak = tpm_->CreateAk();
    EXPECT_TRUE(ak.ok()) << ak.error().ToString();
    ak_ = std::make_unique<Ak>(std::move(ak).value());
    world_.directory().Put(
        HostRecord{world_.host_did(), ak_->public_area().bytes(), true, {world_.ours().did()}, false, ""});
    Scenario s;
    s.quote = [this, pcrs](ByteView extra) {
      auto q = tpm_->Quote(*ak_, pcrs, extra);
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

// A real firmware log whose events the TPM was extended with, quoted by
// the TPM: the validator's replay equals the quote.
TEST_F(AppraisalTpmTest, ApprovesARealEventLogTheTpmWasExtendedWith) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  ExtendWithLog(log);
  std::vector<uint32_t> pcrs = FirmwarePcrs(log);
  ASSERT_GE(pcrs.size(), 5u);
  Scenario s = TpmScenario(pcrs);
  Bytes seven = log.sha256.at(7);
  s.policy = [pcrs, seven](OwnerPolicy& p) {
    p.pcrs = pcrs;
    p.reference_pcrs = {{7, {seven}}};
  };
  s.event_log = log.bytes;
  Built b = world_.Build(s);
  for (uint32_t pcr : pcrs) EXPECT_EQ(b.claims.tpm.pcrs.at(pcr), log.sha256.at(pcr)) << "PCR " << pcr;
  auto r = world_.Appraise(b);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
}

TEST_F(AppraisalTpmTest, RefusesARealEventLogWithOneDigestChangedNamingThePcr) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  ExtendWithLog(log);
  std::vector<uint32_t> pcrs = FirmwarePcrs(log);
  Scenario s = TpmScenario(pcrs);
  s.policy = [pcrs](OwnerPolicy& p) {
    p.pcrs = pcrs;
    p.reference_pcrs.clear();
  };
  Bytes changed = vouch::testing::WithFirstDigestChanged(log, 7);
  s.event_log = changed;
  auto replayed = ReplayEventLog(*ParseEventLog(changed));
  ASSERT_TRUE(replayed.ok());
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 StrCat("event log does not match the quote: PCR 7 replays to ",
                        HexEncode(ByteView(replayed->at("sha256").at(7)).first(8)), "…, quoted ",
                        HexEncode(ByteView(log.sha256.at(7)).first(8)), "…"));
}

// The TPM measured something the log leaves out (a component that hid its
// event): the log no longer replays to the quote.
TEST_F(AppraisalTpmTest, RefusesARealEventLogThatLeavesOutAMeasurement) {
  vouch::testing::FixtureEventLog log = vouch::testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  ExtendWithLog(log);
  Tool({"tpm2_pcrextend", "4:sha256=" + HexEncode(ToBytes(Sha256(AsBytes("an unlogged boot loader"))))});
  std::vector<uint32_t> pcrs = FirmwarePcrs(log);
  Scenario s = TpmScenario(pcrs);
  s.policy = [pcrs](OwnerPolicy& p) {
    p.pcrs = pcrs;
    p.reference_pcrs.clear();
  };
  s.event_log = log.bytes;
  EXPECT_REFUSED(world_.Appraise(world_.Build(s)), Code::kPcrMismatch,
                 StrCat("event log does not match the quote: PCR 4 replays to ",
                        HexEncode(ByteView(log.sha256.at(4)).first(8)), "…"));
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
