#include "vouch/qemu/launch_policy.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace vouch::qemu {
namespace {

std::string Quoted(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += StrCat(i ? ", " : "", "'", items[i], "'");
  return out + "]";
}

// The first of `facts` that `allowed` does not cover, each allowance used
// once.
std::optional<std::string> Uncovered(const std::vector<std::string>& facts,
                                     std::vector<std::string> allowed) {
  for (const std::string& fact : facts) {
    auto it = std::find(allowed.begin(), allowed.end(), fact);
    if (it == allowed.end()) return fact;
    allowed.erase(it);
  }
  return std::nullopt;
}

// "kernel '/a' (the policy's: '/b')" for the first field that differs.
std::optional<std::string> BootDifference(const PolicyBoot& have, const PolicyBoot& want) {
  const std::pair<const char*, std::pair<const std::string*, const std::string*>> fields[] = {
      {"firmware", {&have.firmware, &want.firmware}},
      {"loader", {&have.loader, &want.loader}},
      {"nvram template", {&have.nvram_template, &want.nvram_template}},
      {"kernel", {&have.kernel, &want.kernel}},
      {"initrd", {&have.initrd, &want.initrd}},
      {"cmdline", {&have.cmdline, &want.cmdline}},
  };
  for (const auto& [name, values] : fields) {
    if (*values.first != *values.second) {
      return StrCat(name, " '", *values.first, "' (the policy's: '", *values.second, "')");
    }
  }
  return std::nullopt;
}

Status CheckBoot(const std::vector<PolicyBoot>& allowed, const DomainOs& os) {
  PolicyBoot have = BootFact(os);
  if (allowed.empty()) return Error(Code::kConfig, "the policy's boot_allowed is empty: no boot is allowed");
  for (const PolicyBoot& want : allowed) {
    if (!BootDifference(have, want)) return Ok();
  }
  std::string first = *BootDifference(have, allowed.front());
  if (allowed.size() == 1) return Error(Code::kConfig, StrCat("boot ", first, " is not allowed"));
  return Error(Code::kConfig, StrCat("boot matches none of the policy's ", allowed.size(),
                                     " allowed configurations (the first differs in ", first, ")"));
}

Status CheckResources(const RuntimeLimits& limits, const DomainConfig& config) {
  uint64_t memory = MemoryCeilingKib(config);
  if (memory > limits.memory_kib_max) {
    return Error(Code::kConfig, StrCat("memory ", memory, " KiB exceeds the policy's memory_kib_max of ",
                                       limits.memory_kib_max, " KiB"));
  }
  if (config.vcpus > limits.vcpus_max) {
    return Error(Code::kConfig,
                 StrCat("vcpus ", config.vcpus, " exceeds the policy's vcpus_max of ", limits.vcpus_max));
  }
  return Ok();
}

Status CheckDevices(const RuntimeLimits& limits, const DomainConfig& config) {
  for (const DomainInterface& nic : config.interfaces) {
    std::string net = NetFact(nic);
    if (std::find(limits.nets_allowed.begin(), limits.nets_allowed.end(), net) == limits.nets_allowed.end()) {
      return Error(Code::kConfig, StrCat("network '", net, "' is not in the policy's nets_allowed"));
    }
  }
  if (limits.devices_allowed) {
    if (auto device = Uncovered(config.devices, *limits.devices_allowed)) {
      return Error(Code::kConfig, StrCat("device '", *device, "' is not in the policy's devices_allowed"));
    }
  }
  if (limits.disks_allowed) {
    std::vector<std::string> disks;
    for (const DomainDisk& d : config.disks) disks.push_back(DiskFact(d));
    if (auto disk = Uncovered(disks, *limits.disks_allowed)) {
      return Error(Code::kConfig, StrCat("disk '", *disk, "' is not in the policy's disks_allowed"));
    }
  }
  return Ok();
}

Status CheckQemu(const RuntimeLimits& limits, const DomainConfig& config) {
  if (limits.emulators_allowed &&
      std::find(limits.emulators_allowed->begin(), limits.emulators_allowed->end(), config.emulator) ==
          limits.emulators_allowed->end()) {
    return Error(Code::kConfig, StrCat("emulator '", config.emulator, "' is not in the policy's emulators_allowed"));
  }
  if (config.qemu_args != limits.qemu_args) {
    return Error(Code::kConfig, StrCat("<qemu:commandline> arguments ", Quoted(config.qemu_args),
                                       " differ from the policy's ", Quoted(limits.qemu_args)));
  }
  if (config.qemu_passthrough != limits.qemu_passthrough) {
    return Error(Code::kConfig, StrCat("QEMU pass-through settings ", Quoted(config.qemu_passthrough),
                                       " differ from the policy's ", Quoted(limits.qemu_passthrough)));
  }
  return Ok();
}

}  // namespace

std::string NetFact(const DomainInterface& nic) {
  if (nic.type == "network" || nic.type == "bridge") return nic.source;
  return StrCat(nic.type, "/", nic.source);
}

std::string DiskFact(const DomainDisk& disk) {
  return StrCat(disk.device.empty() ? "disk" : disk.device, ":", disk.target_dev, ":",
                disk.encryption_format.empty() ? "none" : disk.encryption_format, ":", disk.source);
}

PolicyBoot BootFact(const DomainOs& os) {
  PolicyBoot b;
  b.firmware = os.firmware;
  b.loader = os.loader;
  b.nvram_template = os.nvram_template;
  b.kernel = os.kernel;
  b.initrd = os.initrd;
  b.cmdline = os.cmdline;
  return b;
}

uint64_t MemoryCeilingKib(const DomainConfig& config) {
  return std::max(config.memory_kib, config.max_memory_kib);
}

Status CheckLaunchPolicy(const RuntimeLimits& limits, const DomainConfig& config) {
  VOUCH_RETURN_IF_ERROR(CheckResources(limits, config));
  VOUCH_RETURN_IF_ERROR(CheckDevices(limits, config));
  if (limits.boot_allowed) VOUCH_RETURN_IF_ERROR(CheckBoot(*limits.boot_allowed, config.os));
  return CheckQemu(limits, config);
}

RuntimeLimits PinnedLimitsOf(const DomainConfig& config) {
  RuntimeLimits l;
  l.memory_kib_max = MemoryCeilingKib(config);
  l.vcpus_max = config.vcpus;
  for (const DomainInterface& nic : config.interfaces) l.nets_allowed.push_back(NetFact(nic));
  l.devices_allowed = config.devices;
  std::vector<std::string> disks;
  for (const DomainDisk& d : config.disks) disks.push_back(DiskFact(d));
  l.disks_allowed = std::move(disks);
  l.boot_allowed = std::vector<PolicyBoot>{BootFact(config.os)};
  l.emulators_allowed = std::vector<std::string>{config.emulator};
  l.qemu_args = config.qemu_args;
  l.qemu_passthrough = config.qemu_passthrough;
  return l;
}

}  // namespace vouch::qemu
