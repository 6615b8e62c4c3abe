#include "vouch/validator/decision_log.h"

#include <cstdio>

namespace vouch::validator {

std::string FormatDecision(const Decision& d) {
  std::string line = "vouchd: decision=";
  line += d.approved ? "approved" : "refused";
  AppendLogField(line, "kind", d.kind);
  if (!d.approved && d.code) AppendLogField(line, "code", CodeName(*d.code));
  AppendLogField(line, "host", d.host_did);
  AppendLogField(line, "domain", d.domain_uuid);
  AppendLogField(line, "cti", d.cti_hex);
  if (d.index) AppendLogField(line, "index", std::to_string(*d.index));
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", d.milliseconds);
  AppendLogField(line, "ms", ms);
  AppendLogField(line, "peer", d.peer);
  AppendLogField(line, "request_id", d.request_id);
  if (!d.approved) AppendLogField(line, "reason", d.reason);
  return line;
}

LogLevel DecisionLevel(const Decision& d) { return d.approved ? LogLevel::kInfo : LogLevel::kWarn; }

}  // namespace vouch::validator
