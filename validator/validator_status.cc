#include "vouch/validator/validator_status.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace vouch::validator {
namespace {

using nlohmann::json;

json LedgerJson(const LedgerHealth& h, int64_t now) {
  json revocations = json::array();
  for (const RevocationSummary& r : h.latest_revocations) {
    revocations.push_back({{"subject", r.subject}, {"reason", r.reason}, {"index", r.index}});
  }
  return {{"head_index", h.head_index},
          {"entries", h.entries},
          {"head_digest", h.head_digest_hex},
          {"synced", h.synced},
          {"last_sync_at", h.last_sync_at},
          {"lag_s", h.last_sync_at == 0 ? json(nullptr) : json(now - h.last_sync_at)},
          {"last_error", h.last_error},
          {"last_error_at", h.last_error_at},
          {"sync_failures", h.sync_failures},
          {"revocations", h.revocations},
          {"latest_revocations", std::move(revocations)}};
}

json DecisionJson(const Decision& d) {
  return {{"at", d.at},
          {"time", FormatRfc3339Utc(std::chrono::system_clock::time_point(std::chrono::seconds(d.at)))},
          {"kind", d.kind.empty() ? "attest" : d.kind},
          {"host", d.host_did},
          {"domain", d.domain_uuid},
          {"cti", d.cti_hex},
          {"approved", d.approved},
          {"code", d.code ? std::string(CodeName(*d.code)) : std::string()},
          {"reason", d.reason},
          {"ms", d.milliseconds},
          {"request_id", d.request_id}};
}

json HttpRefusalsJson(const MetricsSnapshot& m) {
  json out = json::object();
  for (const auto& [key, n] : m.http_refusals) out[key.first][std::to_string(key.second)] = n;
  return out;
}

}  // namespace

std::string StatusJson(const ValidatorStatus& s) {
  json decisions = json::array();
  for (const Decision& d : s.decisions) decisions.push_back(DecisionJson(d));
  json hosts = json::array();
  for (const HostSeen& h : s.hosts) {
    hosts.push_back({{"did", h.did}, {"last_at", h.last_at}, {"approvals", h.approvals}, {"refusals", h.refusals}});
  }
  json doc = {{"did", s.did},
              {"hpke_public_key", s.hpke_public_key_hex},
              {"fault", s.fault},
              {"version", s.version},
              {"now", s.now},
              {"uptime_s", s.uptime_s},
              {"replay_cache", s.replay_cache},
              {"requests", s.metrics.requests},
              {"approvals", s.metrics.approvals},
              {"refusals", s.metrics.refusals},
              {"http_refusals", HttpRefusalsJson(s.metrics)},
              {"enrollments", s.metrics.enrollments},
              {"limited", s.metrics.limited},
              {"ledger", s.ledger ? LedgerJson(*s.ledger, s.now) : json(nullptr)},
              {"decisions", std::move(decisions)},
              {"hosts_seen", s.hosts.size()},
              {"hosts", std::move(hosts)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vouch::validator
