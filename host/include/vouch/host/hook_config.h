// vouch-hook's configuration. libvirt runs hooks with a scrubbed environment
// (no variables reach them), so everything comes from one file, by default
// /etc/vouch/hook.conf: "key = value" lines, '#' comments; durations as
// vouch/core/duration.h spells them ("deadline = 5s").
#ifndef VOUCH_HOST_HOOK_CONFIG_H_
#define VOUCH_HOST_HOOK_CONFIG_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/core/digest.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/ledger_access.h"

namespace vouch::host {

inline constexpr const char* kDefaultHookConfig = "/etc/vouch/hook.conf";

struct HookConfig {
  std::string tcti = "device:/dev/tpmrm0";      // the host TPM
  std::string host_key = "/etc/vouch/host.key";  // Ed25519 PEM, 0600
  std::string ak_dir = "/etc/vouch/ak";          // the AK's blobs (measure/ak.h)
  std::string ledger;                            // e.g. sqlite:///var/lib/vouch/ledger.db; empty: none
  std::optional<Sha256Digest> genesis;           // the ledger's pinned genesis; required with ledger
  ledger::LedgerAccess ledger_access;            // ledger_ca … ledger_password_file: etcds:// only
  std::string ledger_append;                     // ledger_submitter.h; "": the ledger's default
  std::string audit_dir = "/var/lib/vouch/audit";
  std::string bundle_dir = "/etc/vouch/domains"; // <uuid>.bundle for managers that rewrite XML
  std::string state_dir = "/run/vouch";          // secrets defined per domain, for cleanup
  std::string libvirt_uri = "qemu:///system";
  std::chrono::milliseconds deadline{5000};      // whole validator exchange, 1ms..10m
  std::chrono::milliseconds libvirt_timeout{5000};  // each libvirt call, 1ms..10m
  std::string metrics_listen;                    // vouch-agent's /metrics, "HOST:PORT"; empty: none
  // The TCG firmware event log sent beside each host VC (whose "vouch.evlog"
  // holds its SHA-256; at most kMaxVcEventLogSize bytes), read at every
  // start and round; validators replay it against the quote. Empty: none.
  std::string event_log;
  // Proxmox VE (pve_hook.h): where its VM configs are, where the hookscript
  // leaves a key for QEMU (a root-only tmpfs directory), and the QEMU whose
  // version the host VC reports.
  std::string pve_config_dir = "/etc/pve/qemu-server";
  std::string pve_key_dir = "/run/vouch/pve";
  std::string pve_emulator = "/usr/bin/kvm";
};

// Reads `path`. kNotFound if absent; kInvalidArgument naming the line for an
// unknown key, a key renamed since ("'deadline_ms' was renamed: write
// 'deadline = 5000ms'") or a bad value, or naming the file for a ledger
// without its genesis pin.

// The hook's ledger head file (ledger_client.h), in state_dir.
inline constexpr const char* kLedgerHeadFile = "ledger-head";
Result<HookConfig> LoadHookConfig(const std::string& path);
// As LoadHookConfig, but the defaults when `path` does not exist; any other
// error (a line that does not parse) is returned, never papered over.
Result<HookConfig> LoadHookConfigOrDefaults(const std::string& path);

// A new host's hook.conf: the commented example the package ships, with
// tcti, host_key and ak_dir set to what `vouch host init` just created.
std::string HookConfigForNewHost(std::string_view tcti, std::string_view host_key, std::string_view ak_dir);

}  // namespace vouch::host

#endif  // VOUCH_HOST_HOOK_CONFIG_H_
