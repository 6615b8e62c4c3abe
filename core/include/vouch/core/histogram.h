// A Prometheus histogram (text format 0.0.4): a count per upper bound,
// cumulative when rendered, plus the sum and count of what was observed.
// Unlike a summary it aggregates across validators and over any window
// (histogram_quantile on rate(…_bucket)).
//
// Not thread-safe: its owner (vouchd's Metrics, vouch-agent's AgentMetrics) locks.
#ifndef VOUCH_CORE_HISTOGRAM_H_
#define VOUCH_CORE_HISTOGRAM_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vouch {

// Upper bounds for latencies, in seconds: an appraisal takes milliseconds,
// a request waiting on a ledger or a re-attestation round up to seconds.
inline constexpr double kLatencyBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10};

class Histogram {
 public:
  // REQUIRES: `bounds` ascending and finite; +Inf is implied.
  explicit Histogram(std::span<const double> bounds = kLatencyBuckets);

  // Counts `value` in the first bucket whose bound is >= it (+Inf if none).
  void Observe(double value);

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

  // Appends the series of metric `name` with the labels `labels` (already
  // formatted, e.g. `endpoint="attest"`, or empty):
  //   name_bucket{labels,le="0.001"} …  (cumulative, ending in le="+Inf")
  //   name_sum{labels} …
  //   name_count{labels} …
  // The # HELP and # TYPE lines are the caller's (once per family).
  void Render(std::string_view name, std::string_view labels, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last: +Inf
  uint64_t count_ = 0;
  double sum_ = 0;
};

// A sample value as Prometheus reads it ("0.0025", "10", "NaN", "+Inf").
std::string PrometheusNumber(double value);

}  // namespace vouch

#endif  // VOUCH_CORE_HISTOGRAM_H_
