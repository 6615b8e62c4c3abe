// vouch-agent's metrics for Prometheus (GET /metrics when hook.conf sets
// metrics_listen): re-attestation rounds by kind (host, guest) and result,
// their latency as a histogram, revocations enforced by action, the domains
// attached, and the build. Thread-safe: rounds end on many threads.
#ifndef VOUCH_HOST_AGENT_METRICS_H_
#define VOUCH_HOST_AGENT_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "vouch/core/errors.h"
#include "vouch/core/histogram.h"

namespace vouch::host {

// A round's result label: "endorsed"; "drift" for a drift verdict
// (Code::kDrift); "refused" for any other error.
std::string_view RoundResult(const Status& status);

class AgentMetrics {
 public:
  // One re-attestation round of `kind` ("host" or "guest") that took
  // `seconds` and ended with `result` (RoundResult).
  void Round(std::string_view kind, std::string_view result, double seconds);
  // A revocation on the ledger enforced on a running domain with `action`
  // (its policy's on_drift: pause, destroy, alert).
  void Enforced(std::string_view action);
  void SetAttached(size_t domains);

  // The text format 0.0.4 (what `promtool check metrics` accepts).
  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> rounds_;  // (kind, result)
  std::map<std::string, Histogram> round_seconds_;                  // by kind
  std::map<std::string, uint64_t> enforcements_;                    // by action
  size_t attached_ = 0;
};

}  // namespace vouch::host

#endif  // VOUCH_HOST_AGENT_METRICS_H_
