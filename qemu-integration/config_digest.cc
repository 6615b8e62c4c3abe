#include "vouch/qemu/config_digest.h"

#include <algorithm>

namespace vouch::qemu {
namespace {

// Sorts CBOR values by their deterministic encoding.
cbor::Array SortedByEncoding(cbor::Array items) {
  std::vector<std::pair<Bytes, cbor::Value>> keyed;
  keyed.reserve(items.size());
  for (cbor::Value& v : items) {
    Bytes enc = cbor::Encode(v);
    keyed.emplace_back(std::move(enc), std::move(v));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  cbor::Array out;
  out.reserve(keyed.size());
  for (auto& [enc, v] : keyed) out.push_back(std::move(v));
  return out;
}

cbor::Value OsValue(const DomainOs& os) {
  return cbor::Value::Map({
      {"type", os.type},
      {"arch", os.arch},
      {"machine", os.machine},
      {"firmware", os.firmware},
      {"loader", os.loader},
      {"loader_type", os.loader_type},
      {"loader_secure", os.loader_secure},
      {"nvram_template", os.nvram_template},
      {"kernel", os.kernel},
      {"initrd", os.initrd},
      {"cmdline", os.cmdline},
  });
}

cbor::Value DiskValue(const DomainDisk& d) {
  return cbor::Value::Map({
      {"target", d.target_dev},
      {"bus", d.target_bus},
      {"device", d.device},
      {"type", d.type},
      {"source", d.source},
      {"driver_type", d.driver_type},
      {"readonly", d.readonly},
      {"encryption_format", d.encryption_format},
      {"encryption_secret", d.encryption_secret_uuid},
  });
}

cbor::Value InterfaceValue(const DomainInterface& i) {
  return cbor::Value::Map({{"type", i.type}, {"source", i.source}, {"model", i.model}});
}

}  // namespace

cbor::Value CanonicalConfig(const DomainConfig& c) {
  cbor::Array disks, interfaces, devices, args;
  for (const DomainDisk& d : c.disks) disks.push_back(DiskValue(d));
  for (const DomainInterface& i : c.interfaces) interfaces.push_back(InterfaceValue(i));
  std::vector<std::string> device_names = c.devices;
  std::sort(device_names.begin(), device_names.end());
  for (const std::string& d : device_names) devices.emplace_back(d);
  for (const std::string& a : c.qemu_args) args.emplace_back(a);
  return cbor::Value::Map({
      {"v", 1},
      {"type", c.type},
      {"memory_kib", c.memory_kib},
      {"max_memory_kib", c.max_memory_kib},
      {"vcpus", c.vcpus},
      {"os", OsValue(c.os)},
      {"emulator", c.emulator},
      {"disks", SortedByEncoding(std::move(disks))},
      {"interfaces", SortedByEncoding(std::move(interfaces))},
      {"devices", std::move(devices)},
      {"launch_security",
       c.launch_security.has_value() ? cbor::Value(*c.launch_security) : cbor::Value::Null()},
      {"qemu_args", std::move(args)},
  });
}

ConfigDigest ConfigDigestOf(const DomainConfig& config) {
  return ConfigDigest::Of(cbor::Encode(CanonicalConfig(config)));
}

Result<ConfigDigest> ConfigDigestOfXml(std::string_view xml) {
  VOUCH_ASSIGN_OR_RETURN(DomainConfig config, ParseDomainXml(xml));
  return ConfigDigestOf(config);
}

}  // namespace vouch::qemu
