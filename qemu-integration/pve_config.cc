#include "vouch/qemu/pve_config.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "internal/text.h"
#include "internal/uuid.h"
#include "vouch/core/utf8.h"

namespace vouch::qemu {
namespace {

using internal::CanonicalUuid;
using internal::Printable;

// Keys that change no guest-visible device or code (see the header), and
// the keys this file maps itself.
const std::set<std::string, std::less<>> kOutKeys = {
    "acpi",    "affinity", "autostart", "balloon",  "boot",    "bootdisk", "cpu",       "cpulimit",
    "cpuunits", "hookscript", "hotplug", "keyboard", "localtime", "lock",  "meta", "migrate_downtime",
    "migrate_speed", "numa", "onboot", "ostype", "protection", "reboot", "shares", "startdate",
    "startup", "tablet", "tags", "template", "vcpus", "vmgenid", "vmstatestorage", "description"};
const std::set<std::string, std::less<>> kMappedKeys = {
    "name", "smbios1", "kvm", "memory", "sockets", "cores", "arch", "machine", "bios", "args",
    "vga",  "watchdog", "ivshmem", "agent", "amd-sev"};

struct Line {
  size_t number;
  std::string value;
};
using Entries = std::map<std::string, Line, std::less<>>;

std::string Trim(std::string_view s) {
  const char* ws = " \t\r";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(ws) - b + 1));
}

bool IsKey(std::string_view k) {
  if (k.empty() || !(k[0] >= 'a' && k[0] <= 'z')) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Error Malformed(std::string_view vmid, size_t line, std::string_view what) {
  return Error(Code::kMalformed, StrCat("Proxmox VM ", vmid, " config line ", line, ": ", what));
}

// The "KEY: VALUE" lines before the first section.
Result<Entries> ReadEntries(std::string_view text, std::string_view vmid) {
  Entries entries;
  size_t number = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') break;
    size_t colon = line.find(':');
    std::string key = colon == std::string::npos ? "" : line.substr(0, colon);
    if (!IsKey(key)) return Malformed(vmid, number, StrCat("expected 'KEY: VALUE', got '", Printable(line), "'"));
    if (entries.count(key)) return Malformed(vmid, number, StrCat("'", key, "' appears twice"));
    entries.emplace(key, Line{number, Trim(std::string_view(line).substr(colon + 1))});
  }
  return entries;
}

// A Proxmox property string: "DEFAULT,KEY=VALUE,…"; an item without '='
// has the key "".
std::vector<std::pair<std::string, std::string>> PropertyString(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string item = Trim(value.substr(pos, comma - pos));
    size_t eq = item.find('=');
    if (!item.empty()) {
      out.emplace_back(eq == std::string::npos ? "" : item.substr(0, eq),
                       eq == std::string::npos ? item : item.substr(eq + 1));
    }
    pos = comma + 1;
  }
  return out;
}

std::optional<std::string> Option(const std::vector<std::pair<std::string, std::string>>& opts,
                                  std::string_view key) {
  for (const auto& [k, v] : opts) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Result<uint64_t> Count(std::string_view text, std::string_view vmid, const Line& line, std::string_view key) {
  uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 19 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  for (char c : text) v = v * 10 + static_cast<uint64_t>(c - '0');
  if (!ok || v == 0) {
    return Malformed(vmid, line.number, StrCat("'", key, "' must be a positive whole number, got '",
                                               Printable(text), "'"));
  }
  return v;
}

// Counts the key's value or `fallback` when absent.
Result<uint64_t> CountOr(const Entries& e, std::string_view key, uint64_t fallback, std::string_view vmid) {
  auto it = e.find(key);
  if (it == e.end()) return fallback;
  // memory is "[current=]MiB"; the others are plain numbers.
  auto opts = PropertyString(it->second.value);
  std::string text = key == "memory" ? Option(opts, "current").value_or(Option(opts, "").value_or(""))
                                     : it->second.value;
  return Count(text, vmid, it->second, key);
}

// Whether the key is PREFIX followed by digits ("net0").
bool Numbered(std::string_view key, std::string_view prefix) {
  return key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix &&
         std::all_of(key.begin() + static_cast<long>(prefix.size()), key.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// The bus of a drive key ("scsi0" → "scsi"); nullopt for any other key.
std::optional<std::string> DriveBus(std::string_view key) {
  for (std::string_view bus : {"ide", "sata", "scsi", "virtio", "efidisk", "tpmstate", "unused"}) {
    if (Numbered(key, bus)) return std::string(bus);
  }
  return std::nullopt;
}

DomainDisk DriveOf(const std::string& key, const std::string& bus, const std::string& value) {
  auto opts = PropertyString(value);
  DomainDisk d;
  d.target_dev = key;
  d.target_bus = bus;
  d.source = Option(opts, "file").value_or(Option(opts, "").value_or(""));
  if (d.source == "none") d.source.clear();
  d.type = d.source.empty() || d.source[0] == '/' ? "file" : "volume";
  d.device = Option(opts, "media").value_or("disk") == "cdrom" ? "cdrom" : "disk";
  d.driver_type = Option(opts, "format").value_or("");
  d.readonly = Option(opts, "ro").value_or("0") == "1";
  return d;
}

// The efidisk's and tpmstate's options beyond the volume: which firmware
// variables (pre-enrolled Secure Boot keys) and which TPM version.
std::vector<std::string> DriveDevices(const std::string& bus, const std::string& value) {
  auto opts = PropertyString(value);
  if (bus == "tpmstate") return {StrCat("tpm:", Option(opts, "version").value_or("v1.2"), ":emulator")};
  if (bus != "efidisk") return {};
  return {StrCat("efidisk:efitype=", Option(opts, "efitype").value_or("2m"),
                 ",pre-enrolled-keys=", Option(opts, "pre-enrolled-keys").value_or("0"))};
}

DomainInterface NicOf(const std::string& value) {
  auto opts = PropertyString(value);
  DomainInterface nic;
  if (!opts.empty()) {
    nic.model = opts[0].first.empty() ? opts[0].second : opts[0].first;
    nic.mac = opts[0].first.empty() ? "" : opts[0].second;
  }
  std::optional<std::string> bridge = Option(opts, "bridge");
  nic.type = bridge ? "bridge" : "user";
  nic.source = bridge.value_or("");
  return nic;
}

// The device a numbered or single key adds; nullopt if the key is none.
std::optional<std::string> DeviceOf(const std::string& key, const std::string& value) {
  auto opts = PropertyString(value);
  auto first = [&] { return opts.empty() ? std::string() : opts[0].second; };
  if (Numbered(key, "hostpci")) return "hostdev:pci";
  if (Numbered(key, "usb")) return first() == "spice" ? "redirdev:spicevmc" : "hostdev:usb";
  if (Numbered(key, "serial")) return first() == "socket" ? "serial:socket" : "serial:dev";
  if (Numbered(key, "parallel")) return "parallel:dev";
  if (Numbered(key, "audio")) return StrCat("audio:", Option(opts, "device").value_or(""));
  if (Numbered(key, "rng")) return "rng:virtio";
  if (Numbered(key, "virtiofs")) return StrCat("filesystem:", Option(opts, "dirid").value_or(first()));
  if (key == "vga") return StrCat("video:", Option(opts, "type").value_or(first()));
  if (key == "watchdog") return StrCat("watchdog:", Option(opts, "model").value_or("i6300esb"));
  if (key == "ivshmem") return StrCat("shmem:", Option(opts, "name").value_or(""));
  return std::nullopt;
}

bool AgentEnabled(const std::string& value) {
  auto opts = PropertyString(value);
  return Option(opts, "enabled").value_or(Option(opts, "").value_or("0")) == "1";
}

void BootFromArgs(const std::vector<std::string>& args, DomainOs* os) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-kernel") os->kernel = args[i + 1];
    if (args[i] == "-initrd") os->initrd = args[i + 1];
    if (args[i] == "-append") os->cmdline = args[i + 1];
  }
}

// QEMU's option syntax: "KEY=VALUE,…", ",," a literal comma; an item
// without '=' has the key "".
std::vector<std::pair<std::string, std::string>> QemuOpts(std::string_view text) {
  std::vector<std::string> items(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ',') {
      items.back() += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == ',') {
      items.back() += ',';
      ++i;
    } else {
      items.emplace_back();
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    out.emplace_back(eq == std::string::npos ? "" : item.substr(0, eq),
                     eq == std::string::npos ? item : item.substr(eq + 1));
  }
  return out;
}

void MapEntries(const Entries& e, DomainConfig* c) {
  for (const auto& [key, line] : e) {
    if (std::optional<std::string> bus = DriveBus(key)) {
      c->disks.push_back(DriveOf(key, *bus, line.value));
      for (std::string& d : DriveDevices(*bus, line.value)) c->devices.push_back(std::move(d));
    } else if (Numbered(key, "net")) {
      c->interfaces.push_back(NicOf(line.value));
    } else if (std::optional<std::string> device = DeviceOf(key, line.value)) {
      c->devices.push_back(std::move(*device));
    } else if (key == "agent") {
      if (AgentEnabled(line.value)) c->devices.push_back("channel:org.qemu.guest_agent.0");
    } else if (key == "amd-sev") {
      c->launch_security = "sev";
    } else if (!kOutKeys.count(key) && !kMappedKeys.count(key)) {
      c->qemu_passthrough.push_back(StrCat("pve:", key, "=", line.value));
    }
  }
  std::sort(c->devices.begin(), c->devices.end());
  std::sort(c->qemu_passthrough.begin(), c->qemu_passthrough.end());
}

}  // namespace

Result<std::vector<std::string>> SplitPveArgs(std::string_view args) {
  std::vector<std::string> words;
  std::optional<std::string> word;
  for (size_t i = 0; i < args.size(); ++i) {
    const char ch = args[i];
    if (ch == ' ' || ch == '\t' || ch == '\n') {
      if (word) words.push_back(std::move(*word));
      word.reset();
      continue;
    }
    if (!word) word.emplace();
    if (ch == '\\') {
      if (++i == args.size()) return Error(Code::kMalformed, "args: a trailing backslash");
      *word += args[i];
    } else if (ch == '\'') {
      size_t close = args.find('\'', i + 1);
      if (close == std::string_view::npos) return Error(Code::kMalformed, "args: a ' is not closed");
      *word += args.substr(i + 1, close - i - 1);
      i = close;
    } else if (ch == '"') {
      for (++i;; ++i) {
        if (i >= args.size()) return Error(Code::kMalformed, "args: a \" is not closed");
        if (args[i] == '"') break;
        if (args[i] == '\\' && i + 1 < args.size() && std::string_view("\"\\$`").find(args[i + 1]) != std::string_view::npos) ++i;
        *word += args[i];
      }
    } else {
      *word += ch;
    }
  }
  if (word) words.push_back(std::move(*word));
  return words;
}

std::vector<QemuSecretFile> SecretFilesOfArgs(const std::vector<std::string>& qemu_args) {
  std::vector<QemuSecretFile> out;
  for (size_t i = 0; i + 1 < qemu_args.size(); ++i) {
    if (qemu_args[i] != "-object") continue;
    auto opts = QemuOpts(qemu_args[i + 1]);
    std::string type = Option(opts, "qom-type").value_or(Option(opts, "").value_or(""));
    std::optional<std::string> file = Option(opts, "file");
    if (type == "secret" && file) out.push_back({Option(opts, "id").value_or(""), *file});
  }
  return out;
}

std::vector<DomainDisk> LuksDisksOfArgs(const std::vector<std::string>& qemu_args) {
  std::vector<DomainDisk> out;
  for (size_t i = 0; i + 1 < qemu_args.size(); ++i) {
    const bool blockdev = qemu_args[i] == "-blockdev";
    if (!blockdev && qemu_args[i] != "-drive") continue;
    auto opts = QemuOpts(qemu_args[i + 1]);
    if (Option(opts, blockdev ? "driver" : "format").value_or("") != "luks") continue;
    DomainDisk d;
    d.type = "file";
    d.device = "disk";
    d.target_dev = Option(opts, blockdev ? "node-name" : "id").value_or(StrCat("args", i + 1));
    d.target_bus = "args";
    d.source = Option(opts, blockdev ? "file.filename" : "file").value_or("");
    d.driver_type = "luks";
    d.encryption_format = "luks";
    d.encryption_secret_uuid = Option(opts, "key-secret").value_or("");
    out.push_back(std::move(d));
  }
  return out;
}

Result<DomainConfig> ParsePveConfig(std::string_view text, std::string_view vmid) {
  if (text.size() > kMaxPveConfigSize) {
    return Error(Code::kMalformed, StrCat("Proxmox VM ", vmid, " config: larger than ", kMaxPveConfigSize, " bytes"));
  }
  if (text.find('\0') != std::string_view::npos) {
    return Error(Code::kMalformed, StrCat("Proxmox VM ", vmid, " config: holds a NUL byte"));
  }
  // Proxmox writes UTF-8; the canonical config's CBOR text must be.
  if (!IsValidUtf8(text)) return Error(Code::kMalformed, StrCat("Proxmox VM ", vmid, " config: not UTF-8"));
  VOUCH_ASSIGN_OR_RETURN(Entries e, ReadEntries(text, vmid));
  auto value = [&](std::string_view key) {
    auto it = e.find(key);
    return it == e.end() ? std::string() : it->second.value;
  };
  DomainConfig c;
  c.type = value("kvm") == "0" ? "qemu" : "kvm";
  c.name = e.count("name") ? value("name") : std::string(vmid);
  auto smbios = e.find("smbios1");
  std::optional<std::string> uuid = smbios == e.end() ? std::nullopt : Option(PropertyString(smbios->second.value), "uuid");
  if (!uuid) return Error(Code::kMalformed, StrCat("Proxmox VM ", vmid, " config: no 'smbios1: uuid=…' (the VM's UUID)"));
  VOUCH_ASSIGN_OR_RETURN(c.uuid, CanonicalUuid(*uuid, StrCat("Proxmox VM ", vmid, " config line ",
                                                             smbios->second.number, ": smbios1 uuid")));
  VOUCH_ASSIGN_OR_RETURN(uint64_t memory_mib, CountOr(e, "memory", 512, vmid));
  if (__builtin_mul_overflow(memory_mib, 1024, &c.memory_kib)) {
    return Malformed(vmid, e.find("memory")->second.number, "'memory' overflows 64 bits in KiB");
  }
  VOUCH_ASSIGN_OR_RETURN(uint64_t sockets, CountOr(e, "sockets", 1, vmid));
  VOUCH_ASSIGN_OR_RETURN(uint64_t cores, CountOr(e, "cores", 1, vmid));
  if (__builtin_mul_overflow(sockets, cores, &c.vcpus)) {
    return Error(Code::kMalformed, StrCat("Proxmox VM ", vmid, " config: sockets x cores overflows 64 bits"));
  }
  c.os.type = "hvm";
  c.os.arch = value("arch");
  c.os.machine = value("machine");
  c.os.firmware = value("bios") == "ovmf" ? "efi" : "bios";
  c.emulator = std::string(kPveEmulator);
  if (e.count("args")) {
    auto args = SplitPveArgs(value("args"));
    if (!args.ok()) return Malformed(vmid, e.find("args")->second.number, args.error().message());
    c.qemu_args = std::move(args).value();
  }
  BootFromArgs(c.qemu_args, &c.os);
  MapEntries(e, &c);
  for (DomainDisk& d : LuksDisksOfArgs(c.qemu_args)) c.disks.push_back(std::move(d));
  return c;
}

}  // namespace vouch::qemu
