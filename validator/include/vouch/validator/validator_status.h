// What this validator shows about itself (DESIGN §4 "Monitoring"): one
// snapshot, gathered by the server for GET /v1/status and the dashboard
// (dashboard.h), and its JSON form.
#ifndef VOUCH_VALIDATOR_VALIDATOR_STATUS_H_
#define VOUCH_VALIDATOR_VALIDATOR_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vouch/validator/decision_log.h"
#include "vouch/validator/ledger_health.h"
#include "vouch/validator/metrics.h"
#include "vouch/validator/recent_decisions.h"

namespace vouch::validator {

struct ValidatorStatus {
  std::string did;
  std::string hpke_public_key_hex;
  std::string version;
  std::string fault;  // "none" unless the test binary injects one
  int64_t now = 0;    // when gathered, seconds since the epoch
  int64_t uptime_s = 0;
  uint64_t replay_cache = 0;
  MetricsSnapshot metrics;
  std::optional<LedgerHealth> ledger;  // nullopt on a --hosts file
  std::vector<Decision> decisions;     // newest first
  std::vector<HostSeen> hosts;         // most recently seen first
};

// The JSON document of GET /v1/status (Accept: application/json):
//   {"did", "hpke_public_key" (hex), "fault", "version", "now", "uptime_s",
//    "replay_cache", "requests": {endpoint: n}, "approvals": n,
//    "refusals": {code: n}, "http_refusals": {endpoint: {status: n}},
//    "enrollments": {result: n}, "limited": {limit: n},
//    "ledger": null | {"head_index", "entries", "head_digest", "synced",
//       "last_sync_at", "lag_s" (null before a sync), "last_error",
//       "last_error_at", "sync_failures", "revocations",
//       "latest_revocations": [{"subject", "reason", "index"}]},
//    "decisions": [{"at", "time" (RFC 3339), "kind" ("attest"|"reattest"),
//       "host", "domain", "cti", "approved", "code", "reason", "ms",
//       "request_id"}],
//    "hosts_seen": n, "hosts": [{"did", "last_at", "approvals", "refusals"}]}
// Times are seconds since the epoch. Bytes that are not UTF-8 (a reason
// quoting a client's header) are replaced by U+FFFD.
std::string StatusJson(const ValidatorStatus& status);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_VALIDATOR_STATUS_H_
