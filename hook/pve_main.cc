// vouch-pve-hook: the Proxmox VE hookscript (host/pve_hook.h). Proxmox runs
// it as "SCRIPT VMID PHASE"; put it (or a symlink to it) into a snippets
// storage and `qm set VMID --hookscript local:snippets/vouch-pve-hook`.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "vouch/host/hook_config.h"
#include "vouch/host/pve_hook.h"

namespace {

constexpr const char* kUsage =
    "usage: vouch-pve-hook [--config FILE] VMID PHASE\n"
    "  the Proxmox VE hookscript: PHASE pre-start releases a protected VM's key into\n"
    "  pve_key_dir/VMID.key for QEMU's -object secret; post-start and post-stop remove it\n"
    "  (hook.conf: /etc/vouch/hook.conf unless --config)\n";

}  // namespace

int main(int argc, char** argv) {
  // tpm2-tss logs its own warnings to stderr; the task log gets one line.
  setenv("TSS2_LOG", "all+NONE", 1);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  std::string config = vouch::host::kDefaultHookConfig;
  int i = 1;
  if (argc > 2 && std::string(argv[1]) == "--config") {
    config = argv[2];
    i = 3;
  }
  if (argc - i != 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  vouch::Status s = vouch::host::RunPveHook(config, argv[i], argv[i + 1], std::time(nullptr));
  if (!s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}
