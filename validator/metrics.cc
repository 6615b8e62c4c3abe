#include "vouch/validator/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vouch::validator {
namespace {

constexpr std::string_view kEndpoints[] = {"challenge", "attest",  "reattest",  "enroll",
                                           "status",    "metrics", "dashboard", "other"};
constexpr std::string_view kLimits[] = {"challenge-rate", "peer-connections", "queue",
                                        "request-deadline"};

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::CountRequest(std::string_view endpoint) {
  bool known =
      std::find(std::begin(kEndpoints), std::end(kEndpoints), endpoint) != std::end(kEndpoints);
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.requests[std::string(known ? endpoint : "other")];
}

void Metrics::RecordLatency(double seconds) {
  ++counts_.appraisals;
  counts_.appraisal_seconds_sum += seconds;
  if (window_.size() < kLatencyWindow) {
    window_.push_back(seconds);
  } else {
    window_[next_] = seconds;
    next_ = (next_ + 1) % kLatencyWindow;
  }
}

void Metrics::RecordApproval(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.approvals;
  RecordLatency(seconds);
}

void Metrics::RecordRefusal(Code code, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.refusals[std::string(CodeName(code))];
  RecordLatency(seconds);
}

MetricsSnapshot Metrics::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void Metrics::CountSkippedLedgerEntry() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.ledger_skipped_entries;
}

void Metrics::CountLimited(std::string_view limit) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.limited[std::string(limit)];
}

std::string Metrics::RenderPrometheus() const {
  MetricsSnapshot s;
  std::vector<double> window;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = counts_;
    window = window_;
  }
  std::sort(window.begin(), window.end());
  std::string out;
  out += "# HELP vouchd_requests_total HTTP requests received, by endpoint.\n";
  out += "# TYPE vouchd_requests_total counter\n";
  for (std::string_view e : kEndpoints) {
    auto it = s.requests.find(std::string(e));
    out += StrCat("vouchd_requests_total{endpoint=\"", e, "\"} ",
                  it == s.requests.end() ? 0 : it->second, "\n");
  }
  out += "# HELP vouchd_approvals_total Attestations approved (share released).\n";
  out += "# TYPE vouchd_approvals_total counter\n";
  out += StrCat("vouchd_approvals_total ", s.approvals, "\n");
  out += "# HELP vouchd_refusals_total Attestations refused, by refusal code.\n";
  out += "# TYPE vouchd_refusals_total counter\n";
  for (const auto& [code, n] : s.refusals) {
    out += StrCat("vouchd_refusals_total{code=\"", code, "\"} ", n, "\n");
  }
  out += "# HELP vouchd_ledger_skipped_entries_total Ledger entries passed over as junk (logged with their index).\n";
  out += "# TYPE vouchd_ledger_skipped_entries_total counter\n";
  out += StrCat("vouchd_ledger_skipped_entries_total ", s.ledger_skipped_entries, "\n");
  out += "# HELP vouchd_limited_total Connections and requests refused or dropped by a DoS limit.\n";
  out += "# TYPE vouchd_limited_total counter\n";
  for (std::string_view l : kLimits) {
    auto it = s.limited.find(std::string(l));
    out += StrCat("vouchd_limited_total{limit=\"", l, "\"} ", it == s.limited.end() ? 0 : it->second,
                  "\n");
  }
  out += "# HELP vouchd_appraisal_seconds Time to appraise one attestation.\n";
  out += "# TYPE vouchd_appraisal_seconds summary\n";
  for (double q : {0.5, 0.9, 0.99}) {
    std::string value = "NaN";
    if (!window.empty()) {
      size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(window.size())));
      value = Number(window[std::clamp<size_t>(rank, 1, window.size()) - 1]);
    }
    out += StrCat("vouchd_appraisal_seconds{quantile=\"", Number(q), "\"} ", value, "\n");
  }
  out += StrCat("vouchd_appraisal_seconds_sum ", Number(s.appraisal_seconds_sum), "\n");
  out += StrCat("vouchd_appraisal_seconds_count ", s.appraisals, "\n");
  return out;
}

}  // namespace vouch::validator
