#include "vouch/validator/metrics.h"

#include <gtest/gtest.h>

#include "vouch/core/version.h"

namespace vouch::validator {
namespace {

bool Has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(Metrics, PrometheusTextCountsRequestsApprovalsAndRefusalsByCode) {
  Metrics m;
  m.CountRequest("attest");
  m.CountRequest("attest");
  m.CountRequest("/etc/passwd");
  m.CountRequest("ledger-append");
  m.RecordApproval(0.002);
  m.RecordRefusal(Code::kPcrMismatch, 0.001);
  m.RecordRefusal(Code::kPcrMismatch, 0.003);
  m.RecordRefusal(Code::kReplay, 0.001);
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "vouchd_requests_total{endpoint=\"attest\"} 2\n")) << text;
  EXPECT_TRUE(Has(text, "vouchd_requests_total{endpoint=\"other\"} 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_requests_total{endpoint=\"ledger-append\"} 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_requests_total{endpoint=\"challenge\"} 0\n"));
  EXPECT_TRUE(Has(text, "vouchd_approvals_total 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_refusals_total{code=\"pcr-mismatch\"} 2\n"));
  EXPECT_TRUE(Has(text, "vouchd_refusals_total{code=\"replay\"} 1\n"));
}

TEST(Metrics, AppraisalLatencyIsAHistogramWithCumulativeBuckets) {
  Metrics m;
  m.RecordApproval(0.002);
  m.RecordRefusal(Code::kPcrMismatch, 0.001);
  m.RecordRefusal(Code::kPcrMismatch, 0.003);
  m.RecordRefusal(Code::kReplay, 0.001);
  m.RecordApproval(30);  // past every bound: only +Inf
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "# TYPE vouchd_appraisal_seconds histogram\n")) << text;
  EXPECT_FALSE(Has(text, "summary"));
  EXPECT_FALSE(Has(text, "quantile"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_bucket{le=\"0.001\"} 2\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_bucket{le=\"0.0025\"} 3\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_bucket{le=\"0.005\"} 4\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_bucket{le=\"10\"} 4\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_bucket{le=\"+Inf\"} 5\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_sum 30.007\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_count 5\n"));
  EXPECT_EQ(m.Snapshot().appraisals, 5u);
}

TEST(Metrics, RequestDurationIsAHistogramPerEndpoint) {
  Metrics m;
  m.ObserveRequest("attest", 0.004);
  m.ObserveRequest("status", 0.0001);
  m.ObserveRequest("nonsense", 1);
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "# TYPE vouchd_request_duration_seconds histogram\n")) << text;
  EXPECT_TRUE(Has(text, "vouchd_request_duration_seconds_bucket{endpoint=\"attest\",le=\"0.0025\"} 0\n"));
  EXPECT_TRUE(Has(text, "vouchd_request_duration_seconds_bucket{endpoint=\"attest\",le=\"0.005\"} 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_request_duration_seconds_count{endpoint=\"status\"} 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_request_duration_seconds_bucket{endpoint=\"other\",le=\"1\"} 1\n"));
  EXPECT_FALSE(Has(text, "nonsense"));
}

TEST(Metrics, HttpRefusalsAreCountedByEndpointAndStatus) {
  Metrics m;
  m.CountHttpRefusal("attest", 413);
  m.CountHttpRefusal("attest", 413);
  m.CountHttpRefusal("other", 404);
  m.CountHttpRefusal("challenge", 429);
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "# TYPE vouchd_http_refusals_total counter\n")) << text;
  EXPECT_TRUE(Has(text, "vouchd_http_refusals_total{endpoint=\"attest\",status=\"413\"} 2\n"));
  EXPECT_TRUE(Has(text, "vouchd_http_refusals_total{endpoint=\"other\",status=\"404\"} 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_http_refusals_total{endpoint=\"challenge\",status=\"429\"} 1\n"));
  EXPECT_EQ((m.Snapshot().http_refusals.at({"attest", 413})), 2u);
}

TEST(Metrics, EnrollmentsAndBuildInfo) {
  Metrics m;
  m.CountEnrollment("challenged");
  m.CountEnrollment("certified");
  m.CountEnrollment("refused");
  m.CountEnrollment("refused");
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "vouchd_enrollments_total{result=\"certified\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "vouchd_enrollments_total{result=\"refused\"} 2\n"));
  EXPECT_TRUE(Has(text, StrCat("vouchd_build_info{version=\"", kVersion, "\"} 1\n")));
}

TEST(Metrics, LimitedCountsEveryLimitByName) {
  Metrics m;
  m.CountLimited("challenge-rate");
  m.CountLimited("challenge-rate");
  m.CountLimited("queue");
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "vouchd_limited_total{limit=\"challenge-rate\"} 2\n")) << text;
  EXPECT_TRUE(Has(text, "vouchd_limited_total{limit=\"queue\"} 1\n"));
  EXPECT_TRUE(Has(text, "vouchd_limited_total{limit=\"peer-connections\"} 0\n"));
  EXPECT_TRUE(Has(text, "vouchd_limited_total{limit=\"request-deadline\"} 0\n"));
  EXPECT_EQ(m.Snapshot().limited.at("challenge-rate"), 2u);
}

TEST(Metrics, EveryFamilyHasHelpAndTypeOnceAndNoSampleIsNaNBeforeAnyEvent) {
  Metrics m;
  std::string text = m.RenderPrometheus();
  EXPECT_FALSE(Has(text, "NaN")) << text;
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_bucket{le=\"+Inf\"} 0\n"));
  EXPECT_TRUE(Has(text, "vouchd_appraisal_seconds_count 0\n"));
  for (const char* family : {"vouchd_build_info", "vouchd_requests_total", "vouchd_request_duration_seconds",
                             "vouchd_http_refusals_total", "vouchd_approvals_total", "vouchd_refusals_total",
                             "vouchd_appraisal_seconds", "vouchd_enrollments_total",
                             "vouchd_ledger_skipped_entries_total", "vouchd_limited_total"}) {
    std::string type = StrCat("# TYPE ", family, " ");
    size_t at = text.find(type);
    EXPECT_NE(at, std::string::npos) << family;
    EXPECT_EQ(text.find(type, at + 1), std::string::npos) << family;
    EXPECT_TRUE(Has(text, StrCat("# HELP ", family, " "))) << family;
  }
}

}  // namespace
}  // namespace vouch::validator
