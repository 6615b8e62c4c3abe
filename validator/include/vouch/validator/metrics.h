// vouchd's counters, served as Prometheus text (GET /metrics) and in the
// status document (GET /v1/status):
//
//   vouchd_requests_total{endpoint="…"}   challenge, attest, reattest, enroll,
//                                         status, metrics, dashboard, other
//   vouchd_approvals_total
//   vouchd_refusals_total{code="<refusal code>"}
//   vouchd_appraisal_seconds{quantile="0.5|0.9|0.99"}, _sum, _count   (summary)
//   vouchd_ledger_skipped_entries_total   junk entries the ledger reader passed over
//   vouchd_limited_total{limit="…"}       DoS limits (server.h): challenge-rate,
//                                         peer-connections, queue, request-deadline
//
// Quantiles are over the last kLatencyWindow appraisals. Thread-safe.
#ifndef VOUCH_VALIDATOR_METRICS_H_
#define VOUCH_VALIDATOR_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::validator {

inline constexpr size_t kLatencyWindow = 1024;

struct MetricsSnapshot {
  std::map<std::string, uint64_t> requests;  // endpoint → count
  uint64_t approvals = 0;
  std::map<std::string, uint64_t> refusals;  // code name → count
  uint64_t appraisals = 0;
  double appraisal_seconds_sum = 0;
  uint64_t ledger_skipped_entries = 0;
  std::map<std::string, uint64_t> limited;  // limit → refusals
};

class Metrics {
 public:
  // `endpoint` is one of the label values above; others count as "other".
  void CountRequest(std::string_view endpoint);
  void RecordApproval(double seconds);
  void RecordRefusal(Code code, double seconds);
  void CountSkippedLedgerEntry();
  // `limit` is one of the vouchd_limited_total label values above.
  void CountLimited(std::string_view limit);

  MetricsSnapshot Snapshot() const;
  // Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;

 private:
  void RecordLatency(double seconds);  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  MetricsSnapshot counts_;
  std::vector<double> window_;  // ring of the last kLatencyWindow latencies
  size_t next_ = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_METRICS_H_
