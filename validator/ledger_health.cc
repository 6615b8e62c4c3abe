#include "vouch/validator/ledger_health.h"

#include <cmath>

#include "vouch/core/errors.h"
#include "vouch/core/histogram.h"

namespace vouch::validator {
namespace {

// One family of one unlabelled sample.
void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::string_view value) {
  out += StrCat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name, " ", value, "\n");
}

}  // namespace

std::string RenderLedgerPrometheus(const LedgerHealth& h, int64_t now) {
  std::string out;
  Family(out, "vouchd_ledger_head_index", "gauge", "Index of the last ledger entry this validator read.",
         std::to_string(h.head_index));
  Family(out, "vouchd_ledger_synced", "gauge", "1 if the last ledger sync read and verified, else 0.",
         h.synced ? "1" : "0");
  Family(out, "vouchd_ledger_last_sync_timestamp_seconds", "gauge",
         "When a ledger sync last verified, seconds since the epoch (0: never).", std::to_string(h.last_sync_at));
  double lag = h.last_sync_at == 0 ? std::nan("") : static_cast<double>(now - h.last_sync_at);
  Family(out, "vouchd_ledger_sync_lag_seconds", "gauge", "Seconds since a ledger sync last verified.",
         PrometheusNumber(lag));
  Family(out, "vouchd_ledger_sync_failures_total", "counter", "Ledger syncs that failed to read or verify.",
         std::to_string(h.sync_failures));
  Family(out, "vouchd_ledger_revocations", "gauge", "Effective revocations on the ledger.",
         std::to_string(h.revocations));
  return out;
}

}  // namespace vouch::validator
