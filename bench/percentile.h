// What the bench programs share: the nearest-rank percentile of samples and
// a duration in milliseconds (bench/README: latencies are p50/p99, never
// means).
#ifndef VOUCH_BENCH_PERCENTILE_H_
#define VOUCH_BENCH_PERCENTILE_H_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

namespace vouch::bench {

// The p-quantile (0 <= p <= 1) of `v` by nearest rank; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

inline double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace vouch::bench

#endif  // VOUCH_BENCH_PERCENTILE_H_
