#include "vouch/qemu/domain_xml.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace vouch::qemu {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(VOUCH_SOURCE_DIR) + "/qemu-integration/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The shapes of /work/shared/RECIPES.md ("LUKS disk opened by QEMU with a
// libvirt secret", "Guest with a vTPM and a virtio-serial channel").
constexpr const char* kRecipesDomain = R"(<domain type='qemu'>
  <name>web1</name>
  <uuid>0D2A5C1E-7B7F-4E0B-9C39-4D3B8A1E6F20</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'/>
    <kernel>/path/vmlinuz</kernel><initrd>/path/initrd.img</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/path/disk.luks'>
        <encryption format='luks'><secret type='passphrase' uuid='7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11'/></encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='/path/serial.log'/><target port='0'/></serial>
    <channel type='unix'><source mode='bind' path='/run/vouch/NAME.sock'/>
      <target type='virtio' name='org.vouch.attest.0'/></channel>
    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
  </devices>
</domain>)";

// A minimal domain around `inner` (placed inside <domain>).
std::string Domain(const std::string& inner) {
  return "<domain type='kvm'><name>d</name><memory>1024</memory><vcpu>1</vcpu>" + inner + "</domain>";
}

std::string WithMemory(const std::string& value, const std::string& unit) {
  std::string attr = unit.empty() ? "" : " unit='" + unit + "'";
  return "<domain type='kvm'><name>d</name><memory" + attr + ">" + value + "</memory><vcpu>1</vcpu></domain>";
}

TEST(DomainXml, ParsesTheRecipesLuksTpmChannelDomain) {
  auto c = ParseDomainXml(kRecipesDomain);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->type, "qemu");
  EXPECT_EQ(c->name, "web1");
  EXPECT_EQ(c->uuid, "0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f20");  // canonical lower case
  EXPECT_EQ(c->memory_kib, 512u * 1024);
  EXPECT_EQ(c->vcpus, 1u);
  EXPECT_EQ(c->os.type, "hvm");
  EXPECT_EQ(c->os.arch, "x86_64");
  EXPECT_EQ(c->os.machine, "q35");
  EXPECT_EQ(c->os.loader, "/usr/share/OVMF/OVMF_CODE_4M.fd");
  EXPECT_EQ(c->os.loader_type, "pflash");
  EXPECT_EQ(c->os.nvram_template, "/usr/share/OVMF/OVMF_VARS_4M.fd");
  EXPECT_EQ(c->os.nvram, "");
  EXPECT_EQ(c->os.kernel, "/path/vmlinuz");
  EXPECT_EQ(c->os.initrd, "/path/initrd.img");
  EXPECT_EQ(c->os.cmdline, "console=ttyS0 panic=-1 quiet");
  ASSERT_EQ(c->disks.size(), 1u);
  const DomainDisk& d = c->disks[0];
  EXPECT_EQ(d.type, "file");
  EXPECT_EQ(d.device, "disk");
  EXPECT_EQ(d.target_dev, "vda");
  EXPECT_EQ(d.target_bus, "virtio");
  EXPECT_EQ(d.source, "/path/disk.luks");
  EXPECT_EQ(d.driver_type, "raw");
  EXPECT_FALSE(d.readonly);
  EXPECT_EQ(d.encryption_format, "luks");
  EXPECT_EQ(d.encryption_secret_uuid, "7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11");
  EXPECT_TRUE(c->interfaces.empty());
  EXPECT_EQ(c->devices, (std::vector<std::string>{"channel:org.vouch.attest.0", "serial:file",
                                                  "tpm:tpm-crb:emulator"}));
  EXPECT_FALSE(c->launch_security.has_value());
  EXPECT_FALSE(c->protection_bundle.has_value());
}

// testdata/libvirt_inactive.xml and libvirt_live.xml: `virsh dumpxml
// --inactive` and `virsh dumpxml` of one domain on libvirt 9.0 / QEMU 7.2
// (see testdata/README.md).
TEST(DomainXml, ParsesLibvirtGeneratedInactiveXml) {
  auto c = ParseDomainXml(ReadTestdata("libvirt_inactive.xml"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->name, "vouch-qx-sample");
  EXPECT_EQ(c->uuid, "75e2a86e-1971-4263-8484-09e6a88d15c5");
  EXPECT_EQ(c->memory_kib, 65536u);
  EXPECT_EQ(c->vcpus, 1u);
  EXPECT_EQ(c->os.machine, "pc-q35-7.2");
  EXPECT_EQ(c->emulator, "/usr/bin/qemu-system-x86_64");
  ASSERT_EQ(c->disks.size(), 1u);
  EXPECT_EQ(c->disks[0].source, "/tmp/qx/disk.luks");
  EXPECT_EQ(c->disks[0].encryption_format, "luks");
  EXPECT_EQ(c->disks[0].encryption_secret_uuid, "1af546ad-217b-4581-a9d3-fa70ed46baed");
  ASSERT_EQ(c->interfaces.size(), 1u);
  EXPECT_EQ(c->interfaces[0].type, "user");
  EXPECT_EQ(c->interfaces[0].model, "virtio");
  EXPECT_EQ(c->interfaces[0].mac, "52:54:00:c1:4f:5e");
  EXPECT_EQ(c->devices,
            (std::vector<std::string>{
                "audio:none", "channel:org.vouch.attest.0", "console:file", "controller:pci",
                "controller:pci", "controller:pci", "controller:pci", "controller:pci", "controller:pci",
                "controller:sata", "controller:usb", "controller:virtio-serial", "input:keyboard",
                "input:mouse", "memballoon:none", "serial:file", "tpm:tpm-crb:emulator"}));
  ASSERT_TRUE(c->protection_bundle.has_value());
  EXPECT_EQ(ToString(*c->protection_bundle), "hello");
}

TEST(DomainXml, LiveXmlOfTheRunningDomainParsesToTheSameConfig) {
  auto inactive = ParseDomainXml(ReadTestdata("libvirt_inactive.xml"));
  auto live = ParseDomainXml(ReadTestdata("libvirt_live.xml"));
  ASSERT_TRUE(inactive.ok()) << inactive.error().ToString();
  ASSERT_TRUE(live.ok()) << live.error().ToString();
  EXPECT_EQ(*inactive, *live);
}

struct UnitCase {
  std::string value, unit;
  uint64_t kib;
};

class MemoryUnits : public ::testing::TestWithParam<UnitCase> {};

TEST_P(MemoryUnits, NormalizeToKibLikeLibvirt) {
  const UnitCase& u = GetParam();
  auto c = ParseDomainXml(WithMemory(u.value, u.unit));
  ASSERT_TRUE(c.ok()) << u.value << " " << u.unit << ": " << c.error().ToString();
  EXPECT_EQ(c->memory_kib, u.kib) << u.value << " " << u.unit;
}

INSTANTIATE_TEST_SUITE_P(
    DomainXml, MemoryUnits,
    ::testing::Values(UnitCase{"4", "", 4}, UnitCase{" 12\n", "", 12},  // default KiB
                      UnitCase{"1", "b", 1}, UnitCase{"1024", "bytes", 1}, UnitCase{"1025", "byte", 2},
                      UnitCase{"3", "k", 3}, UnitCase{"3", "KiB", 3}, UnitCase{"1000", "KB", 977},
                      UnitCase{"64", "M", 65536}, UnitCase{"64", "MiB", 65536}, UnitCase{"64", "mib", 65536},
                      UnitCase{"1", "MB", 977}, UnitCase{"2", "G", 2097152}, UnitCase{"2", "GiB", 2097152},
                      UnitCase{"1", "GB", 976563}, UnitCase{"1", "T", uint64_t{1} << 30},
                      UnitCase{"1", "TiB", uint64_t{1} << 30}, UnitCase{"1", "TB", 976562500},
                      UnitCase{"1", "P", uint64_t{1} << 40}, UnitCase{"1", "E", uint64_t{1} << 50},
                      UnitCase{"1", "EB", 976562500000000}));

TEST(DomainXml, RefusesUnknownUnitsAndBadNumbers) {
  for (auto [value, unit] : std::vector<std::pair<std::string, std::string>>{
           {"1", "X"}, {"1", "KiBB"}, {"1", "Mi"}, {"1", "kbit"}, {"abc", ""}, {"-1", ""}, {"1.5", "G"},
           {"0x10", ""}, {"", ""}, {"18446744073709551616", ""}, {"18446744073709551615", "KiB"},
           {"17179869184", "E"}}) {
    auto c = ParseDomainXml(WithMemory(value, unit));
    ASSERT_FALSE(c.ok()) << value << " " << unit;
    EXPECT_EQ(c.error().code(), Code::kMalformed);
    EXPECT_NE(c.error().message().find("<memory>"), std::string::npos) << c.error().message();
  }
}

TEST(DomainXml, ReadsMaxMemoryAndTheVcpuMaximum) {
  auto c = ParseDomainXml(
      "<domain type='kvm'><name>d</name><maxMemory slots='16' unit='GiB'>8</maxMemory>"
      "<memory unit='GiB'>2</memory><vcpu placement='static' current='2'>4</vcpu></domain>");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->memory_kib, 2u << 20);
  EXPECT_EQ(c->max_memory_kib, 8u << 20);
  EXPECT_EQ(c->vcpus, 4u);
}

TEST(DomainXml, RefusesMissingRequiredElements) {
  struct Case {
    std::string xml, expect;
  };
  for (const Case& k : std::vector<Case>{
           {"<domain><name>d</name><memory>1</memory><vcpu>1</vcpu></domain>", "type attribute"},
           {"<domain type='kvm'><memory>1</memory><vcpu>1</vcpu></domain>", "<name>"},
           {"<domain type='kvm'><name>d</name><vcpu>1</vcpu></domain>", "<memory>"},
           {"<domain type='kvm'><name>d</name><memory>1</memory></domain>", "<vcpu>"},
           {"<domain type='kvm'><name>d</name><memory>1</memory><vcpu>0</vcpu></domain>", "<vcpu>"},
           {"<domain type='kvm'><name>d</name><uuid>not-a-uuid</uuid><memory>1</memory><vcpu>1</vcpu></domain>",
            "<uuid>"},
           {"<vm type='kvm'><name>d</name></vm>", "root element <domain>"},
           {"<x:domain xmlns:x='urn:other' type='kvm'><name>d</name></x:domain>", "root element <domain>"},
       }) {
    auto c = ParseDomainXml(k.xml);
    ASSERT_FALSE(c.ok()) << k.xml;
    EXPECT_EQ(c.error().code(), Code::kMalformed);
    EXPECT_NE(c.error().message().find(k.expect), std::string::npos) << c.error().message();
  }
}

TEST(DomainXml, AcceptsUuidsInEveryFormLibvirtAccepts) {
  for (const char* u : {"0d2a5c1e7b7f4e0b9c394d3b8a1e6f20", " 0D2A5C1E-7B7F-4E0B-9C39-4D3B8A1E6F20 ",
                        "0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f20"}) {
    auto c = ParseDomainXml(Domain(std::string("<uuid>") + u + "</uuid>"));
    ASSERT_TRUE(c.ok()) << u << ": " << c.error().ToString();
    EXPECT_EQ(c->uuid, "0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f20");
  }
  for (const char* u : {"0d2a5c1e7b7f4e0b9c394d3b8a1e6f2", "0d2a5c1e7b7f4e0b9c394d3b8a1e6f2000",
                        "0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f2g"}) {
    EXPECT_FALSE(ParseDomainXml(Domain(std::string("<uuid>") + u + "</uuid>")).ok()) << u;
  }
}

TEST(DomainXml, ReadsEveryDiskSourceKind) {
  auto c = ParseDomainXml(Domain(R"(<devices>
    <disk type='block' device='disk'><source dev='/dev/vg/lv'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='rbd' name='pool/image'><host name='mon1' port='6789'/><host name='mon2'/></source>
      <target dev='vdc' bus='virtio'/></disk>
    <disk type='network'><source protocol='nbd' name='exp'><host transport='unix' socket='/run/nbd.sock'/></source>
      <target dev='vdd'/></disk>
    <disk type='volume'><source pool='default' volume='v1.qcow2'/><target dev='vde'/></disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>
    <disk device='disk'><driver type='qcow2'/><source file='/old/style.qcow2'/>
      <encryption format='luks'><secret type='passphrase' uuid='AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE'/></encryption>
      <target dev='vdf' bus='virtio'/></disk>
    <disk type='dir'><source dir='/srv/share'/><target dev='hda'/></disk>
  </devices>)"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  ASSERT_EQ(c->disks.size(), 7u);
  EXPECT_EQ(c->disks[0].type, "block");
  EXPECT_EQ(c->disks[0].source, "/dev/vg/lv");
  EXPECT_EQ(c->disks[1].source, "rbd://mon1:6789,mon2/pool/image");
  EXPECT_EQ(c->disks[2].source, "nbd://unix:/run/nbd.sock/exp");
  EXPECT_EQ(c->disks[3].source, "default/v1.qcow2");
  EXPECT_EQ(c->disks[4].device, "cdrom");
  EXPECT_EQ(c->disks[4].source, "");
  EXPECT_TRUE(c->disks[4].readonly);
  EXPECT_EQ(c->disks[5].type, "file");  // libvirt's default
  EXPECT_EQ(c->disks[5].source, "/old/style.qcow2");
  EXPECT_EQ(c->disks[5].driver_type, "qcow2");
  EXPECT_EQ(c->disks[5].encryption_format, "luks");
  EXPECT_EQ(c->disks[5].encryption_secret_uuid, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  EXPECT_EQ(c->disks[6].source, "/srv/share");
}

TEST(DomainXml, RefusesAnEncryptionSecretThatIsNotAUuid) {
  auto c = ParseDomainXml(Domain(R"(<devices><disk type='file'><source file='/x'>
    <encryption format='luks'><secret type='passphrase' uuid='../../etc'/></encryption></source>
    <target dev='vda'/></disk></devices>)"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kMalformed);
  EXPECT_NE(c.error().message().find("encryption secret uuid"), std::string::npos) << c.error().message();
}

TEST(DomainXml, ReadsInterfacesByType) {
  auto c = ParseDomainXml(Domain(R"(<devices>
    <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/><model type='virtio'/></interface>
    <interface type='bridge'><source bridge='br0'/><model type='e1000e'/></interface>
    <interface type='direct'><source dev='eth0' mode='vepa'/></interface>
    <interface type='user'/>
  </devices>)"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  ASSERT_EQ(c->interfaces.size(), 4u);
  EXPECT_EQ(c->interfaces[0], (DomainInterface{"network", "default", "virtio", "52:54:00:00:00:01"}));
  EXPECT_EQ(c->interfaces[1], (DomainInterface{"bridge", "br0", "e1000e", ""}));
  EXPECT_EQ(c->interfaces[2], (DomainInterface{"direct", "eth0", "", ""}));
  EXPECT_EQ(c->interfaces[3], (DomainInterface{"user", "", "", ""}));

  auto untyped = ParseDomainXml(Domain("<devices><interface><source network='default'/></interface></devices>"));
  ASSERT_FALSE(untyped.ok());
  EXPECT_EQ(untyped.error().code(), Code::kMalformed);
}

TEST(DomainXml, NamesOtherDevicesByKindAndDetail) {
  auto c = ParseDomainXml(Domain(R"(<devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <graphics type='vnc' port='-1' autoport='yes'/>
    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='3' slot='0' function='0'/></source></hostdev>
    <video><model type='virtio' heads='1'/></video>
    <filesystem type='mount'><source dir='/srv/data'/><target dir='data'/></filesystem>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <watchdog model='i6300esb' action='reset'/>
    <channel type='spicevmc'><target type='virtio'/></channel>
    <tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm>
    <panic/>
  </devices>
  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>)"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->emulator, "/usr/bin/qemu-system-x86_64");
  EXPECT_EQ(c->devices, (std::vector<std::string>{"channel:virtio", "filesystem:/srv/data", "graphics:vnc",
                                                  "hostdev:pci", "panic", "rng:virtio",
                                                  "tpm:tpm-tis:passthrough", "video:virtio",
                                                  "watchdog:i6300esb"}));
  EXPECT_EQ(c->launch_security, std::optional<std::string>("sev"));
}

TEST(DomainXml, ReadsDevicesFromEveryDevicesElementLikeLibvirt) {
  auto c = ParseDomainXml(Domain(
      "<devices><emulator>/first</emulator><disk type='file'><source file='/a'/><target dev='vda'/></disk></devices>"
      "<devices><emulator>/second</emulator><disk type='file'><source file='/b'/><target dev='vdb'/></disk>"
      "<graphics type='vnc'/></devices>"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->emulator, "/first");
  ASSERT_EQ(c->disks.size(), 2u);
  EXPECT_EQ(c->disks[1].source, "/b");
  EXPECT_EQ(c->devices, (std::vector<std::string>{"graphics:vnc"}));
}

TEST(DomainXml, ReadsQemuCommandlineArgumentsByNamespace) {
  auto c = ParseDomainXml(
      "<domain type='kvm' xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'>"
      "<name>d</name><memory>1</memory><vcpu>1</vcpu>"
      "<q:commandline><q:arg value='-device'/><q:arg value='pci-testdev'/></q:commandline>"
      "<commandline><arg value='not-qemu-namespace'/></commandline></domain>");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->qemu_args, (std::vector<std::string>{"-device", "pci-testdev"}));
}

// --- the protection bundle ----------------------------------------------------

TEST(DomainXml, ExtractsTheBundleFromVouchMetadataByNamespaceUri) {
  const Bytes bundle = {0x82, 0x01, 0x02, 0xff, 0x00};
  const std::string b64 = Base64Encode(bundle);
  // libvirt's own form, another prefix, and a default namespace: all the same URI.
  for (const std::string& meta :
       {"<vouch:protect xmlns:vouch=\"urn:vouch:domain:1\">" + b64 + "</vouch:protect>",
        "<v:protect xmlns:v='urn:vouch:domain:1'>\n  " + b64 + "\n</v:protect>",
        "<protect xmlns='urn:vouch:domain:1'>" + b64 + "</protect>"}) {
    auto c = ParseDomainXml(Domain("<metadata><app:x xmlns:app='urn:other'/>" + meta + "</metadata>"));
    ASSERT_TRUE(c.ok()) << meta << ": " << c.error().ToString();
    ASSERT_TRUE(c->protection_bundle.has_value()) << meta;
    EXPECT_EQ(*c->protection_bundle, bundle);
  }
}

TEST(DomainXml, IgnoresAProtectElementInAnotherNamespace) {
  for (const std::string& meta :
       {std::string("<vouch:protect xmlns:vouch='urn:vouch:domain:2'>aGVsbG8=</vouch:protect>"),
        std::string("<vouch:protect xmlns:vouch='urn:evil'>aGVsbG8=</vouch:protect>"),
        std::string("<protect>aGVsbG8=</protect>")}) {
    auto c = ParseDomainXml(Domain("<metadata>" + meta + "</metadata>"));
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    EXPECT_FALSE(c->protection_bundle.has_value()) << meta;
  }
  // Outside <metadata> it does not count either.
  auto c = ParseDomainXml(Domain("<vouch:protect xmlns:vouch='urn:vouch:domain:1'>aGVsbG8=</vouch:protect>"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_FALSE(c->protection_bundle.has_value());
}

TEST(DomainXml, RefusesAmbiguousEmptyOrInvalidBundles) {
  struct Case {
    std::string meta, expect;
  };
  const std::string ns = " xmlns:v='urn:vouch:domain:1'";
  for (const Case& k : std::vector<Case>{
           {"<v:protect" + ns + ">aGVsbG8=</v:protect><v:protect" + ns + ">aGk=</v:protect>", "more than one"},
           {"<v:protect" + ns + "></v:protect>", "is empty"},
           {"<v:protect" + ns + ">   </v:protect>", "is empty"},
           {"<v:protect" + ns + ">not*base64!</v:protect>", "not base64"},
           {"<v:protect" + ns + ">" + Base64Encode(Bytes(kMaxBundleSize + 1, 7)) + "</v:protect>",
            "exceeds the limit"},
       }) {
    auto c = ParseDomainXml(Domain("<metadata>" + k.meta + "</metadata>"));
    ASSERT_FALSE(c.ok()) << k.expect;
    EXPECT_EQ(c.error().code(), Code::kMalformed);
    EXPECT_NE(c.error().message().find(k.expect), std::string::npos) << c.error().message();
  }
}

TEST(DomainXml, AcceptsABundleOfExactlyTheLimit) {
  Bytes bundle(kMaxBundleSize, 0x5a);
  auto c = ParseDomainXml(Domain("<metadata><v:protect xmlns:v='urn:vouch:domain:1'>" +
                                 Base64Encode(bundle) + "</v:protect></metadata>"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(*c->protection_bundle, bundle);
}

TEST(DomainXml, ParsesTheElementVirDomainGetMetadataReturns) {
  auto b = ParseProtectElement("<protect>aGVsbG8=</protect>");
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_EQ(ToString(*b), "hello");
  auto ns = ParseProtectElement("<vouch:protect xmlns:vouch='urn:vouch:domain:1'>aGk=</vouch:protect>");
  ASSERT_TRUE(ns.ok()) << ns.error().ToString();
  EXPECT_EQ(ToString(*ns), "hi");
  for (const char* bad : {"<other>aGk=</other>", "<v:protect xmlns:v='urn:x'>aGk=</v:protect>",
                          "<protect>!!</protect>", "<protect/>", "<protect>"}) {
    auto r = ParseProtectElement(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kMalformed) << bad;
  }
}

// --- hostile documents ------------------------------------------------------------

std::string EtcPasswd() {
  std::ifstream in("/etc/passwd");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The parsed result, or the error message: whatever a caller could see.
std::string Observable(const Result<DomainConfig>& c) {
  if (!c.ok()) return c.error().message();
  std::string all = c->name + c->os.cmdline + c->os.kernel;
  for (const auto& d : c->disks) all += d.source;
  if (c->protection_bundle) all += ToString(*c->protection_bundle);
  return all;
}

void ExpectDoctypeRefused(const std::string& xml) {
  auto t0 = std::chrono::steady_clock::now();
  auto c = ParseDomainXml(xml);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_FALSE(c.ok()) << xml;
  EXPECT_EQ(c.error().code(), Code::kMalformed);
  EXPECT_NE(c.error().message().find("<!DOCTYPE>"), std::string::npos) << c.error().message();
  EXPECT_EQ(c.error().message().find('\n'), std::string::npos);
  EXPECT_LT(ms.count(), 1000) << "refusal took " << ms.count() << " ms";
}

TEST(DomainXml, RefusesBillionLaughs) {
  std::string xml = "<?xml version='1.0'?>\n<!DOCTYPE domain [\n <!ENTITY lol 'lol'>\n";
  std::string prev = "lol";
  for (int i = 1; i <= 9; ++i) {
    std::string name = "lol" + std::to_string(i);
    xml += " <!ENTITY " + name + " '";
    for (int j = 0; j < 10; ++j) xml += "&" + prev + ";";
    xml += "'>\n";
    prev = name;
  }
  xml += "]>\n<domain type='kvm'><name>&lol9;</name><memory>1</memory><vcpu>1</vcpu></domain>";
  ExpectDoctypeRefused(xml);
}

TEST(DomainXml, RefusesExternalEntitiesAndNeverReadsTheFile) {
  const std::string passwd = EtcPasswd();
  ASSERT_NE(passwd.find("root:"), std::string::npos) << "test needs a readable /etc/passwd";
  const std::vector<std::string> attacks = {
      // Classic XXE into an element.
      "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
      "<domain type='kvm'><name>&xxe;</name><memory>1</memory><vcpu>1</vcpu></domain>",
      // Into the kernel command line and a disk source attribute.
      "<!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
      "<domain type='kvm'><name>d</name><memory>1</memory><vcpu>1</vcpu>"
      "<os><cmdline>&xxe;</cmdline></os><devices><disk type='file'><source file='&xxe;'/>"
      "<target dev='vda'/></disk></devices></domain>",
      // Parameter entity pulling an external DTD.
      "<!DOCTYPE domain [<!ENTITY % ext SYSTEM 'file:///etc/passwd'> %ext;]>"
      "<domain type='kvm'><name>d</name><memory>1</memory><vcpu>1</vcpu></domain>",
      // External DTD subset.
      "<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>"
      "<domain type='kvm'><name>d</name><memory>1</memory><vcpu>1</vcpu></domain>",
      // Network entity (would also be blocked by XML_PARSE_NONET).
      "<!DOCTYPE domain [<!ENTITY xxe SYSTEM 'http://127.0.0.1:1/x'>]>"
      "<domain type='kvm'><name>&xxe;</name><memory>1</memory><vcpu>1</vcpu></domain>",
  };
  for (const std::string& xml : attacks) {
    ExpectDoctypeRefused(xml);
    const std::string seen = Observable(ParseDomainXml(xml));
    EXPECT_EQ(seen.find("root:"), std::string::npos) << seen;
    for (size_t line_end, pos = 0; (line_end = passwd.find('\n', pos)) != std::string::npos; pos = line_end + 1) {
      std::string line = passwd.substr(pos, line_end - pos);
      if (line.size() > 8) {
        EXPECT_EQ(seen.find(line), std::string::npos) << "leaked: " << line;
      }
    }
  }
}

TEST(DomainXml, RefusesEvenAHarmlessDoctype) {
  ExpectDoctypeRefused("<!DOCTYPE domain><domain type='kvm'><name>d</name><memory>1</memory><vcpu>1</vcpu></domain>");
}

TEST(DomainXml, RefusesUndeclaredEntityReferences) {
  auto c = ParseDomainXml(Domain("<description>&xxe;</description>"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kMalformed);
  EXPECT_NE(c.error().message().find("xxe"), std::string::npos) << c.error().message();
}

TEST(DomainXml, ExpandsOnlyThePredefinedAndCharacterEntities) {
  auto c = ParseDomainXml(Domain("<os><cmdline>a&amp;b &lt;&#x41;&#66;</cmdline></os>"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->os.cmdline, "a&b <AB");
}

TEST(DomainXml, MalformedXmlGivesOneLineWithTheLineNumber) {
  for (const std::string& xml : std::vector<std::string>{
           "<domain type='kvm'>\n<name>d</nam>\n</domain>",
           "<domain type='kvm'><name>d</name>",
           "not xml at all",
           "<domain type='kvm' type='qemu'/>",
           "<domain type='kvm'><name>d</name></domain><extra/>",
           std::string("<domain type='kvm'>\0</domain>", 26),
           "\xff\xfe<\x00",
       }) {
    auto c = ParseDomainXml(xml);
    ASSERT_FALSE(c.ok()) << xml;
    EXPECT_EQ(c.error().code(), Code::kMalformed);
    const std::string& m = c.error().message();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.rfind("domain XML: not well-formed XML at line ", 0), 0u) << m;
  }
  auto c = ParseDomainXml("<domain type='kvm'>\n<name>d</nam>\n</domain>");
  EXPECT_NE(c.error().message().find("line 2"), std::string::npos) << c.error().message();
}

TEST(DomainXml, QuotesHostileValuesOnOneLine) {
  // Character references survive attribute and text normalization as real
  // newlines; a message quoting them must still be one line.
  for (const std::string& xml : std::vector<std::string>{
           "<domain type='kvm'><name>a&#10;b</name><uuid>x&#10;y</uuid><memory>1</memory><vcpu>1</vcpu></domain>",
           "<domain type='kvm'><name>d</name><memory unit='k&#10;'>1</memory><vcpu>1</vcpu></domain>",
           "<domain type='kvm'><name>d</name><memory>1&#13;2</memory><vcpu>1</vcpu></domain>",
           "<domain type='kvm'><name>d</name><memory>1</memory><vcpu>1</vcpu><devices><disk><source file='/x'>"
           "<encryption><secret uuid='&#10;'/></encryption></source><target dev='v&#10;'/></disk></devices></domain>",
       }) {
    auto c = ParseDomainXml(xml);
    ASSERT_FALSE(c.ok()) << xml;
    EXPECT_EQ(c.error().message().find_first_of("\r\n"), std::string::npos) << c.error().message();
    EXPECT_NE(c.error().message().find("\\x0"), std::string::npos) << c.error().message();
  }
}

TEST(DomainXml, RefusesAnEmptyDocument) {
  auto c = ParseDomainXml("");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kMalformed);
}

TEST(DomainXml, EnforcesTheSizeLimit) {
  const std::string head = "<domain type='kvm'><name>d</name><memory>1</memory><vcpu>1</vcpu><!--";
  const std::string tail = "--></domain>";
  std::string at_limit = head + std::string(kMaxDomainXmlSize - head.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(at_limit.size(), kMaxDomainXmlSize);
  EXPECT_TRUE(ParseDomainXml(at_limit).ok());

  std::string over = head + std::string(kMaxDomainXmlSize - head.size() - tail.size() + 1, 'x') + tail;
  auto c = ParseDomainXml(over);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kMalformed);
  EXPECT_EQ(c.error().message(), "domain XML: 1048577 bytes exceeds the limit of 1048576 bytes");
}

TEST(DomainXml, RefusesExcessiveNestingWithoutCrashing) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  for (int i = 0; i < 5000; ++i) deep += "</a>";
  auto c = ParseDomainXml(Domain("<metadata>" + deep + "</metadata>"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kMalformed);
  EXPECT_NE(c.error().message().find("depth"), std::string::npos) << c.error().message();
  EXPECT_EQ(c.error().message().find("XML_PARSE_HUGE"), std::string::npos) << c.error().message();
}

// --- VirtioChannelSocketPath --------------------------------------------------

constexpr const char* kAttestChannel = "org.vouch.attest.0";

// A domain named "d" with `devices` as its <devices> content.
std::string WithDevices(const std::string& devices) { return Domain("<devices>" + devices + "</devices>"); }

// The channel as vm-images/render-domain.sh --protected writes it.
constexpr const char* kRenderedChannel = R"(
    <channel type='unix'>
      <source mode='bind' path='/run/vouch/web1.sock'/>
      <target type='virtio' name='org.vouch.attest.0'/>
    </channel>)";

constexpr const char* kGuestAgentChannel = R"(
    <channel type='unix'>
      <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-3-d/org.qemu.guest_agent.0'/>
      <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>
      <alias name='channel1'/>
      <address type='virtio-serial' controller='0' bus='0' port='2'/>
    </channel>)";

TEST(VirtioChannelSocketPath, FindsTheAttestChannelOfLibvirtsLiveXml) {
  auto path = VirtioChannelSocketPath(ReadTestdata("libvirt_live.xml"), kAttestChannel);
  ASSERT_TRUE(path.ok()) << path.error().ToString();
  EXPECT_EQ(*path, "/tmp/qx/chan.sock");
}

TEST(VirtioChannelSocketPath, FindsTheChannelRenderDomainWrites) {
  auto path = VirtioChannelSocketPath(WithDevices(kRenderedChannel), kAttestChannel);
  ASSERT_TRUE(path.ok()) << path.error().ToString();
  EXPECT_EQ(*path, "/run/vouch/web1.sock");
}

TEST(VirtioChannelSocketPath, PicksTheChannelByName) {
  const std::string xml = WithDevices(std::string(kGuestAgentChannel) + kRenderedChannel);
  auto attest = VirtioChannelSocketPath(xml, kAttestChannel);
  ASSERT_TRUE(attest.ok()) << attest.error().ToString();
  EXPECT_EQ(*attest, "/run/vouch/web1.sock");
  auto agent = VirtioChannelSocketPath(xml, "org.qemu.guest_agent.0");
  ASSERT_TRUE(agent.ok()) << agent.error().ToString();
  EXPECT_EQ(*agent, "/var/lib/libvirt/qemu/channel/target/domain-3-d/org.qemu.guest_agent.0");

  auto other = VirtioChannelSocketPath(WithDevices(kGuestAgentChannel), kAttestChannel);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), Code::kNotFound);
  EXPECT_EQ(other.error().message(),
            "domain 'd' has no virtio channel 'org.vouch.attest.0' bound to a unix socket");
}

TEST(VirtioChannelSocketPath, RefusesAChannelThatIsNotAUnixSocketLibvirtBinds) {
  const std::string pty = R"(<channel type='pty'><source path='/dev/pts/3'/>
      <target type='virtio' name='org.vouch.attest.0'/></channel>)";
  auto path = VirtioChannelSocketPath(WithDevices(pty), kAttestChannel);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), Code::kNotFound);
  EXPECT_EQ(path.error().message(),
            "domain 'd': virtio channel 'org.vouch.attest.0' is type='pty' mode='', expected "
            "type='unix' mode='bind' (a unix socket libvirt binds)");

  const std::string connect = R"(<channel type='unix'><source mode='connect' path='/run/x.sock'/>
      <target type='virtio' name='org.vouch.attest.0'/></channel>)";
  path = VirtioChannelSocketPath(WithDevices(connect), kAttestChannel);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), Code::kNotFound);
  EXPECT_NE(path.error().message().find("mode='connect'"), std::string::npos) << path.error().message();

  // A guestfwd channel is a TCP forward on the user network, never virtio.
  const std::string guestfwd = R"(<channel type='unix'><source mode='bind' path='/run/x.sock'/>
      <target type='guestfwd' address='10.0.2.1' port='4600'/></channel>)";
  path = VirtioChannelSocketPath(WithDevices(guestfwd), kAttestChannel);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), Code::kNotFound);
}

// libvirt fills in the path of a bind channel defined without one at start.
TEST(VirtioChannelSocketPath, SaysToReadTheLiveXmlWhenThePathIsMissing) {
  const std::string no_path = R"(<channel type='unix'><source mode='bind'/>
      <target type='virtio' name='org.vouch.attest.0'/></channel>)";
  auto path = VirtioChannelSocketPath(WithDevices(no_path), kAttestChannel);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), Code::kNotFound);
  EXPECT_NE(path.error().message().find("read the live XML"), std::string::npos) << path.error().message();
}

TEST(VirtioChannelSocketPath, NotFoundWithoutDevices) {
  auto path = VirtioChannelSocketPath(Domain(""), kAttestChannel);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), Code::kNotFound);
  EXPECT_EQ(path.error().message(),
            "domain 'd' has no virtio channel 'org.vouch.attest.0' bound to a unix socket");
}

TEST(VirtioChannelSocketPath, MalformedXmlIsMalformed) {
  for (const std::string& bad :
       {std::string("<domain type='kvm'><devices><channel type='unix'>"), std::string(""),
        std::string("<!DOCTYPE d [<!ENTITY p SYSTEM 'file:///etc/passwd'>]>") + WithDevices(kRenderedChannel),
        std::string("<network><name>d</name></network>")}) {
    auto path = VirtioChannelSocketPath(bad, kAttestChannel);
    ASSERT_FALSE(path.ok()) << bad;
    EXPECT_EQ(path.error().code(), Code::kMalformed) << bad;
  }
}

}  // namespace
}  // namespace vouch::qemu
