// vouchd's counters and latency histograms, served as Prometheus text
// (GET /metrics, format 0.0.4) and in the status document (GET /v1/status):
//
//   vouchd_build_info{version="…"} 1                 vouch/core/version.h
//   vouchd_requests_total{endpoint}                  every request routed, by endpoint (below)
//   vouchd_request_duration_seconds{endpoint}        histogram: a routed request's handling,
//                                                    body read to answer built
//   vouchd_http_refusals_total{endpoint,status}      every answer >= 400 to a request that was
//                                                    read: 400, 403, 404, 408, 409, 413, 415,
//                                                    429, 501, 503, … (the connection-level
//                                                    refusals of a limit are vouchd_limited_total)
//   vouchd_approvals_total                           attestations and re-attestations endorsed
//   vouchd_refusals_total{code}                      … refused, by refusal code
//   vouchd_appraisal_seconds                         histogram: one appraisal, decoded to decided
//   vouchd_enrollments_total{result}                 AK enrollment steps: challenged (begin
//                                                    answered), certified (finish), refused
//   vouchd_ledger_skipped_entries_total              junk entries the ledger reader passed over
//   vouchd_limited_total{limit}                      DoS limits (server.h): challenge-rate,
//                                                    peer-connections, queue, request-deadline
//
// Endpoints: challenge, attest, reattest, enroll, ledger-append, stop,
// checkpoint, status, metrics, dashboard, other. The ledger's gauges are
// ledger_health.h's. Thread-safe.
#ifndef VOUCH_VALIDATOR_METRICS_H_
#define VOUCH_VALIDATOR_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "vouch/core/errors.h"
#include "vouch/core/histogram.h"

namespace vouch::validator {

struct MetricsSnapshot {
  std::map<std::string, uint64_t> requests;  // endpoint → count
  std::map<std::pair<std::string, int>, uint64_t> http_refusals;  // (endpoint, status) → count
  uint64_t approvals = 0;
  std::map<std::string, uint64_t> refusals;  // code name → count
  uint64_t appraisals = 0;
  double appraisal_seconds_sum = 0;
  std::map<std::string, uint64_t> enrollments;  // result → count
  uint64_t ledger_skipped_entries = 0;
  std::map<std::string, uint64_t> limited;  // limit → refusals
};

class Metrics {
 public:
  // `endpoint` is one of the label values above; others count as "other".
  void CountRequest(std::string_view endpoint);
  void ObserveRequest(std::string_view endpoint, double seconds);
  void CountHttpRefusal(std::string_view endpoint, int status);
  void RecordApproval(double seconds);
  void RecordRefusal(Code code, double seconds);
  // `result`: "challenged", "certified" or "refused".
  void CountEnrollment(std::string_view result);
  void CountSkippedLedgerEntry();
  // `limit` is one of the vouchd_limited_total label values above.
  void CountLimited(std::string_view limit);

  MetricsSnapshot Snapshot() const;
  // Prometheus text exposition format 0.0.4, every family above.
  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mu_;
  MetricsSnapshot counts_;
  Histogram appraisal_seconds_;
  std::map<std::string, Histogram> request_seconds_;  // by endpoint
};

// `endpoint` if it is one of the endpoint label values above, else "other".
std::string_view KnownEndpoint(std::string_view endpoint);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_METRICS_H_
