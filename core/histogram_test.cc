#include "vouch/core/histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vouch {
namespace {

TEST(Histogram, AValueOnABoundCountsInThatBucketAndBucketsAreCumulative) {
  const double bounds[] = {1, 2};
  Histogram h(bounds);
  h.Observe(1);    // le=1
  h.Observe(1.5);  // le=2
  h.Observe(2);    // le=2
  h.Observe(7);    // +Inf
  std::string out;
  h.Render("x_seconds", "", out);
  EXPECT_EQ(out,
            "x_seconds_bucket{le=\"1\"} 1\n"
            "x_seconds_bucket{le=\"2\"} 3\n"
            "x_seconds_bucket{le=\"+Inf\"} 4\n"
            "x_seconds_sum 11.5\n"
            "x_seconds_count 4\n");
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 11.5);
}

TEST(Histogram, LabelsComeBeforeLe) {
  const double bounds[] = {0.5};
  Histogram h(bounds);
  h.Observe(0.25);
  std::string out;
  h.Render("y", "endpoint=\"attest\"", out);
  EXPECT_EQ(out,
            "y_bucket{endpoint=\"attest\",le=\"0.5\"} 1\n"
            "y_bucket{endpoint=\"attest\",le=\"+Inf\"} 1\n"
            "y_sum{endpoint=\"attest\"} 0.25\n"
            "y_count{endpoint=\"attest\"} 1\n");
}

TEST(Histogram, NumbersAsPrometheusReadsThem) {
  EXPECT_EQ(PrometheusNumber(0.0025), "0.0025");
  EXPECT_EQ(PrometheusNumber(10), "10");
  EXPECT_EQ(PrometheusNumber(std::nan("")), "NaN");
  EXPECT_EQ(PrometheusNumber(INFINITY), "+Inf");
}

}  // namespace
}  // namespace vouch
