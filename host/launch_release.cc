#include "vouch/host/launch_release.h"

#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "vouch/host/audit_store.h"
#include "vouch/host/host_identity.h"
#include "vouch/host/host_records.h"
#include "vouch/host/lease_end.h"
#include "vouch/host/ledger_submitter.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/launch_policy.h"

namespace vouch::host {
namespace {

// The launch (cti, hex) whose leases EndLaunchLeasesOf ends at the stop.
std::string LeaseFile(const HookConfig& c, const std::string& domain_uuid) {
  return StrCat(c.state_dir, "/", domain_uuid, ".lease");
}

// One line to `log` ("releases.log", "stops.log") in the audit store; a
// failure is a warning on stderr (the event itself happened).
void AppendAuditLine(const HookConfig& config, std::string_view log, const std::string& line) {
  Status s = AuditStore(config.audit_dir).Append(log, line);
  if (!s.ok()) std::fprintf(stderr, "vouch: warning: %s\n", s.error().message().c_str());
}

Status AppendAttested(const HookConfig& config, const Ed25519PrivateKey& host_key,
                      const std::string& domain_uuid, const ReleaseOutcome& outcome, int64_t now) {
  ledger::LedgerClientOptions options = HostLedgerOptions(config);
  VOUCH_ASSIGN_OR_RETURN(LedgerAppendVia via, ParseLedgerAppend(config.ledger_append));
  options.submitter = LedgerSubmitterFor(via, config.ledger, config.deadline);
  auto client = ledger::LedgerClient::Open(config.ledger, options);
  if (!client.ok()) return client.error();
  ledger::AttestedBody body;
  body.vc_digest = ToBytes(outcome.endorsed_vc.Digest().value);
  body.domain = domain_uuid;
  body.host = outcome.endorsed_vc.issuer().did();
  body.validators = outcome.endorsers;
  auto entry = (*client)->Append(body, host_key, now);
  if (!entry.ok()) return entry.error();
  return Ok();
}

std::string Joined(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? std::string(sep) : "") + items[i];
  return out;
}

}  // namespace

Status MakeDirs(const std::string& path, mode_t mode) {
  std::string partial;
  std::istringstream in(path);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (part.empty()) continue;
    partial += "/" + part;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return Error(Code::kIo, StrCat("cannot create directory '", partial, "'"));
    }
  }
  return Ok();
}

Result<ReleasedLaunch> ReleaseLaunch(const HookConfig& config, std::string_view name,
                                     const qemu::DomainConfig& domain, ByteView bundle_bytes,
                                     const HypervisorFactsReader& facts, int64_t now) {
  auto fail = [&](const Error& e) {
    std::string prefix = StrCat("domain '", name, "'");
    if (e.message().rfind(prefix, 0) == 0) return e;
    return e.WithContext(StrCat(prefix, " not released"));
  };
  // 2. The owner's policy, and the domain as it is about to start.
  auto bundle = DecodeBundle(bundle_bytes);
  if (!bundle.ok()) return fail(bundle.error());
  auto policy = SignedPolicy::Parse(bundle->policy);
  if (!policy.ok()) return fail(policy.error());
  if (policy->policy().domain_uuid != domain.uuid) {
    return fail(Error(Code::kConfig, StrCat("the policy is for domain ", policy->policy().domain_uuid,
                                            ", not ", domain.uuid)));
  }
  if (bundle->sealed_shares.size() != policy->policy().validators.size()) {
    return fail(Error(Code::kMalformed, "the bundle's share count differs from the policy's validators"));
  }
  if (Status s = qemu::CheckLaunchPolicy(policy->policy().rt, domain); !s.ok()) return fail(s.error());

  // The host: key, TPM, AK, hypervisor.
  auto identity = LoadHostIdentity(config);
  if (!identity.ok()) return fail(identity.error());
  auto hypervisor = facts();
  if (!hypervisor.ok()) return fail(hypervisor.error());

  // 3–7. The exchange with the validators.
  ReleaseRequest request;
  request.domain_name = std::string(name);
  request.policy = &*policy;
  request.bundle = &*bundle;
  request.domain_config = qemu::CanonicalConfigBytes(domain);
  request.deadline = config.deadline;
  HostContext host{&identity->key, identity->tpm.get(), &identity->ak, *hypervisor, identity->event_log};
  auto outcome = ObtainImageKey(request, host);
  if (!outcome.ok()) return fail(outcome.error());

  // The launch VC is the baseline of every re-attestation of this run: a
  // start whose VC cannot be kept is refused before QEMU gets the key.
  if (Status kept = AuditStore(config.audit_dir).PutVc(domain.uuid, outcome->endorsed_vc); !kept.ok()) {
    // The validators that endorsed it hold leases of a launch that never
    // runs: end them, so that none reports it as silent.
    if (policy->policy().grace.has_value()) {
      (void)EndLeases(policy->policy(), identity->key, outcome->endorsed_vc.claims().cti, now, config.deadline);
    }
    return fail(kept.error().WithContext("its launch VC cannot be kept"));
  }
  return ReleasedLaunch{std::move(policy).value(), std::move(outcome).value(), std::move(identity->key)};
}

void RecordLaunch(const HookConfig& config, std::string_view name, const qemu::DomainConfig& domain,
                  const ReleasedLaunch& launch, int64_t now) {
  const std::string cti = HexEncode(launch.outcome.endorsed_vc.claims().cti);
  if (launch.policy.policy().grace.has_value() && MakeDirs(config.state_dir, 0700).ok()) {
    (void)WriteFile(LeaseFile(config, domain.uuid), AsBytes(cti + "\n"), 0600);
  }
  std::string line = StrCat(now, " domain=", name, " uuid=", domain.uuid, " cti=", cti, " released_by=",
                            Joined(launch.outcome.endorsers, ","), " discarded=\"",
                            Joined(launch.outcome.failures, "; "), "\"");
  // The ledger's audit trail: the digest of the endorsed VC (DESIGN §2 step 7).
  if (!config.ledger.empty()) {
    Status appended = AppendAttested(config, launch.host_key, domain.uuid, launch.outcome, now);
    line += appended.ok() ? " ledger=appended" : StrCat(" ledger_error=\"", appended.error().message(), "\"");
    if (!appended.ok()) std::fprintf(stderr, "vouch: warning: %s\n", appended.error().message().c_str());
  }
  AppendAuditLine(config, "releases.log", line);
}

SecretBytes LuksPassphraseOf(const SecretBytes& key) {
  std::string text = Base64UrlEncode(key.Expose());
  SecretBytes passphrase(AsBytes(text));
  OPENSSL_cleanse(text.data(), text.size());
  return passphrase;
}

Status EndLaunchLeasesOf(const HookConfig& config, std::string_view name, const qemu::DomainConfig& domain,
                         int64_t now) {
  if (domain.uuid.empty()) return Ok();
  const std::string file = LeaseFile(config, domain.uuid);
  auto text = ReadFile(file);
  if (!text.ok()) return Ok();
  ::unlink(file.c_str());  // once: a stop is reported by more than one phase
  const std::string cti(ToString(*text).substr(0, ToString(*text).find('\n')));
  auto fail = [&](const Error& e) {
    return e.WithContext(StrCat("domain '", name, "' stopped, but its validators' leases were not ended"));
  };
  auto launch = HexDecode(cti);
  if (!launch.ok()) return fail(launch.error().WithContext(file));
  std::optional<Bytes> bundle_bytes = ProtectionBundleOf(config, domain);
  if (!bundle_bytes) return fail(Error(Code::kNotFound, "its protection bundle is gone"));
  auto policy = PolicyOfBundle(*bundle_bytes);
  if (!policy.ok()) return fail(policy.error());
  auto key = Ed25519PrivateKey::LoadPem(config.host_key);
  if (!key.ok()) return fail(key.error().WithContext("host key"));
  LeaseEndReport report = EndLeases(policy->policy(), *key, *launch, now, config.deadline);
  AppendAuditLine(config, "stops.log", StrCat(now, " domain=", name, " uuid=", domain.uuid, " cti=", cti,
                                 " stopped leases_ended_by=", Joined(report.ended, ","), " not_held=",
                                 Joined(report.not_held, ","), " failed=\"", Joined(report.failures, "; "),
                                 "\""));
  if (!report.failures.empty()) {
    return fail(Error(Code::kUnavailable,
                      StrCat(Joined(report.failures, "; "),
                             " (those validators report a missed re-attestation once its deadline passes)")));
  }
  return Ok();
}

}  // namespace vouch::host
