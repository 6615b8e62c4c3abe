// vouch's libvirt hook as installed: the wrapper `vouch host install-hook`
// writes at HOOKS/qemu.d/vouch, read back by install-hook (to recognise its
// own file) and by `vouch doctor` (to check what libvirt will run).
#ifndef VOUCH_CLI_INSTALLED_HOOK_H_
#define VOUCH_CLI_INSTALLED_HOOK_H_

#include <ctime>
#include <optional>
#include <string>
#include <utility>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::cli {

// The wrapper's text: "#!/bin/sh", vouch's marker line, then
// "exec 'HOOK' --config 'CONFIG' "$@"" (single-quoted for sh).
std::string HookWrapper(const std::string& hook, const std::string& config);
// Whether `content` starts like a wrapper vouch wrote.
bool IsVouchWrapper(const Bytes& content);

// What a wrapper vouch wrote runs.
struct InstalledHook {
  std::string path;     // HOOKS/qemu.d/vouch
  std::string program;  // the vouch-hook it execs
  std::string config;   // its --config
  std::time_t modified = 0;
};
// HOOKS/qemu.d/vouch: nullopt if absent; kInvalidArgument if it is not a
// wrapper vouch wrote (or does not read as one).
Result<std::optional<InstalledHook>> ReadInstalledHook(const std::string& hooks_dir);

// A running (not zombie) libvirtd or virtqemud: its pid, name and start
// time; nullopt if none.
struct LibvirtDaemon {
  long pid = 0;
  std::string name;
  std::time_t started = 0;
};
std::optional<LibvirtDaemon> RunningLibvirtDaemon();

}  // namespace vouch::cli

#endif  // VOUCH_CLI_INSTALLED_HOOK_H_
