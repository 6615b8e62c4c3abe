// The keys a hook.conf may set (hook_config.h), in a header of their own so
// that the dependency-free front (hook/main.cc) can tell a config that will
// not parse without linking the parser: such a config refuses every start
// (vouch-hook-attest names the bad line) instead of being read as defaults.
#ifndef VOUCH_HOST_HOOK_CONFIG_KEYS_H_
#define VOUCH_HOST_HOOK_CONFIG_KEYS_H_

#include <string_view>

namespace vouch::host {

inline constexpr std::string_view kHookConfigKeys[] = {
    "tcti",       "host_key",   "ak_dir",      "ledger",      "genesis",           "audit_dir",
    "bundle_dir", "state_dir",  "libvirt_uri", "deadline",    "libvirt_timeout",
    // The ledger's access (vouch/ledger/ledger_access.h) and where the
    // host's entries go (vouch/host/ledger_submitter.h).
    "ledger_ca",  "ledger_cert", "ledger_key", "ledger_user", "ledger_password_file", "ledger_append",
    // vouch-agent's GET /metrics (agent_metrics.h); empty: none.
    "metrics_listen",
    // The firmware event log sent beside every host VC ("vouch.evlog" names it); empty: none.
    "event_log",
    // The Proxmox VE hookscript (pve_hook.h).
    "pve_config_dir", "pve_key_dir", "pve_emulator",
};

inline bool IsHookConfigKey(std::string_view key) {
  for (std::string_view k : kHookConfigKeys) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace vouch::host

#endif  // VOUCH_HOST_HOOK_CONFIG_KEYS_H_
