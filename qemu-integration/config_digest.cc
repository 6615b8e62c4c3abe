#include "vouch/qemu/config_digest.h"

#include <algorithm>

#include "internal/cbor_reader.h"

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

cbor::Value TextArray(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  cbor::Array out;
  for (std::string& s : items) out.emplace_back(std::move(s));
  return cbor::Value(std::move(out));
}

using Reader = internal::CborMapReader;

void ReadOs(Reader& r, DomainOs& os) {
  const cbor::Value* v = r.Map("os", "os");
  if (v == nullptr) return;
  Reader o(*v, "canonical config 'os'");
  os.type = o.Text("type", "type");
  os.arch = o.Text("arch", "arch");
  os.machine = o.Text("machine", "machine");
  os.firmware = o.Text("firmware", "firmware");
  os.loader = o.Text("loader", "loader");
  os.loader_type = o.Text("loader_type", "loader_type");
  os.loader_secure = o.Text("loader_secure", "loader_secure");
  os.nvram_template = o.Text("nvram_template", "nvram_template");
  os.kernel = o.Text("kernel", "kernel");
  os.initrd = o.Text("initrd", "initrd");
  os.cmdline = o.Text("cmdline", "cmdline");
  o.NoUnknown();
  if (o.error()) r.Fail(*o.error());
}

DomainDisk ReadDisk(Reader& r) {
  DomainDisk d;
  d.target_dev = r.Text("target", "target");
  d.target_bus = r.Text("bus", "bus");
  d.device = r.Text("device", "device");
  d.type = r.Text("type", "type");
  d.source = r.Text("source", "source");
  d.driver_type = r.Text("driver_type", "driver_type");
  d.readonly = r.Bool("readonly", "readonly");
  d.encryption_format = r.Text("encryption_format", "encryption_format");
  d.encryption_secret_uuid = r.Text("encryption_secret", "encryption_secret");
  return d;
}

DomainInterface ReadInterface(Reader& r) {
  DomainInterface i;
  i.type = r.Text("type", "type");
  i.source = r.Text("source", "source");
  i.model = r.Text("model", "model");
  return i;
}

}  // namespace

Bytes CanonicalConfigBytes(const DomainConfig& config) { return cbor::Encode(CanonicalConfig(config)); }

Result<DomainConfig> DomainConfigFromCanonical(ByteView encoded) {
  cbor::DecodeLimits limits;
  limits.max_input_size = kMaxCanonicalConfigSize;
  auto value = cbor::Decode(encoded, limits);
  if (!value.ok()) return value.error().WithContext("canonical config");
  if (!value->is_map()) return Error(Code::kMalformed, "canonical config is not a CBOR map");
  Reader r(*value, "canonical config");
  if (r.Uint("v", "v") != kCanonicalConfigVersion && !r.error()) {
    r.Fail(StrCat("unsupported version (this vouch reads v ", kCanonicalConfigVersion, ")"));
  }
  DomainConfig c;
  c.type = r.Text("type", "type");
  c.memory_kib = r.Uint("memory_kib", "memory_kib");
  c.max_memory_kib = r.Uint("max_memory_kib", "max_memory_kib");
  c.vcpus = r.Uint("vcpus", "vcpus");
  ReadOs(r, c.os);
  c.emulator = r.Text("emulator", "emulator");
  c.disks = r.Maps<DomainDisk>("disks", "disks", ReadDisk).value_or(std::vector<DomainDisk>{});
  c.interfaces = r.Maps<DomainInterface>("interfaces", "interfaces", ReadInterface)
                     .value_or(std::vector<DomainInterface>{});
  c.devices = r.TextList("devices", "devices");
  if (const cbor::Value* ls = r.Get("launch_security", "launch_security")) {
    if (ls->is_text()) {
      c.launch_security = ls->text();
    } else if (!ls->is_null()) {
      r.Fail("field 'launch_security' must be a text string or null");
    }
  }
  c.qemu_args = r.TextList("qemu_args", "qemu_args");
  c.qemu_passthrough = r.TextList("qemu_passthrough", "qemu_passthrough");
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  // Only the canonical form is accepted: what the digest was computed over.
  if (CanonicalConfigBytes(c) != Bytes(encoded.begin(), encoded.end())) {
    return Error(Code::kMalformed, "canonical config is not in canonical form (re-encoding it differs)");
  }
  return c;
}

cbor::Value CanonicalConfig(const DomainConfig& c) {
  cbor::Array disks, interfaces, devices, args;
  for (const DomainDisk& d : c.disks) disks.push_back(DiskValue(d));
  for (const DomainInterface& i : c.interfaces) interfaces.push_back(InterfaceValue(i));
  std::vector<std::string> device_names = c.devices;
  std::sort(device_names.begin(), device_names.end());
  for (const std::string& d : device_names) devices.emplace_back(d);
  for (const std::string& a : c.qemu_args) args.emplace_back(a);
  return cbor::Value::Map({
      {"v", kCanonicalConfigVersion},
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
      {"qemu_passthrough", TextArray(c.qemu_passthrough)},
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
