#include "vouch/host/hook_run.h"

#include <openssl/crypto.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <sstream>

#include "vouch/core/owner_policy.h"
#include "vouch/host/audit_store.h"
#include "vouch/host/host_identity.h"
#include "vouch/host/host_records.h"
#include "vouch/host/lease_end.h"
#include "vouch/host/ledger_submitter.h"
#include "vouch/host/release.h"
#include "vouch/ledger/checkpoint.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"
#include "vouch/qemu/launch_policy.h"

namespace vouch::host {
namespace {

constexpr std::string_view kVouchNamespace = "urn:vouch:domain:1";

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

std::string SecretsFile(const HookConfig& c, const std::string& domain_uuid) {
  return StrCat(c.state_dir, "/", domain_uuid, ".secrets");
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

// The launch (cti, hex) whose leases EndLaunchLeases ends at the stop.
std::string LeaseFile(const HookConfig& c, const std::string& domain_uuid) {
  return StrCat(c.state_dir, "/", domain_uuid, ".lease");
}

// One line to `log` ("releases.log", "stops.log") in the audit store; a
// failure is a warning in libvirt's log (the event itself happened).
void AppendAuditLine(const HookConfig& config, std::string_view log, const std::string& line) {
  Status s = AuditStore(config.audit_dir).Append(log, line);
  if (!s.ok()) std::fprintf(stderr, "vouch: warning: %s\n", s.error().message().c_str());
}

std::string FreshReleaseFile(const HookConfig& c, const std::string& domain_uuid) {
  return StrCat(c.state_dir, "/", domain_uuid, ".released");
}

// True (and the mark consumed) if `vouch start` released this domain's key
// moments ago for this very configuration: its secrets are defined and
// listed, the mark is fresh and names the config digest of `xml`.
bool TakeFreshRelease(const HookConfig& config, std::string_view name, std::string_view xml, int64_t now) {
  auto domain = qemu::ParseDomainXml(xml);
  if (!domain.ok() || domain->uuid.empty()) return false;
  std::string mark = FreshReleaseFile(config, domain->uuid);
  auto text = ReadFile(mark);
  if (!text.ok()) return false;
  ::unlink(mark.c_str());
  struct stat st;
  if (::stat(SecretsFile(config, domain->uuid).c_str(), &st) != 0) return false;
  std::istringstream in(ToString(*text));
  long long at = -1;
  std::string released_digest;
  in >> at >> released_digest;
  if (at < 0 || at > now || now - at > kFreshReleaseSeconds) return false;
  std::string digest = HexEncode(qemu::ConfigDigestOf(*domain).value);
  if (released_digest != digest) {
    std::fprintf(stderr,
                 "vouch: domain '%.*s' changed after `vouch start` released its key (config %.16s…, now "
                 "%.16s…): attesting it again\n",
                 static_cast<int>(name.size()), name.data(), released_digest.c_str(), digest.c_str());
    return false;
  }
  return true;
}

// The domain UUIDs with a secrets list in the state dir, but `self`.
std::vector<std::string> OtherReleasedDomains(const HookConfig& config, const std::string& self) {
  std::vector<std::string> uuids;
  DIR* dir = ::opendir(config.state_dir.c_str());
  if (dir == nullptr) return uuids;
  constexpr std::string_view kSuffix = ".secrets";
  while (const dirent* e = ::readdir(dir)) {
    std::string_view file = e->d_name;
    if (file.size() <= kSuffix.size() || file.substr(file.size() - kSuffix.size()) != kSuffix) continue;
    std::string uuid(file.substr(0, file.size() - kSuffix.size()));
    if (uuid != self) uuids.push_back(std::move(uuid));
  }
  ::closedir(dir);
  return uuids;
}

}  // namespace

Result<bool> ReleaseKey(const Result<HookConfig>& loaded, std::string_view name, std::string_view xml,
                        int64_t now) {
  auto parsed = qemu::ParseDomainXml(xml);
  if (!parsed.ok()) {
    // Only a domain carrying vouch metadata must be understood; anything
    // else starts as before (without its key a protected disk cannot open).
    if (xml.find(kVouchNamespace) == std::string_view::npos) return false;
    return parsed.error().WithContext(StrCat("domain '", name, "'"));
  }
  const qemu::DomainConfig& domain = *parsed;
  std::optional<Bytes> bundle_bytes = domain.protection_bundle;
  if (!bundle_bytes) {
    // Its bundle_dir may be what names this domain's bundle: a config that
    // does not parse refuses the start rather than be read as defaults.
    if (!loaded.ok() && loaded.error().code() != Code::kNotFound) {
      return loaded.error().WithContext(StrCat("domain '", name, "' not started: the hook config does not parse"));
    }
    const std::string bundle_dir = loaded.ok() ? loaded->bundle_dir : HookConfig{}.bundle_dir;
    auto from_file = ReadFile(StrCat(bundle_dir, "/", domain.uuid, ".bundle"));
    if (!from_file.ok()) return false;  // unprotected
    bundle_bytes = std::move(from_file).value();
  }
  if (!loaded.ok()) return loaded.error();  // protected: its configuration is needed
  const HookConfig& config = *loaded;
  auto fail = [&](const Error& e) {
    std::string prefix = StrCat("domain '", name, "'");
    if (e.message().rfind(prefix, 0) == 0) return e;
    return e.WithContext(StrCat(prefix, " not released"));
  };

  // 2. The owner's policy, and the domain as it is about to start.
  auto bundle = DecodeBundle(*bundle_bytes);
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

  // The host: key, TPM, AK, libvirt.
  auto identity = LoadHostIdentity(config);
  if (!identity.ok()) return fail(identity.error());
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  auto conn = qemu::Connect(config.libvirt_uri, options);
  if (!conn.ok()) return fail(conn.error());
  auto facts = qemu::ReadHypervisorFacts(*conn, domain.os.machine);
  if (!facts.ok()) return fail(facts.error());

  // 3–7. The exchange with the validators.
  ReleaseRequest request;
  request.domain_name = std::string(name);
  request.policy = &*policy;
  request.bundle = &*bundle;
  request.domain_config = qemu::CanonicalConfigBytes(domain);
  request.deadline = config.deadline;
  HostContext host{&identity->key, identity->tpm.get(), &identity->ak, *facts};
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

  // The libvirt secret(s) QEMU opens the disk with: passphrase base64url(K).
  std::string text = Base64UrlEncode(outcome->key.Expose());
  SecretBytes passphrase(AsBytes(text));
  OPENSSL_cleanse(text.data(), text.size());
  outcome->key = SecretBytes();
  std::vector<std::string> defined;
  for (const auto& disk : domain.disks) {
    if (disk.encryption_format != "luks" || disk.encryption_secret_uuid.empty()) continue;
    if (std::find(defined.begin(), defined.end(), disk.encryption_secret_uuid) != defined.end()) continue;
    Status s = conn->DefineEphemeralSecret(disk.encryption_secret_uuid,
                                           StrCat("vouch: image key of domain ", name), passphrase);
    if (!s.ok()) {
      for (const auto& uuid : defined) (void)conn->UndefineSecret(uuid);
      return fail(s.error());
    }
    defined.push_back(disk.encryption_secret_uuid);
  }
  if (defined.empty()) {
    return fail(Error(Code::kConfig, "no LUKS disk with a secret uuid to unlock"));
  }
  // Remember them so started/release can undefine them.
  if (MakeDirs(config.state_dir, 0700).ok()) {
    std::string list;
    for (const auto& uuid : defined) list += uuid + "\n";
    (void)WriteFile(SecretsFile(config, domain.uuid), AsBytes(list), 0600);
    if (policy->policy().grace.has_value()) {
      (void)WriteFile(LeaseFile(config, domain.uuid),
                      AsBytes(HexEncode(outcome->endorsed_vc.claims().cti) + "\n"), 0600);
    }
  }

  // Audit: one line on who released it and which answers were discarded
  // (a Byzantine validator is named here).
  {
    std::string cti = HexEncode(outcome->endorsed_vc.claims().cti);
    std::string line = StrCat(now, " domain=", name, " uuid=", domain.uuid,
                              " cti=", cti, " released_by=");
    for (size_t i = 0; i < outcome->endorsers.size(); ++i) {
      line += (i ? "," : "") + outcome->endorsers[i];
    }
    line += " discarded=\"";
    for (size_t i = 0; i < outcome->failures.size(); ++i) {
      line += (i ? "; " : "") + outcome->failures[i];
    }
    line += "\"";
    // The ledger's audit trail: the digest of the endorsed VC (DESIGN §2 step 7).
    // The key is already released; a ledger that cannot be written is reported
    // here and in libvirt's log, not turned into a refused start.
    if (!config.ledger.empty()) {
      Status appended = AppendAttested(config, identity->key, domain.uuid, *outcome, now);
      line += appended.ok() ? " ledger=appended" : StrCat(" ledger_error=\"", appended.error().message(), "\"");
      if (!appended.ok()) std::fprintf(stderr, "vouch: warning: %s\n", appended.error().message().c_str());
    }
    AppendAuditLine(config, "releases.log", line);
  }
  return true;
}

Status MarkFreshRelease(const HookConfig& config, std::string_view domain_uuid, const ConfigDigest& digest,
                        int64_t now) {
  VOUCH_RETURN_IF_ERROR(MakeDirs(config.state_dir, 0700));
  return WriteFile(FreshReleaseFile(config, std::string(domain_uuid)),
                   AsBytes(StrCat(now, " ", HexEncode(digest.value), "\n")), 0600);
}

Status RefuseForeignSecrets(const HookConfig& config, std::string_view name, std::string_view xml) {
  auto domain = qemu::ParseDomainXml(xml);
  if (!domain.ok()) return Ok();  // ReleaseKey reports a protected domain's bad XML
  for (const std::string& other : OtherReleasedDomains(config, domain->uuid)) {
    auto list = ReadFile(SecretsFile(config, other));
    if (!list.ok()) continue;
    std::vector<std::string> released;
    std::istringstream in(ToString(*list));
    for (std::string line; std::getline(in, line);) released.push_back(line);
    for (const qemu::DomainDisk& disk : domain->disks) {
      const std::string& secret = disk.encryption_secret_uuid;
      if (secret.empty() || std::find(released.begin(), released.end(), secret) == released.end()) continue;
      return Error(Code::kConfig, StrCat("domain '", name, "' not started: its disk ", disk.target_dev,
                                         " names the libvirt secret ", secret,
                                         ", which vouch released for domain ", other));
    }
  }
  return Ok();
}

Status CleanupSecrets(const HookConfig& config, std::string_view xml) {
  auto domain = qemu::ParseDomainXml(xml);
  if (!domain.ok() || domain->uuid.empty()) return Ok();
  std::string path = SecretsFile(config, domain->uuid);
  auto list = ReadFile(path);
  if (!list.ok()) return Ok();
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  auto conn = qemu::Connect(config.libvirt_uri, options);
  if (!conn.ok()) return conn.error();
  std::istringstream in(ToString(*list));
  std::string uuid;
  while (std::getline(in, uuid)) {
    if (!uuid.empty()) (void)conn->UndefineSecret(uuid);
  }
  ::unlink(path.c_str());
  ::unlink(FreshReleaseFile(config, domain->uuid).c_str());
  return Ok();
}

Status EndLaunchLeases(const HookConfig& config, std::string_view name, std::string_view xml, int64_t now) {
  auto domain = qemu::ParseDomainXml(xml);
  if (!domain.ok() || domain->uuid.empty()) return Ok();
  const std::string file = LeaseFile(config, domain->uuid);
  auto text = ReadFile(file);
  if (!text.ok()) return Ok();
  ::unlink(file.c_str());  // once: release end follows stopped end
  const std::string cti(ToString(*text).substr(0, ToString(*text).find('\n')));
  auto fail = [&](const Error& e) {
    return e.WithContext(StrCat("domain '", name, "' stopped, but its validators' leases were not ended"));
  };
  auto launch = HexDecode(cti);
  if (!launch.ok()) return fail(launch.error().WithContext(file));
  std::optional<Bytes> bundle_bytes = ProtectionBundleOf(config, *domain);
  if (!bundle_bytes) return fail(Error(Code::kNotFound, "its protection bundle is gone"));
  auto policy = PolicyOfBundle(*bundle_bytes);
  if (!policy.ok()) return fail(policy.error());
  auto key = Ed25519PrivateKey::LoadPem(config.host_key);
  if (!key.ok()) return fail(key.error().WithContext("host key"));
  LeaseEndReport report = EndLeases(policy->policy(), *key, *launch, now, config.deadline);
  auto joined = [](const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? std::string(sep) : "") + items[i];
    return out;
  };
  AppendAuditLine(config, "stops.log", StrCat(now, " domain=", name, " uuid=", domain->uuid, " cti=", cti,
                                 " stopped leases_ended_by=", joined(report.ended, ","), " not_held=",
                                 joined(report.not_held, ","), " failed=\"", joined(report.failures, "; "),
                                 "\""));
  if (!report.failures.empty()) {
    return fail(Error(Code::kUnavailable,
                      StrCat(joined(report.failures, "; "),
                             " (those validators report a missed re-attestation once its deadline passes)")));
  }
  return Ok();
}

Status RunHook(const std::string& config_path, std::string_view domain_name, std::string_view op,
               std::string_view sub_op, std::string_view domain_xml, int64_t now) {
  const bool prepare = op == "prepare" && sub_op == "begin";
  const bool cleanup = (op == "started" && sub_op == "begin") || (op == "release" && sub_op == "end") ||
                       (op == "stopped" && sub_op == "end");
  if (!prepare && !cleanup) return Ok();
  // Read once. The checks that only clean up or refuse run on the defaults
  // when it does not parse (a stop must never be blocked); a release needs it.
  const Result<HookConfig> loaded = LoadHookConfig(config_path);
  const HookConfig lenient = loaded.ok() ? *loaded : HookConfig{};
  if (prepare) {
    VOUCH_RETURN_IF_ERROR(RefuseForeignSecrets(lenient, domain_name, domain_xml));
    if (TakeFreshRelease(lenient, domain_name, domain_xml, now)) return Ok();  // `vouch start` released it
    auto released = ReleaseKey(loaded, domain_name, domain_xml, now);
    if (!released.ok()) return released.error();
    return Ok();
  }
  Status cleaned = CleanupSecrets(lenient, domain_xml);
  if (op == "started") return cleaned;
  Status ended = EndLaunchLeases(lenient, domain_name, domain_xml, now);
  return cleaned.ok() ? ended : cleaned;
}

}  // namespace vouch::host
