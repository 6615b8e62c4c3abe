// vouch status DOMAIN [--config F] [--json]: what this host knows about a
// protected domain (host/domain_status.h), for a person or, with --json, a
// program. Exit 0 when read, 1 with one line when not, 2 for usage.
#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "utc.h"
#include "vouch/core/duration.h"
#include "vouch/core/flags.h"
#include "vouch/host/domain_status.h"
#include "vouch/host/hook_config.h"

namespace vouch::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: vouch status DOMAIN [--config /etc/vouch/hook.conf] [--json]\n"
    "  the protected DOMAIN's state: its launch and latest re-attestation with each\n"
    "  validator's endorsement, the last round's verdict, the lease deadline, and\n"
    "  what the ledger says about the launch credential and the host\n";

json VcJson(const host::EndorsedVcSummary& s) {
  json endorsements = json::array();
  for (const auto& v : s.endorsements) {
    json e = {{"validator", v.did}, {"ok", v.ok}, {"at", v.at}};
    if (!v.error.empty()) e["error"] = v.error;
    endorsements.push_back(std::move(e));
  }
  return {{"cti", s.cti}, {"host", s.issuer}, {"issued_at", s.issued_at}, {"endorsements", endorsements}};
}

json RevocationJson(const host::RevocationStatus& r) {
  json j = {{"subject", r.subject}, {"revoked", r.revoked}, {"reported_by", r.reported_by}};
  if (r.revoked) j["reason"] = r.reason;
  return j;
}

json StatusJson(const host::DomainStatus& s) {
  json j = {{"domain", s.name},         {"uuid", s.uuid},
            {"state", s.state},         {"threshold", s.threshold},
            {"validators", s.validators}, {"reattest_s", s.reattest_s},
            {"grace", s.grace ? json(*s.grace) : json(nullptr)},
            {"launch", s.launch ? VcJson(*s.launch) : json(nullptr)},
            {"last_endorsed", s.last_endorsed ? VcJson(*s.last_endorsed) : json(nullptr)},
            {"last_round", s.last_round.empty() ? json(nullptr) : json(s.last_round)},
            {"deadline", s.deadline ? json(*s.deadline) : json(nullptr)}};
  j["revocations"] = {{"launch", s.launch_revocation ? RevocationJson(*s.launch_revocation) : json(nullptr)},
                      {"host", s.host_revocation ? RevocationJson(*s.host_revocation) : json(nullptr)}};
  j["quarantine"] = s.quarantine ? json{{"host", s.quarantine->host},
                                         {"launch", s.quarantine->launch},
                                         {"reason", s.quarantine->reason},
                                         {"index", s.quarantine->index},
                                         {"owner", s.quarantine->owner}}
                                  : json(nullptr);
  if (!s.ledger_error.empty()) j["ledger_error"] = s.ledger_error;
  return j;
}

void PrintVc(const char* what, const host::EndorsedVcSummary& s, size_t threshold) {
  size_t ok = 0;
  for (const auto& v : s.endorsements) ok += v.ok ? 1 : 0;
  std::printf("%s: cti %s at %s, %zu endorsements verify (t = %zu)\n", what, s.cti.c_str(), Utc(s.issued_at).c_str(),
              ok, threshold);
  for (const auto& v : s.endorsements) {
    std::printf("  %s: %s\n", v.did.empty() ? "(unreadable)" : v.did.c_str(),
                v.ok ? StrCat("ok at ", Utc(v.at)).c_str() : StrCat("FAILED: ", v.error).c_str());
  }
}

void PrintRevocation(const char* what, const host::RevocationStatus& r) {
  if (r.revoked) {
    std::printf("%s %s: REVOKED (%s)\n", what, r.subject.c_str(), r.reason.c_str());
  } else if (!r.reported_by.empty()) {
    std::printf("%s %s: not revoked; reported by %zu validator(s), below the quorum\n", what, r.subject.c_str(),
                r.reported_by.size());
  } else {
    std::printf("%s %s: not revoked\n", what, r.subject.c_str());
  }
}

void PrintStatus(const host::DomainStatus& s) {
  std::printf("domain '%s' (%s): %s; %zu of %zu validators release its key\n", s.name.c_str(), s.uuid.c_str(),
              s.state.c_str(), s.threshold, s.validators);
  if (s.launch) {
    PrintVc("launch", *s.launch, s.threshold);
  } else {
    std::printf("launch: none in the audit store\n");
  }
  if (s.last_endorsed) PrintVc("last endorsed re-attestation", *s.last_endorsed, s.threshold);
  std::printf("last round: %s\n", s.last_round.empty() ? "none" : s.last_round.c_str());
  if (s.deadline) {
    long long left = static_cast<long long>(*s.deadline - std::time(nullptr));
    std::printf("lease: re-attest every %s, due by %s (%s)\n", FormatDuration(std::chrono::seconds(s.reattest_s)).c_str(),
                Utc(*s.deadline).c_str(),
                left >= 0 ? StrCat("in ", FormatDuration(std::chrono::seconds(left))).c_str()
                          : StrCat(FormatDuration(std::chrono::seconds(-left)), " ago").c_str());
  } else {
    std::printf("lease: none (the policy sets no grace)\n");
  }
  if (s.launch_revocation) PrintRevocation("launch", *s.launch_revocation);
  if (s.host_revocation) PrintRevocation("host", *s.host_revocation);
  if (s.quarantine) {
    std::printf("quarantine: host %s may not launch this domain (ledger entry %llu: launch %s revoked: %s)\n",
                s.quarantine->host.c_str(), static_cast<unsigned long long>(s.quarantine->index),
                s.quarantine->launch.c_str(), s.quarantine->reason.c_str());
    std::printf("  lifted by: %s\n", s.quarantine->owner.empty()
                                         ? "a governance quorum (vouch reinstate)"
                                         : StrCat("its owner ", s.quarantine->owner,
                                                  " or a governance quorum (vouch reinstate)").c_str());
  }
  if (!s.ledger_error.empty()) std::printf("ledger: cannot be read: %s\n", s.ledger_error.c_str());
}

}  // namespace

int StatusCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {"config"}, {"help", "json"});
  if (!flags.ok() || flags->Has("help") || flags->positional().size() != 1) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, flags.ok() && flags->Has("help") ? stdout : stderr);
    return flags.ok() && flags->Has("help") ? 0 : 2;
  }
  auto status = host::ReadDomainStatus(flags->GetOr("config", host::kDefaultHookConfig), flags->positional()[0]);
  if (!status.ok()) {
    std::fprintf(stderr, "vouch: %s\n", status.error().message().c_str());
    return 1;
  }
  if (flags->Has("json")) {
    std::printf("%s\n", StatusJson(*status).dump(2).c_str());
  } else {
    PrintStatus(*status);
  }
  return 0;
}

}  // namespace vouch::cli
