#include "vouch/validator/ledger_health.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

TEST(LedgerHealth, GaugesNameTheHeadTheSyncAndTheLag) {
  LedgerHealth h;
  h.entries = 12;
  h.head_index = 11;
  h.synced = true;
  h.last_sync_at = 1000;
  h.sync_failures = 3;
  h.revocations = 2;
  std::string text = RenderLedgerPrometheus(h, 1004);
  for (const char* line : {"vouchd_ledger_head_index 11\n", "vouchd_ledger_synced 1\n",
                           "vouchd_ledger_last_sync_timestamp_seconds 1000\n", "vouchd_ledger_sync_lag_seconds 4\n",
                           "vouchd_ledger_sync_failures_total 3\n", "vouchd_ledger_revocations 2\n",
                           "# TYPE vouchd_ledger_sync_lag_seconds gauge\n",
                           "# TYPE vouchd_ledger_sync_failures_total counter\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
  }
}

TEST(LedgerHealth, LagIsNaNBeforeTheFirstSync) {
  LedgerHealth h;
  std::string text = RenderLedgerPrometheus(h, 1004);
  EXPECT_NE(text.find("vouchd_ledger_sync_lag_seconds NaN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vouchd_ledger_synced 0\n"), std::string::npos);
}

}  // namespace
}  // namespace vouch::validator
