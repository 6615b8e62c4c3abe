#include "vouch/validator/metrics.h"

#include <algorithm>

#include "vouch/core/version.h"

namespace vouch::validator {
namespace {

constexpr std::string_view kEndpoints[] = {"challenge",  "attest", "reattest", "enroll",
                                           "ledger-append", "stop", "checkpoint", "status", "status-list",
                                           "metrics",    "dashboard", "other"};
constexpr std::string_view kLimits[] = {"challenge-rate", "peer-connections", "queue",
                                        "request-deadline"};
constexpr std::string_view kEnrollmentResults[] = {"challenged", "certified", "refused"};

// A label value: backslash, quote and newline escaped (text format 0.0.4).
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\' || ch == '"') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out;
}

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += StrCat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

// One series per label value in `known` (zero if never counted), so a rate
// over them exists before the first event.
template <typename Known>
void CountsByLabel(std::string& out, std::string_view name, std::string_view label, const Known& known,
                   const std::map<std::string, uint64_t>& counts) {
  for (std::string_view value : known) {
    auto it = counts.find(std::string(value));
    out += StrCat(name, "{", label, "=\"", LabelValue(value), "\"} ", it == counts.end() ? 0 : it->second, "\n");
  }
}

}  // namespace

std::string_view KnownEndpoint(std::string_view endpoint) {
  bool known = std::find(std::begin(kEndpoints), std::end(kEndpoints), endpoint) != std::end(kEndpoints);
  return known ? endpoint : "other";
}

void Metrics::CountRequest(std::string_view endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.requests[std::string(KnownEndpoint(endpoint))];
}

void Metrics::ObserveRequest(std::string_view endpoint, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  request_seconds_[std::string(KnownEndpoint(endpoint))].Observe(seconds);
}

void Metrics::CountHttpRefusal(std::string_view endpoint, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.http_refusals[{std::string(KnownEndpoint(endpoint)), status}];
}

void Metrics::RecordApproval(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.approvals;
  ++counts_.appraisals;
  counts_.appraisal_seconds_sum += seconds;
  appraisal_seconds_.Observe(seconds);
}

void Metrics::RecordRefusal(Code code, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.refusals[std::string(CodeName(code))];
  ++counts_.appraisals;
  counts_.appraisal_seconds_sum += seconds;
  appraisal_seconds_.Observe(seconds);
}

void Metrics::CountEnrollment(std::string_view result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.enrollments[std::string(result)];
}

void Metrics::CountSkippedLedgerEntry() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.ledger_skipped_entries;
}

void Metrics::CountLimited(std::string_view limit) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.limited[std::string(limit)];
}

MetricsSnapshot Metrics::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  const MetricsSnapshot& s = counts_;
  std::string out;
  Family(out, "vouchd_build_info", "gauge", "The vouchd version, as the label; always 1.");
  out += StrCat("vouchd_build_info{version=\"", LabelValue(kVersion), "\"} 1\n");
  Family(out, "vouchd_requests_total", "counter", "HTTP requests received, by endpoint.");
  CountsByLabel(out, "vouchd_requests_total", "endpoint", kEndpoints, s.requests);
  Family(out, "vouchd_request_duration_seconds", "histogram",
         "Time to handle one routed request, from its body read to its answer built, by endpoint.");
  for (const auto& [endpoint, h] : request_seconds_) {
    h.Render("vouchd_request_duration_seconds", StrCat("endpoint=\"", LabelValue(endpoint), "\""), out);
  }
  Family(out, "vouchd_http_refusals_total", "counter",
         "Requests answered with an HTTP status >= 400, by endpoint and status.");
  for (const auto& [key, n] : s.http_refusals) {
    out += StrCat("vouchd_http_refusals_total{endpoint=\"", LabelValue(key.first), "\",status=\"", key.second,
                  "\"} ", n, "\n");
  }
  Family(out, "vouchd_approvals_total", "counter", "Attestations and re-attestations endorsed.");
  out += StrCat("vouchd_approvals_total ", s.approvals, "\n");
  Family(out, "vouchd_refusals_total", "counter", "Attestations and re-attestations refused, by refusal code.");
  for (const auto& [code, n] : s.refusals) {
    out += StrCat("vouchd_refusals_total{code=\"", LabelValue(code), "\"} ", n, "\n");
  }
  Family(out, "vouchd_appraisal_seconds", "histogram", "Time to appraise one attestation or re-attestation.");
  appraisal_seconds_.Render("vouchd_appraisal_seconds", "", out);
  Family(out, "vouchd_enrollments_total", "counter",
         "AK enrollment steps: challenged (begin answered), certified (finish), refused.");
  CountsByLabel(out, "vouchd_enrollments_total", "result", kEnrollmentResults, s.enrollments);
  Family(out, "vouchd_ledger_skipped_entries_total", "counter",
         "Ledger entries passed over as junk (logged with their index).");
  out += StrCat("vouchd_ledger_skipped_entries_total ", s.ledger_skipped_entries, "\n");
  Family(out, "vouchd_limited_total", "counter", "Connections and requests refused or dropped by a DoS limit.");
  CountsByLabel(out, "vouchd_limited_total", "limit", kLimits, s.limited);
  return out;
}

}  // namespace vouch::validator
