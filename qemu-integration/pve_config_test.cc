#include "vouch/qemu/pve_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/launch_policy.h"

namespace vouch::qemu {
namespace {

constexpr const char* kUuid = "5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a88";

// A VM as the Proxmox VE 8 web UI writes it, with vouch's protected disk in
// `args`, and a snapshot section that is not the current configuration.
const std::string kVm =
    "#my web server\n"
    "#second line of the description\n"
    "agent: 1\n"
    "args: -object secret,id=vouchkey,file=/run/vouch/pve/100.key,format=raw "
    "-blockdev driver=luks,node-name=vouch0,key-secret=vouchkey,file.driver=file,"
    "file.filename=/var/lib/vz/images/100/protected.luks -device virtio-blk-pci,drive=vouch0\n"
    "boot: order=scsi0;ide2;net0\n"
    "cores: 2\n"
    "cpu: x86-64-v2-AES\n"
    "ide2: none,media=cdrom\n"
    "memory: 2048\n"
    "meta: creation-qemu=8.1.2,ctime=1700000000\n"
    "name: web1\n"
    "net0: virtio=BC:24:11:2E:C4:0A,bridge=vmbr0,firewall=1\n"
    "numa: 0\n"
    "ostype: l26\n"
    "scsi0: local-lvm:vm-100-disk-0,iothread=1,size=32G\n"
    "scsihw: virtio-scsi-single\n"
    "smbios1: uuid=5F0C2A3E-8B1D-4C6E-9A7F-3E2D1C0B9A88\n"
    "sockets: 1\n"
    "vmgenid: 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b\n"
    "\n"
    "[before-upgrade]\n"
    "memory: 999999\n"
    "snaptime: 1700000100\n";

DomainConfig Parse(const std::string& text) {
  auto c = ParsePveConfig(text, "100");
  EXPECT_TRUE(c.ok()) << c.error().ToString();
  return c.ok() ? *c : DomainConfig{};
}

// `kVm` with the line starting with "KEY:" replaced by `line` (or `line`
// appended when there is none; removed when `line` is empty).
std::string With(const std::string& key, const std::string& line) {
  std::string out;
  bool done = false;
  size_t pos = 0;
  while (pos < kVm.size()) {
    size_t end = kVm.find('\n', pos);
    std::string l = kVm.substr(pos, end - pos);
    pos = end + 1;
    if (!done && l.rfind(key + ":", 0) == 0) {
      if (!line.empty()) out += line + "\n";
      done = true;
      continue;
    }
    if (!done && l.empty()) {  // the end of the current configuration
      if (!line.empty()) out += line + "\n";
      done = true;
    }
    out += l + "\n";
  }
  return out;
}

Error ParseError(const std::string& text) {
  auto c = ParsePveConfig(text, "100");
  EXPECT_FALSE(c.ok());
  return c.ok() ? Error(Code::kInternal, "parsed") : c.error();
}

TEST(PveConfigTest, ReadsWhatProxmoxWrites) {
  DomainConfig c = Parse(kVm);
  EXPECT_EQ(c.type, "kvm");
  EXPECT_EQ(c.name, "web1");
  EXPECT_EQ(c.uuid, kUuid);
  EXPECT_EQ(c.memory_kib, 2048u * 1024);
  EXPECT_EQ(c.vcpus, 2u);
  EXPECT_EQ(c.os.type, "hvm");
  EXPECT_EQ(c.os.firmware, "bios");
  EXPECT_EQ(c.emulator, "/usr/bin/kvm");
  ASSERT_EQ(c.disks.size(), 3u);
  EXPECT_EQ(c.disks[0].target_dev, "ide2");
  EXPECT_EQ(c.disks[0].device, "cdrom");
  EXPECT_EQ(c.disks[0].source, "");
  EXPECT_EQ(c.disks[1].target_dev, "scsi0");
  EXPECT_EQ(c.disks[1].type, "volume");
  EXPECT_EQ(c.disks[1].source, "local-lvm:vm-100-disk-0");
  EXPECT_EQ(c.disks[2].target_dev, "vouch0");
  EXPECT_EQ(c.disks[2].target_bus, "args");
  EXPECT_EQ(c.disks[2].source, "/var/lib/vz/images/100/protected.luks");
  EXPECT_EQ(c.disks[2].encryption_format, "luks");
  EXPECT_EQ(c.disks[2].encryption_secret_uuid, "vouchkey");
  ASSERT_EQ(c.interfaces.size(), 1u);
  EXPECT_EQ(c.interfaces[0].type, "bridge");
  EXPECT_EQ(c.interfaces[0].source, "vmbr0");
  EXPECT_EQ(c.interfaces[0].model, "virtio");
  EXPECT_EQ(c.devices, std::vector<std::string>{"channel:org.qemu.guest_agent.0"});
  EXPECT_EQ(c.qemu_passthrough, std::vector<std::string>{"pve:scsihw=virtio-scsi-single"});
  ASSERT_EQ(c.qemu_args.size(), 6u);
  EXPECT_EQ(c.qemu_args[0], "-object");
  EXPECT_FALSE(c.protection_bundle.has_value());
}

TEST(PveConfigTest, DevicesFirmwareAndDefaults) {
  DomainConfig c = Parse(
      "smbios1: uuid=5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a88,manufacturer=dm91Y2g=,base64=1\n"
      "kvm: 0\nbios: ovmf\nmachine: pc-q35-8.1\nmemory: current=1024\n"
      "efidisk0: local-lvm:vm-101-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M\n"
      "tpmstate0: local-lvm:vm-101-disk-2,size=4M,version=v2.0\n"
      "hostpci0: 0000:01:00.0,pcie=1\nusb0: spice\nusb1: host=1234:5678\nserial0: socket\n"
      "vga: qxl,memory=32\nwatchdog: model=ib700,action=reset\nrng0: source=/dev/urandom\n"
      "amd-sev: type=std\nvirtio1: /dev/disk/by-id/x,ro=1\n");
  EXPECT_EQ(c.type, "qemu");
  EXPECT_EQ(c.memory_kib, 1024u * 1024);
  EXPECT_EQ(c.vcpus, 1u);
  EXPECT_EQ(c.os.firmware, "efi");
  EXPECT_EQ(c.os.machine, "pc-q35-8.1");
  EXPECT_EQ(c.name, "100");
  EXPECT_EQ(c.launch_security, "sev");
  EXPECT_EQ(c.devices, (std::vector<std::string>{"efidisk:efitype=4m,pre-enrolled-keys=1", "hostdev:pci",
                                                 "hostdev:usb", "redirdev:spicevmc", "rng:virtio",
                                                 "serial:socket", "tpm:v2.0:emulator", "video:qxl",
                                                 "watchdog:ib700"}));
  auto virtio = std::find_if(c.disks.begin(), c.disks.end(), [](const DomainDisk& d) { return d.target_dev == "virtio1"; });
  ASSERT_NE(virtio, c.disks.end());
  EXPECT_TRUE(virtio->readonly);
  EXPECT_EQ(virtio->type, "file");
}

// What is OUT does not move the digest: the description, key order, the
// name, boot order, snapshots and Proxmox's bookkeeping.
TEST(PveConfigTest, TheDigestIgnoresWhatIsOut) {
  const ConfigDigest digest = ConfigDigestOf(Parse(kVm));
  std::string reordered = "onboot: 1\n" + With("name", "name: renamed");
  reordered = "#another description\n" + reordered;
  for (const std::string& text :
       {reordered, With("boot", "boot: order=net0"), With("vmgenid", "vmgenid: 00000000-0000-4000-8000-000000000000"),
        With("lock", "lock: backup"), With("cpu", ""), kVm + "[PENDING]\nmemory: 4096\n"}) {
    EXPECT_EQ(HexEncode(ConfigDigestOf(Parse(text)).value), HexEncode(digest.value)) << text;
  }
}

// What is IN does: resources, disks, NICs, the QEMU arguments, and every
// key this parser does not know.
TEST(PveConfigTest, TheDigestCoversWhatIsIn) {
  const ConfigDigest digest = ConfigDigestOf(Parse(kVm));
  for (const auto& [key, line] : std::vector<std::pair<std::string, std::string>>{
           {"memory", "memory: 4096"},
           {"cores", "cores: 4"},
           {"kvm", "kvm: 0"},
           {"net0", "net0: virtio=BC:24:11:2E:C4:0A,bridge=vmbr1"},
           {"scsi1", "scsi1: local-lvm:vm-100-disk-9,size=1G"},
           {"hostpci0", "hostpci0: 0000:02:00.0"},
           {"args", "args: -object secret,id=vouchkey,file=/run/vouch/pve/100.key,format=raw -S"},
           {"hugepages", "hugepages: 1024"},
           {"scsihw", "scsihw: lsi"}}) {
    EXPECT_NE(HexEncode(ConfigDigestOf(Parse(With(key, line))).value), HexEncode(digest.value)) << line;
  }
}

TEST(PveConfigTest, ThePinnedPolicyRefusesAChangedVm) {
  DomainConfig sealed = Parse(kVm);
  RuntimeLimits pinned = PinnedLimitsOf(sealed);
  EXPECT_TRUE(CheckLaunchPolicy(pinned, sealed).ok());
  Status s = CheckLaunchPolicy(pinned, Parse(With("args", "args: -object secret,id=vouchkey,file=/run/vouch/pve/100.key "
                                                          "-blockdev driver=luks,node-name=vouch0,key-secret=vouchkey,"
                                                          "file.filename=/tmp/copy.luks -device virtio-blk-pci,drive=vouch0")));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("/tmp/copy.luks"), std::string::npos) << s.error().message();
  s = CheckLaunchPolicy(pinned, Parse(With("hostpci0", "hostpci0: 0000:02:00.0")));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("hostdev:pci"), std::string::npos) << s.error().message();
}

TEST(PveConfigTest, RefusesMalformedConfigsNamingTheLine) {
  struct Case {
    std::string text, says;
  };
  for (const Case& c : std::vector<Case>{
           {With("memory", "memory 2048"), "expected 'KEY: VALUE', got 'memory 2048'"},
           {With("memory", "Memory: 2048"), "expected 'KEY: VALUE'"},
           {kVm.substr(0, kVm.find("\n\n")) + "\ncores: 4\n", "'cores' appears twice"},
           {With("smbios1", ""), "no 'smbios1: uuid=…'"},
           {With("smbios1", "smbios1: uuid=not-a-uuid"), "smbios1 uuid: expected a UUID, got 'not-a-uuid'"},
           {With("memory", "memory: 0"), "'memory' must be a positive whole number, got '0'"},
           {With("memory", "memory: 2G"), "'memory' must be a positive whole number, got '2G'"},
           {With("cores", "cores: 99999999999999999999"), "'cores' must be a positive whole number"},
           {With("memory", "memory: 9999999999999999999"), "'memory' overflows 64 bits in KiB"},
           {With("args", "args: -append 'console=ttyS0"), "args: a ' is not closed"},
           {With("args", "args: -append \"x"), "args: a \" is not closed"},
           {With("args", "args: -S \\"), "args: a trailing backslash"},
           {kVm + std::string(1, '\0'), "holds a NUL byte"},
           {With("args", "args: -name \xff\xfe"), "not UTF-8"},
           {With("name", "name: \xed\xa0\x80"), "not UTF-8"},
           {kVm + std::string(kMaxPveConfigSize, '#'), "larger than 1048576 bytes"},
       }) {
    Error e = ParseError(c.text);
    EXPECT_EQ(e.code(), Code::kMalformed);
    EXPECT_NE(e.message().find(c.says), std::string::npos) << e.message();
    EXPECT_EQ(e.message().find('\n'), std::string::npos) << e.message();
    EXPECT_EQ(e.message().rfind("Proxmox VM 100 config", 0), 0u) << e.message();
  }
  EXPECT_NE(ParseError(With("memory", "memory: 0")).message().find("line "), std::string::npos);
}

TEST(PveConfigTest, SplitsArgsAsAShellDoes) {
  auto words = SplitPveArgs(" -append 'console=ttyS0 quiet'  -name \"a \\\"b\\\" \\c\" x\\ y '' ");
  ASSERT_TRUE(words.ok()) << words.error().ToString();
  EXPECT_EQ(*words, (std::vector<std::string>{"-append", "console=ttyS0 quiet", "-name", "a \"b\" \\c", "x y", ""}));
  DomainConfig c = Parse(With("args", "args: -kernel /boot/vmlinuz -initrd /boot/initrd.img -append 'root=/dev/vda ro'"));
  EXPECT_EQ(c.os.kernel, "/boot/vmlinuz");
  EXPECT_EQ(c.os.initrd, "/boot/initrd.img");
  EXPECT_EQ(c.os.cmdline, "root=/dev/vda ro");
}

TEST(PveConfigTest, FindsSecretFilesAndLuksDisksInQemuOptions) {
  std::vector<std::string> args = {"-object", "secret,id=k1,file=/run/a,,b.key,format=raw",
                                   "-object", "qom-type=secret,id=k2,file=/run/c.key",
                                   "-object", "secret,id=k3,data=inline",
                                   "-object", "rng-random,id=rng0,filename=/dev/urandom",
                                   "-drive",  "file=/var/lib/x.luks,format=luks,key-secret=k2,if=none,id=d0",
                                   "-drive",  "file=/var/lib/plain.img,format=raw,if=virtio",
                                   "-blockdev", "{\"driver\":\"luks\",\"key-secret\":\"k1\"}",
                                   "-object"};
  EXPECT_EQ(SecretFilesOfArgs(args), (std::vector<QemuSecretFile>{{"k1", "/run/a,b.key"}, {"k2", "/run/c.key"}}));
  std::vector<DomainDisk> disks = LuksDisksOfArgs(args);
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].target_dev, "d0");
  EXPECT_EQ(disks[0].source, "/var/lib/x.luks");
  EXPECT_EQ(disks[0].encryption_secret_uuid, "k2");
}

// The canonical form of a Proxmox VM reads back to itself, as a libvirt
// domain's does: validators decode it with the same strict reader.
TEST(PveConfigTest, TheCanonicalConfigReadsBack) {
  DomainConfig c = Parse(kVm);
  auto back = DomainConfigFromCanonical(CanonicalConfigBytes(c));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(HexEncode(ConfigDigestOf(*back).value), HexEncode(ConfigDigestOf(c).value));
}

}  // namespace
}  // namespace vouch::qemu
