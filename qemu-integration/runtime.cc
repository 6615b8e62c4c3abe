#include "vouch/qemu/runtime.h"

#include <algorithm>

namespace vouch::qemu {

RuntimeConfig RuntimeConfigOf(const DomainConfig& config) {
  RuntimeConfig rt;
  rt.memory_kib = std::max(config.memory_kib, config.max_memory_kib);
  rt.vcpus = config.vcpus;
  for (const DomainInterface& nic : config.interfaces) {
    if (nic.type == "network" || nic.type == "bridge") {
      rt.nets.push_back(nic.source);
    } else {
      rt.nets.push_back(StrCat(nic.type, "/", nic.source));
    }
  }
  for (const DomainDisk& disk : config.disks) {
    rt.disks.push_back(StrCat(disk.target_dev, ":", disk.source));
  }
  rt.devices = config.devices;
  std::sort(rt.devices.begin(), rt.devices.end());
  rt.launch_security = config.launch_security;
  return rt;
}

}  // namespace vouch::qemu
