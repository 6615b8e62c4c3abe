#include "vouch/host/agent_metrics.h"

#include "vouch/core/version.h"

namespace vouch::host {

std::string_view RoundResult(const Status& status) {
  if (status.ok()) return "endorsed";
  return status.error().code() == Code::kDrift ? "drift" : "refused";
}

void AgentMetrics::Round(std::string_view kind, std::string_view result, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++rounds_[{std::string(kind), std::string(result)}];
  round_seconds_[std::string(kind)].Observe(seconds);
}

void AgentMetrics::Enforced(std::string_view action) {
  std::lock_guard<std::mutex> lock(mu_);
  ++enforcements_[std::string(action)];
}

void AgentMetrics::SetAttached(size_t domains) {
  std::lock_guard<std::mutex> lock(mu_);
  attached_ = domains;
}

std::string AgentMetrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP vouch_agent_build_info The running vouch-agent's version.\n";
  out += "# TYPE vouch_agent_build_info gauge\n";
  out += StrCat("vouch_agent_build_info{version=\"", kVersion, "\"} 1\n");
  out += "# HELP vouch_agent_domains_attached Running protected domains the agent keeps re-attested.\n";
  out += "# TYPE vouch_agent_domains_attached gauge\n";
  out += StrCat("vouch_agent_domains_attached ", attached_, "\n");
  out += "# HELP vouch_agent_rounds_total Re-attestation rounds by kind (host, guest) and result.\n";
  out += "# TYPE vouch_agent_rounds_total counter\n";
  for (const auto& [key, n] : rounds_) {
    out += StrCat("vouch_agent_rounds_total{kind=\"", key.first, "\",result=\"", key.second, "\"} ", n, "\n");
  }
  out += "# HELP vouch_agent_round_seconds How long a round's exchange with the validators took.\n";
  out += "# TYPE vouch_agent_round_seconds histogram\n";
  for (const auto& [kind, histogram] : round_seconds_) {
    histogram.Render("vouch_agent_round_seconds", StrCat("kind=\"", kind, "\""), out);
  }
  out += "# HELP vouch_agent_enforcements_total Ledger revocations enforced on running domains, by action.\n";
  out += "# TYPE vouch_agent_enforcements_total counter\n";
  for (const auto& [action, n] : enforcements_) {
    out += StrCat("vouch_agent_enforcements_total{action=\"", action, "\"} ", n, "\n");
  }
  return out;
}

}  // namespace vouch::host
