#include "vouch/host/audit_store.h"
#include "vouch/host/domain_status.h"

#include <cstdint>
#include <fstream>

#include "vouch/core/endorsement.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/lease_terms.h"
#include "vouch/core/owner_policy.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/host_records.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::host {
namespace {

// The newest VC of `type` in the audit store, with each endorsement checked.
std::optional<EndorsedVcSummary> SummaryOf(const HookConfig& config, const std::string& uuid,
                                           std::string_view type) {
  auto bytes = AuditStore(config.audit_dir).NewestVc(uuid, type);
  if (!bytes.ok()) return std::nullopt;
  auto vc = HostVc::Parse(*bytes);
  if (!vc.ok()) return std::nullopt;
  EndorsedVcSummary s;
  s.cti = HexEncode(vc->claims().cti);
  s.issuer = vc->issuer().did();
  s.issued_at = vc->claims().issued_at;
  auto checks = CheckEndorsements(*vc);
  if (!checks.ok()) return s;
  for (const EndorsementCheck& check : *checks) {
    ValidatorVerdict v;
    v.did = check.validator_did;
    v.ok = check.status.ok() && check.verdict.ok;
    v.at = check.verdict.at;
    if (!check.status.ok()) v.error = check.status.error().message();
    s.endorsements.push_back(std::move(v));
  }
  return s;
}

// The last line of AUDIT_DIR/reattest.log about domain `uuid`.
std::string LastRound(const HookConfig& config, const std::string& uuid) {
  std::ifstream in(StrCat(config.audit_dir, "/reattest.log"));
  const std::string tag = StrCat(" uuid=", uuid, " ");
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find(tag) != std::string::npos) last = line;
  }
  return last;
}

RevocationStatus RevocationOf(const ledger::ChainState& state, std::string subject) {
  RevocationStatus r;
  if (const ledger::Revocation* rev = state.FindRevocation(subject)) {
    r.revoked = true;
    r.reason = rev->reason;
  } else {
    r.reported_by = state.PendingReports(subject);
  }
  r.subject = std::move(subject);
  return r;
}

void AddLedger(const HookConfig& config, DomainStatus& s) {
  if (config.ledger.empty() || !s.launch) return;
  auto client = ledger::LedgerClient::Open(config.ledger, HostLedgerOptions(config));
  if (!client.ok()) {
    s.ledger_error = client.error().message();
    return;
  }
  const ledger::ChainState& state = (*client)->state();
  s.launch_revocation = RevocationOf(state, StrCat("cti:", s.launch->cti));
  s.host_revocation = RevocationOf(state, s.launch->issuer);
  if (const ledger::Quarantine* q = state.FindQuarantine(s.launch->issuer, s.uuid)) {
    s.quarantine = QuarantineStatus{q->host, q->launch, q->reason, q->index, q->owner};
  }
}

}  // namespace

Result<DomainStatus> ReadDomainStatus(const std::string& config_path, std::string_view name) {
  VOUCH_ASSIGN_OR_RETURN(HookConfig config, LoadHookConfig(config_path));
  auto fail = [&](const Error& e) { return e.WithContext(StrCat("domain '", name, "'")); };
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  auto conn = qemu::Connect(config.libvirt_uri, options);
  if (!conn.ok()) return conn.error();
  DomainStatus s;
  s.name = std::string(name);
  auto state = conn->DomainStateName(name);
  if (!state.ok()) return state.error();  // names the domain
  s.state = *state;
  auto xml = conn->DomainXml(name, /*inactive=*/false);
  if (!xml.ok()) return fail(xml.error());
  auto domain = qemu::ParseDomainXml(*xml);
  if (!domain.ok()) return fail(domain.error());
  s.uuid = domain->uuid;
  std::optional<Bytes> bundle_bytes = ProtectionBundleOf(config, *domain);
  if (!bundle_bytes) return fail(Error(Code::kInvalidArgument, "is not protected by vouch (no bundle)"));
  auto policy = PolicyOfBundle(*bundle_bytes);
  if (!policy.ok()) return fail(policy.error());
  const OwnerPolicy& p = policy->policy();
  s.threshold = p.threshold;
  s.validators = p.validators.size();
  s.reattest_s = p.reattest_s;
  s.grace = p.grace;

  s.launch = SummaryOf(config, s.uuid, "launch");
  s.last_endorsed = SummaryOf(config, s.uuid, "reattest");
  if (s.last_endorsed && (!s.launch || s.last_endorsed->issued_at < s.launch->issued_at)) {
    s.last_endorsed.reset();  // of an earlier launch
  }
  s.last_round = LastRound(config, s.uuid);
  if (std::optional<LeaseTerms> terms = LeaseTermsOf(p); terms && s.launch) {
    // Counted from the host's VC times: each validator's runs from when it endorsed.
    int64_t from = s.last_endorsed ? s.last_endorsed->issued_at : s.launch->issued_at + terms->boot_s;
    s.deadline = LeaseDeadline(from, terms->interval_s, terms->grace);
  }
  AddLedger(config, s);
  return s;
}

}  // namespace vouch::host
