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
#include "vouch/host/launch_release.h"
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

std::string SecretsFile(const HookConfig& c, const std::string& domain_uuid) {
  return StrCat(c.state_dir, "/", domain_uuid, ".secrets");
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
  auto fail = [&](const Error& e) { return e.WithContext(StrCat("domain '", name, "' not released")); };

  std::optional<qemu::LibvirtConnection> conn;
  auto facts = [&]() -> Result<HypervisorFacts> {
    qemu::LibvirtOptions options;
    options.call_timeout = config.libvirt_timeout;
    VOUCH_ASSIGN_OR_RETURN(conn, qemu::Connect(config.libvirt_uri, options));
    return qemu::ReadHypervisorFacts(*conn, domain.os.machine);
  };
  auto launch = ReleaseLaunch(config, name, domain, *bundle_bytes, facts, now);
  if (!launch.ok()) return launch.error();

  // The libvirt secret(s) QEMU opens the disk with: passphrase base64url(K).
  SecretBytes passphrase = LuksPassphraseOf(launch->outcome.key);
  launch->outcome.key = SecretBytes();
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
  }
  RecordLaunch(config, name, domain, *launch, now);
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
  if (!domain.ok()) return Ok();
  return EndLaunchLeasesOf(config, name, *domain, now);
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
