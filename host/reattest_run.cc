#include "vouch/host/audit_store.h"
#include "vouch/host/reattest_run.h"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#include "vouch/core/host_vc.h"
#include "vouch/host/host_records.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::host {
namespace {

constexpr std::string_view kReattestLog = "reattest.log";

Error InDomain(std::string_view name, const Error& e) {
  std::string prefix = StrCat("domain '", name, "'");
  if (e.message().rfind(prefix, 0) == 0) return e;
  return e.WithContext(prefix);
}

// The guest baseline kept for `launch_cti`, or empty (none yet, or one of an
// earlier launch).
Bytes GuestBaselineOf(const HookConfig& config, const std::string& uuid, ByteView launch_cti) {
  auto bytes = ReadFile(GuestBaselinePath(config, uuid));
  if (!bytes.ok()) return {};
  auto vc = HostVc::Parse(*bytes);
  if (!vc.ok() || !vc->claims().guest ||
      !std::equal(launch_cti.begin(), launch_cti.end(), vc->claims().launch_cti.begin(),
                  vc->claims().launch_cti.end())) {
    return {};
  }
  return std::move(bytes).value();
}

}  // namespace

std::string ApplyOnDrift(const qemu::LibvirtConnection& conn, const std::string& name, const std::string& on_drift) {
  if (on_drift != "pause" && on_drift != "destroy") return "alert only, the domain keeps running";
  // A drift verdict and the ledger's revocation of the same launch may both
  // come: whichever is second finds the work done.
  auto state = conn.DomainStateName(name);
  if (state.ok() && *state == (on_drift == "destroy" ? "shut off" : "paused")) {
    return StrCat("domain ", on_drift == "destroy" ? "destroyed" : "paused", " (it already was)");
  }
  Status stopped = conn.StopDomain(name, on_drift == "destroy");
  return stopped.ok() ? StrCat("domain ", on_drift == "destroy" ? "destroyed" : "paused")
                      : StrCat("enforcing it failed: ", stopped.error().message());
}

std::string EnforceRevocation(const HookConfig& config, const std::string& name, const std::string& uuid,
                              const std::string& on_drift, const std::string& why) {
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  auto conn = qemu::Connect(config.libvirt_uri, options);
  std::string done = conn.ok() ? ApplyOnDrift(*conn, name, on_drift)
                               : StrCat("enforcing it failed: ", conn.error().message());
  Status logged = AuditStore(config.audit_dir)
                      .Append(kReattestLog, StrCat(std::time(nullptr), " domain=", name, " uuid=", uuid,
                                                   " verdict=revoked on_drift=", on_drift, " enforced=\"", done,
                                                   "\" why=\"", why, "\""));
  return logged.ok() ? done : StrCat(done, " (", logged.error().message(), ")");
}

std::string GuestBaselinePath(const HookConfig& config, const std::string& uuid) {
  return StrCat(config.state_dir, "/", uuid, ".guest-baseline");
}

Result<std::unique_ptr<DomainRound>> PrepareDomainRound(const HookConfig& config, std::string_view name) {
  auto fail = [&](const Error& e) { return InDomain(name, e); };
  // 1. The running domain, as it is now.
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  auto conn = qemu::Connect(config.libvirt_uri, options);
  if (!conn.ok()) return fail(conn.error());
  auto active = conn->DomainIsActive(name);
  if (!active.ok()) return fail(active.error());
  if (!*active) return fail(Error(Code::kInvalidArgument, "is not running: nothing to re-attest"));
  auto xml = conn->DomainXml(name, /*inactive=*/false);
  if (!xml.ok()) return fail(xml.error());
  auto domain = qemu::ParseDomainXml(*xml);
  if (!domain.ok()) {
    // As in the hook: only a domain carrying vouch metadata must be
    // understood; the agent passes over any other.
    if (xml->find(qemu::kVouchMetadataNamespace) == std::string::npos) return std::unique_ptr<DomainRound>();
    return fail(domain.error());
  }
  std::optional<Bytes> bundle_bytes = ProtectionBundleOf(config, *domain);
  if (!bundle_bytes) return std::unique_ptr<DomainRound>();
  auto policy = PolicyOfBundle(*bundle_bytes);
  if (!policy.ok()) return fail(policy.error());

  // 2. The baselines.
  auto baseline = AuditStore(config.audit_dir).NewestVc(domain->uuid, "launch");
  if (!baseline.ok()) return fail(baseline.error());
  auto launch = HostVc::Parse(*baseline);
  if (!launch.ok()) return fail(launch.error().WithContext("launch VC"));

  // 3. The host's key, TPM and AK.
  auto identity = LoadHostIdentity(config);
  if (!identity.ok()) return fail(identity.error());
  auto facts = qemu::ReadHypervisorFacts(*conn, domain->os.machine);
  if (!facts.ok()) return fail(facts.error());

  auto round = std::make_unique<DomainRound>(config, std::string(name), domain->uuid, std::move(conn).value(),
                                             std::move(policy).value(), std::move(identity).value());
  round->host = HostContext{&round->identity.key, round->identity.tpm.get(), &round->identity.ak, *facts,
                            round->identity.event_log};
  round->input.domain_name = round->name;
  round->input.policy = &round->policy;
  round->input.domain_config = qemu::CanonicalConfigBytes(*domain);
  round->input.baseline = std::move(baseline).value();
  round->input.guest_baseline = GuestBaselineOf(config, round->uuid, launch->claims().cti);
  round->input.deadline = config.deadline;
  return round;
}

Result<ReattestReport> RecordDomainRound(DomainRound& round, Result<ReattestOutcome> outcome,
                                         bool enforce) {
  const HookConfig& config = round.config;
  const OwnerPolicy& p = round.policy.policy();
  const AuditStore audit(config.audit_dir);
  std::string line = StrCat(std::time(nullptr), " domain=", round.name, " uuid=", round.uuid);
  if (outcome.ok()) {
    const HostVc& vc = outcome->endorsed_vc;
    ReattestReport report{true,        round.uuid,           p.reattest_s, outcome->endorsers.size(),
                          p.threshold, p.validators.size(), outcome->failures, {}};
    auto keep = [&report](Status s) {
      if (!s.ok()) report.write_errors.push_back(s.error().message());
    };
    keep(audit.PutVc(round.uuid, vc));
    if (vc.claims().guest && round.input.guest_baseline.empty()) {
      keep(WriteFile(GuestBaselinePath(config, round.uuid), vc.message().Encode(), 0644));
    }
    keep(audit.Append(kReattestLog, StrCat(line, " cti=", HexEncode(vc.claims().cti), " verdict=endorsed endorsements=",
                                           outcome->endorsers.size(), vc.claims().guest ? " guest=yes" : "")));
    return report;
  }
  Error error = InDomain(round.name, outcome.error());
  Status logged = Ok();
  if (error.code() == Code::kDrift && enforce) {
    std::string done = ApplyOnDrift(round.conn, round.name, p.on_drift);
    error = Error(Code::kDrift, StrCat(error.message(), "; on_drift=", p.on_drift, ": ", done));
    logged = audit.Append(kReattestLog, StrCat(line, " verdict=drift on_drift=", p.on_drift, " enforced=\"", done, "\""));
  } else {
    logged = audit.Append(kReattestLog, StrCat(line, " verdict=", error.code() == Code::kDrift ? "drift" : "unavailable",
                                               " enforced=no"));
  }
  if (!logged.ok()) return Error(error.code(), StrCat(error.message(), " (", logged.error().message(), ")"));
  return error;
}

Result<ReattestReport> ReattestDomain(const HookConfig& config, std::string_view name, bool enforce) {
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<DomainRound> round, PrepareDomainRound(config, name));
  if (round == nullptr) {
    ReattestReport unprotected;
    unprotected.is_protected = false;
    return unprotected;
  }
  round->input.drift_quorum = LedgerDriftQuorum(config);
  return RecordDomainRound(*round, Reattest(round->input, round->host), enforce);
}

}  // namespace vouch::host
