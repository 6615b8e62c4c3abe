#include "vouch/hook/reattest_run.h"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/hook/hook_config.h"
#include "vouch/hook/host_identity.h"
#include "vouch/hook/host_records.h"
#include "vouch/hook/reattest.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::hook {
namespace {

void AppendLine(const std::string& path, const std::string& line) {
  if (FILE* f = std::fopen(path.c_str(), "a")) {
    std::fputs((line + "\n").c_str(), f);
    std::fclose(f);
  }
}

}  // namespace

Result<ReattestReport> ReattestDomain(const std::string& config_path, std::string_view name,
                                      bool enforce) {
  VOUCH_ASSIGN_OR_RETURN(HookConfig config, LoadHookConfig(config_path));
  auto fail = [&](const Error& e) {
    std::string prefix = StrCat("domain '", name, "'");
    if (e.message().rfind(prefix, 0) == 0) return e;
    return e.WithContext(prefix);
  };

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
    if (xml->find(qemu::kVouchMetadataNamespace) == std::string::npos) {
      ReattestReport unprotected;
      unprotected.is_protected = false;
      return unprotected;
    }
    return fail(domain.error());
  }
  std::optional<Bytes> bundle_bytes = ProtectionBundleOf(config, *domain);
  if (!bundle_bytes) {
    ReattestReport unprotected;
    unprotected.is_protected = false;
    unprotected.domain_uuid = domain->uuid;
    return unprotected;
  }
  auto policy = PolicyOfBundle(*bundle_bytes);
  if (!policy.ok()) return fail(policy.error());
  const OwnerPolicy& p = policy->policy();

  // 2. The baseline.
  auto baseline = NewestAuditVc(config.audit_dir, domain->uuid, "launch");
  if (!baseline.ok()) return fail(baseline.error());

  // 3. The exchange, with the host's key, TPM and AK.
  auto identity = LoadHostIdentity(config);
  if (!identity.ok()) return fail(identity.error());
  auto facts = qemu::ReadHypervisorFacts(*conn, domain->os.machine);
  if (!facts.ok()) return fail(facts.error());
  ReattestInput input;
  input.domain_name = std::string(name);
  input.policy = &*policy;
  input.domain_config = qemu::CanonicalConfigBytes(*domain);
  input.baseline = std::move(baseline).value();
  input.deadline = config.deadline;
  HostContext host{&identity->key, identity->tpm.get(), &identity->ak, *facts};
  auto outcome = Reattest(input, host);

  // 4. Audit, and enforcement of a drift verdict.
  ::mkdir(config.audit_dir.c_str(), 0755);
  const std::string log = StrCat(config.audit_dir, "/reattest.log");
  std::string line = StrCat(std::time(nullptr), " domain=", name, " uuid=", domain->uuid);
  if (outcome.ok()) {
    std::string cti = HexEncode(outcome->endorsed_vc.claims().cti);
    (void)WriteFile(StrCat(config.audit_dir, "/", domain->uuid, "-", cti, ".cbor"),
                    outcome->endorsed_vc.message().Encode(), 0644);
    AppendLine(log, StrCat(line, " cti=", cti, " verdict=endorsed endorsements=",
                           outcome->endorsers.size()));
    return ReattestReport{true,           domain->uuid,        p.reattest_s,
                          outcome->endorsers.size(), p.threshold, p.validators.size(),
                          outcome->failures};
  }
  Error error = outcome.error();
  if (error.code() == Code::kDrift && enforce) {
    std::string done;
    if (p.on_drift == "pause" || p.on_drift == "destroy") {
      Status stopped = conn->StopDomain(name, p.on_drift == "destroy");
      done = stopped.ok() ? StrCat("domain ", p.on_drift == "destroy" ? "destroyed" : "paused")
                          : StrCat("enforcing it failed: ", stopped.error().message());
    } else {
      done = "alert only, the domain keeps running";
    }
    error = Error(Code::kDrift, StrCat(error.message(), "; on_drift=", p.on_drift, ": ", done));
    AppendLine(log, StrCat(line, " verdict=drift on_drift=", p.on_drift, " enforced=\"", done, "\""));
  } else {
    AppendLine(log, StrCat(line, " verdict=", error.code() == Code::kDrift ? "drift" : "unavailable",
                           " enforced=no"));
  }
  return error;
}

}  // namespace vouch::hook
