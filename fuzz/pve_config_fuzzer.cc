// Proxmox VM config parser (qemu-integration/pve_config.h): never crashes,
// stays within its limits, and whatever it accepts yields a canonical config
// that reads back to itself and that its own pinned launch policy allows.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/launch_policy.h"
#include "vouch/qemu/pve_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = vouch::qemu::ParsePveConfig(text, "100");
  if (!config.ok()) {
    // One line: it is the hookscript's single stderr line.
    if (config.error().message().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (size > vouch::qemu::kMaxPveConfigSize || config->vcpus == 0 || config->memory_kib == 0) std::abort();
  if (config->uuid.size() != 36) std::abort();
  if (!std::is_sorted(config->devices.begin(), config->devices.end())) std::abort();
  if (!vouch::qemu::CheckLaunchPolicy(vouch::qemu::PinnedLimitsOf(*config), *config).ok()) std::abort();
  auto back = vouch::qemu::DomainConfigFromCanonical(vouch::qemu::CanonicalConfigBytes(*config));
  if (!back.ok() || !(vouch::qemu::ConfigDigestOf(*back) == vouch::qemu::ConfigDigestOf(*config))) std::abort();
  (void)vouch::qemu::SecretFilesOfArgs(config->qemu_args);
  return 0;
}
