#include "vouch/core/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vouch/core/errors.h"

namespace vouch {

std::string PrometheusNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", value);
  return buf;
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()), counts_(bounds.size() + 1, 0) {}

void Histogram::Observe(double value) {
  size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  ++counts_[bucket];
  ++count_;
  sum_ += value;
}

void Histogram::Render(std::string_view name, std::string_view labels, std::string& out) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    std::string le = i < bounds_.size() ? PrometheusNumber(bounds_[i]) : "+Inf";
    out += StrCat(name, "_bucket{", labels, sep, "le=\"", le, "\"} ", cumulative, "\n");
  }
  const std::string braces = labels.empty() ? "" : StrCat("{", labels, "}");
  out += StrCat(name, "_sum", braces, " ", PrometheusNumber(sum_), "\n");
  out += StrCat(name, "_count", braces, " ", count_, "\n");
}

}  // namespace vouch
