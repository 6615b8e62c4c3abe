#include "vouch/validator/metrics.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

TEST(Metrics, PrometheusTextCountsRequestsApprovalsAndRefusalsByCode) {
  Metrics m;
  m.CountRequest("attest");
  m.CountRequest("attest");
  m.CountRequest("/etc/passwd");
  m.RecordApproval(0.002);
  m.RecordRefusal(Code::kPcrMismatch, 0.001);
  m.RecordRefusal(Code::kPcrMismatch, 0.003);
  m.RecordRefusal(Code::kReplay, 0.001);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("vouchd_requests_total{endpoint=\"attest\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vouchd_requests_total{endpoint=\"other\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_requests_total{endpoint=\"challenge\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_approvals_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_refusals_total{code=\"pcr-mismatch\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_refusals_total{code=\"replay\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE vouchd_appraisal_seconds summary\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_appraisal_seconds_count 4\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_appraisal_seconds_sum 0.007\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_appraisal_seconds{quantile=\"0.5\"} 0.001\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_appraisal_seconds{quantile=\"0.99\"} 0.003\n"), std::string::npos);
}

TEST(Metrics, LimitedCountsEveryLimitByName) {
  Metrics m;
  m.CountLimited("challenge-rate");
  m.CountLimited("challenge-rate");
  m.CountLimited("queue");
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("vouchd_limited_total{limit=\"challenge-rate\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vouchd_limited_total{limit=\"queue\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_limited_total{limit=\"peer-connections\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("vouchd_limited_total{limit=\"request-deadline\"} 0\n"), std::string::npos);
  EXPECT_EQ(m.Snapshot().limited.at("challenge-rate"), 2u);
}

TEST(Metrics, QuantilesBeforeAnyAppraisalAreNaN) {
  Metrics m;
  EXPECT_NE(m.RenderPrometheus().find("vouchd_appraisal_seconds{quantile=\"0.5\"} NaN\n"),
            std::string::npos);
}

TEST(Metrics, LatencyWindowKeepsTheLatestSamples) {
  Metrics m;
  for (size_t i = 0; i < kLatencyWindow; ++i) m.RecordApproval(10.0);
  for (size_t i = 0; i < kLatencyWindow; ++i) m.RecordApproval(1.0);
  EXPECT_NE(m.RenderPrometheus().find("vouchd_appraisal_seconds{quantile=\"0.99\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(m.Snapshot().approvals, 2 * kLatencyWindow);
}

}  // namespace
}  // namespace vouch::validator
