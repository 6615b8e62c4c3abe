// The ledger as this validator last read it (DESIGN §4 "Monitoring"): its
// head, whether reading it works, and the revocations it holds; for the
// dashboard, GET /v1/status and these Prometheus gauges:
//
//   vouchd_ledger_head_index                     index of the last entry read
//   vouchd_ledger_synced                         1 if the last sync verified, else 0
//   vouchd_ledger_last_sync_timestamp_seconds    when a sync last verified (0: never)
//   vouchd_ledger_sync_lag_seconds               now minus that: vouchd syncs every few
//                                                seconds, so a growing lag is a ledger it
//                                                cannot read (fail closed: no releases)
//   vouchd_ledger_sync_failures_total            syncs that failed
//   vouchd_ledger_revocations                    effective revocations on the ledger
#ifndef VOUCH_VALIDATOR_LEDGER_HEALTH_H_
#define VOUCH_VALIDATOR_LEDGER_HEALTH_H_

#include <cstdint>
#include <string>
#include <vector>

namespace vouch::validator {

struct RevocationSummary {
  std::string subject;  // a DID or "cti:<hex>"
  std::string reason;
  uint64_t index = 0;   // the entry that made it effective
};

struct LedgerHealth {
  uint64_t entries = 0;      // entries read (applied or skipped)
  uint64_t head_index = 0;   // entries - 1 (0 when empty)
  std::string head_digest_hex;
  bool synced = false;       // the last sync verified
  int64_t last_sync_at = 0;  // seconds since the epoch of the last verified sync; 0: never
  std::string last_error;    // the last failed sync's error; "" if none since start
  int64_t last_error_at = 0;
  uint64_t sync_failures = 0;
  uint64_t revocations = 0;
  std::vector<RevocationSummary> latest_revocations;  // newest first, at most kLatestRevocations
};

inline constexpr size_t kLatestRevocations = 10;

class LedgerHealthSource {
 public:
  virtual ~LedgerHealthSource() = default;
  // As of the last sync; does not sync. Thread-safe.
  virtual LedgerHealth Health() = 0;
};

// The gauges above, as Prometheus text 0.0.4; the lag is `now` (seconds
// since the epoch) minus last_sync_at, or NaN before the first sync.
std::string RenderLedgerPrometheus(const LedgerHealth& health, int64_t now);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LEDGER_HEALTH_H_
