#include "vouch/validator/decision_log.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

TEST(DecisionLog, RefusalLineNamesCodeHostDomainPeerRequestAndQuotedReason) {
  Decision d;
  d.code = Code::kPcrMismatch;
  d.host_did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
  d.domain_uuid = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  d.reason = "PCR 7 differs from reference";
  d.milliseconds = 2.25;
  d.peer = "10.0.0.7";
  d.request_id = "9f2c4e1a0b3d5f67";
  EXPECT_EQ(FormatDecision(d),
            "vouchd: decision=refused code=pcr-mismatch "
            "host=did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK "
            "domain=5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f ms=2.2 peer=10.0.0.7 request_id=9f2c4e1a0b3d5f67 "
            "reason=\"PCR 7 differs from reference\"");
  EXPECT_EQ(DecisionLevel(d), LogLevel::kWarn);
}

TEST(DecisionLog, ApprovalLineHasNoReason) {
  Decision d;
  d.approved = true;
  d.host_did = "did:key:z6Mk";
  d.cti_hex = "00ff";
  d.index = 1;
  EXPECT_EQ(FormatDecision(d), "vouchd: decision=approved host=did:key:z6Mk cti=00ff index=1 ms=0.0");
  EXPECT_EQ(DecisionLevel(d), LogLevel::kInfo);
}

TEST(DecisionLog, ReasonCannotBreakTheLineOrForgeKeys) {
  Decision d;
  d.code = Code::kMalformed;
  d.reason = "bad\n\"vouchd: decision=approved\" \\ \x01";
  std::string line = FormatDecision(d);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line,
            "vouchd: decision=refused code=malformed ms=0.0 "
            "reason=\"bad\\n\\\"vouchd: decision=approved\\\" \\\\ \\x01\"");
}

}  // namespace
}  // namespace vouch::validator
