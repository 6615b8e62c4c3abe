#include "vouch/qemu/config_digest.h"

#include <gtest/gtest.h>

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

// A protected domain as an owner writes it.
const std::string kBase = R"(<domain type='kvm'>
  <name>web1</name>
  <uuid>0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f20</uuid>
  <description>owner's web server</description>
  <memory unit='MiB'>512</memory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/var/lib/libvirt/qemu/nvram/web1_VARS.fd</nvram>
    <kernel>/boot/vmlinuz</kernel>
    <initrd>/boot/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet</cmdline>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/vouch/web1.luks'>
        <encryption format='luks'><secret type='passphrase' uuid='7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11'/></encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/var/lib/vouch/data.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:11:22:33'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <source bridge='br0'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'><source path='/var/log/web1.serial'/><target port='0'/></serial>
    <channel type='unix'><source mode='bind' path='/run/vouch/web1.sock'/>
      <target type='virtio' name='org.vouch.attest.0'/></channel>
    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
  </devices>
</domain>)";

ConfigDigest DigestOf(const std::string& xml) {
  auto d = ConfigDigestOfXml(xml);
  EXPECT_TRUE(d.ok()) << d.error().ToString() << "\n" << xml;
  return d.ok() ? *d : ConfigDigest{};
}

// kBase with the first occurrence of `from` replaced by `to` (which must exist).
std::string Edit(const std::string& from, const std::string& to, const std::string& xml = kBase) {
  size_t at = xml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return xml;
  std::string out = xml;
  out.replace(at, from.size(), to);
  return out;
}

// --- stable ------------------------------------------------------------------------

TEST(ConfigDigest, IsDeterministic) {
  EXPECT_EQ(DigestOf(kBase), DigestOf(kBase));
  auto c = ParseDomainXml(kBase);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(ConfigDigestOf(*c), ConfigDigest::Of(cbor::Encode(CanonicalConfig(*c))));
}

TEST(ConfigDigest, StableUnderAttributeReordering) {
  std::string x = Edit("<disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>",
                       "<disk device='disk' type='file'>\n      <driver type='raw' name='qemu'/>");
  x = Edit("<type arch='x86_64' machine='pc-q35-7.2'>", "<type machine='pc-q35-7.2' arch='x86_64'>", x);
  x = Edit("<target dev='vda' bus='virtio'/>", "<target bus=\"virtio\"   dev=\"vda\" />", x);
  ASSERT_NE(x, kBase);
  EXPECT_EQ(DigestOf(x), DigestOf(kBase));
}

TEST(ConfigDigest, StableUnderElementReordering) {
  // Swap the two disks, the two interfaces, move the TPM first, and put
  // <vcpu> before <memory> and <initrd> before <kernel>.
  const std::string disk1 = kBase.substr(kBase.find("<disk"), kBase.find("</disk>") + 7 - kBase.find("<disk"));
  std::string x = Edit(disk1 + "\n", "");
  x = Edit("</disk>\n", "</disk>\n    " + disk1 + "\n", x);
  x = Edit("<interface type='bridge'>\n      <source bridge='br0'/>\n      <model type='virtio'/>\n    </interface>\n", "", x);
  x = Edit("<interface type='network'>", "<interface type='bridge'><model type='virtio'/><source bridge='br0'/></interface>\n    <interface type='network'>", x);
  x = Edit("    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>\n", "", x);
  x = Edit("<emulator>", "<tpm model='tpm-crb'><backend version='2.0' type='emulator'/></tpm><emulator>", x);
  x = Edit("<memory unit='MiB'>512</memory>\n  <vcpu placement='static'>2</vcpu>",
           "<vcpu placement='static'>2</vcpu>\n  <memory unit='MiB'>512</memory>", x);
  x = Edit("<kernel>/boot/vmlinuz</kernel>\n    <initrd>/boot/initrd.img</initrd>",
           "<initrd>/boot/initrd.img</initrd><kernel>/boot/vmlinuz</kernel>", x);
  auto a = ParseDomainXml(kBase), b = ParseDomainXml(x);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_NE(a->disks, b->disks) << "the edit should have reordered the disks";
  EXPECT_EQ(DigestOf(x), DigestOf(kBase));
}

TEST(ConfigDigest, StableUnderEquivalentUnitsAndCase) {
  EXPECT_EQ(DigestOf(Edit("<memory unit='MiB'>512</memory>", "<memory>524288</memory>")), DigestOf(kBase));
  EXPECT_EQ(DigestOf(Edit("<memory unit='MiB'>512</memory>", "<memory unit='b'>536870912</memory>")),
            DigestOf(kBase));
  EXPECT_EQ(DigestOf(Edit("uuid='7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11'", "uuid='7C1A0F553D8E4A57B1A42F5E9B0C6D11'")),
            DigestOf(kBase));
}

TEST(ConfigDigest, StableUnderLibvirtGeneratedAliasAddressAndRuntimeState) {
  std::string x = Edit("<domain type='kvm'>", "<domain type='kvm' id='7'>");
  x = Edit("<target dev='vda' bus='virtio'/>",
           "<target dev='vda' bus='virtio'/>\n      <backingStore/>\n      <alias name='virtio-disk0'/>\n"
           "      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>", x);
  x = Edit("<source file='/var/lib/vouch/web1.luks'>", "<source file='/var/lib/vouch/web1.luks' index='1'>", x);
  x = Edit("<model type='virtio'/>",
           "<model type='virtio'/>\n      <target dev='vnet3'/>\n      <alias name='net0'/>\n"
           "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>", x);
  x = Edit("name='org.vouch.attest.0'/>", "name='org.vouch.attest.0' state='connected'/><alias name='channel0'/>"
           "<address type='virtio-serial' controller='0' bus='0' port='1'/>", x);
  x = Edit("</devices>", "</devices>\n  <seclabel type='dynamic' model='dac' relabel='yes'><label>+64055:+64055</label>"
           "</seclabel>\n  <resource><partition>/machine</partition></resource>", x);
  EXPECT_EQ(DigestOf(x), DigestOf(kBase));
}

TEST(ConfigDigest, LibvirtsInactiveAndLiveXmlOfOneDomainHaveOneDigest) {
  // testdata: `virsh dumpxml --inactive` before and `virsh dumpxml` after
  // `virsh start` of one domain (libvirt 9.0, QEMU 7.2); the live XML adds
  // id=, <resource>, <alias> on every device, <backingStore/>, index=,
  // state=, cpu features and <seclabel>.
  const std::string inactive = ReadTestdata("libvirt_inactive.xml");
  const std::string live = ReadTestdata("libvirt_live.xml");
  ASSERT_NE(inactive, live);
  EXPECT_EQ(DigestOf(inactive), DigestOf(live));
}

TEST(ConfigDigest, IgnoresNameDescriptionMetadataAndMac) {
  std::string x = Edit("<name>web1</name>", "<name>web1-renamed</name>");
  x = Edit("<description>owner's web server</description>", "<description>other</description><title>t</title>", x);
  x = Edit("<uuid>0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f20</uuid>",
           "<uuid>11111111-2222-3333-4444-555555555555</uuid><metadata><vouch:protect "
           "xmlns:vouch='urn:vouch:domain:1'>aGVsbG8=</vouch:protect></metadata>", x);
  x = Edit("52:54:00:11:22:33", "52:54:00:aa:bb:cc", x);
  x = Edit("web1_VARS.fd", "other_VARS.fd", x);
  EXPECT_EQ(DigestOf(x), DigestOf(kBase));
}

// --- changes: one case each --------------------------------------------------------

struct ChangeCase {
  std::string name, from, to;
};

class ConfigDigestChanges : public ::testing::TestWithParam<ChangeCase> {};

TEST_P(ConfigDigestChanges, WhenASecurityRelevantFieldChanges) {
  const ChangeCase& c = GetParam();
  EXPECT_NE(DigestOf(Edit(c.from, c.to)), DigestOf(kBase)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    ConfigDigest, ConfigDigestChanges,
    ::testing::Values(
        ChangeCase{"Memory", "<memory unit='MiB'>512</memory>", "<memory unit='MiB'>513</memory>"},
        ChangeCase{"MaxMemory", "<memory unit='MiB'>512</memory>",
                   "<memory unit='MiB'>512</memory><maxMemory slots='2' unit='GiB'>4</maxMemory>"},
        ChangeCase{"Vcpus", "<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>3</vcpu>"},
        ChangeCase{"DiskSource", "/var/lib/vouch/data.img", "/var/lib/vouch/other.img"},
        ChangeCase{"DiskTarget", "<target dev='vdb' bus='virtio'/>", "<target dev='vdc' bus='virtio'/>"},
        ChangeCase{"DiskEncryptionSecret", "7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11",
                   "7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d12"},
        ChangeCase{"DiskEncryptionRemoved",
                   "<encryption format='luks'><secret type='passphrase' uuid='7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11'/></encryption>",
                   ""},
        ChangeCase{"DiskAdded", "</disk>",
                   "</disk><disk type='file'><source file='/x.img'/><target dev='vdz' bus='virtio'/></disk>"},
        ChangeCase{"DiskReadonly", "<target dev='vdb' bus='virtio'/>", "<target dev='vdb' bus='virtio'/><readonly/>"},
        ChangeCase{"Network", "<source network='default'/>", "<source network='isolated'/>"},
        ChangeCase{"Bridge", "<source bridge='br0'/>", "<source bridge='br1'/>"},
        ChangeCase{"InterfaceType", "<interface type='network'>\n      <mac address='52:54:00:11:22:33'/>\n      <source network='default'/>",
                   "<interface type='bridge'>\n      <mac address='52:54:00:11:22:33'/>\n      <source bridge='default'/>"},
        ChangeCase{"InterfaceAdded", "</devices>", "<interface type='user'/></devices>"},
        ChangeCase{"KernelCmdline", "console=ttyS0 quiet", "console=ttyS0 quiet init=/bin/sh"},
        ChangeCase{"Kernel", "<kernel>/boot/vmlinuz</kernel>", "<kernel>/boot/vmlinuz.evil</kernel>"},
        ChangeCase{"Initrd", "/boot/initrd.img", "/tmp/initrd.img"},
        ChangeCase{"Loader", "OVMF_CODE_4M.fd", "OVMF_CODE_4M.ms.fd"},
        ChangeCase{"Machine", "machine='pc-q35-7.2'", "machine='pc-i440fx-7.2'"},
        ChangeCase{"DomainType", "<domain type='kvm'>", "<domain type='qemu'>"},
        ChangeCase{"Emulator", "/usr/bin/qemu-system-x86_64", "/tmp/qemu"},
        ChangeCase{"DeviceAdded", "</devices>", "<hostdev mode='subsystem' type='pci'/></devices>"},
        ChangeCase{"DeviceRemoved", "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>", ""},
        ChangeCase{"DeviceChanged", "<backend type='emulator' version='2.0'/>",
                   "<backend type='passthrough'><device path='/dev/tpm0'/></backend>"},
        ChangeCase{"ChannelName", "org.vouch.attest.0", "org.vouch.attest.1"},
        ChangeCase{"LaunchSecurity", "</devices>", "</devices><launchSecurity type='sev'/>"},
        ChangeCase{"QemuCommandline", "</devices>",
                   "</devices><qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                   "<qemu:arg value='-s'/></qemu:commandline>"},
        ChangeCase{"QemuEnv", "</devices>",
                   "</devices><qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                   "<qemu:env name='LD_PRELOAD' value='/tmp/x.so'/></qemu:commandline>"},
        ChangeCase{"QemuOverride", "</devices>",
                   "</devices><qemu:override xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                   "<qemu:device alias='ua-d'><qemu:frontend><qemu:property name='p' type='string' value='v'/>"
                   "</qemu:frontend></qemu:device></qemu:override>"}),
    [](const ::testing::TestParamInfo<ChangeCase>& info) { return info.param.name; });

TEST(ConfigDigest, QemuArgumentOrderMatters) {
  const std::string ns = "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>";
  std::string ab = Edit("</devices>", "</devices>" + ns + "<qemu:arg value='a'/><qemu:arg value='b'/></qemu:commandline>");
  std::string ba = Edit("</devices>", "</devices>" + ns + "<qemu:arg value='b'/><qemu:arg value='a'/></qemu:commandline>");
  EXPECT_NE(DigestOf(ab), DigestOf(ba));
}

// The encoding is the one config_digest.h documents, written out again here
// so that any change to the format is a deliberate one.
TEST(ConfigDigest, CanonicalFormIsTheDocumentedCborMap) {
  auto c = ParseDomainXml(R"(<domain type='qemu'><name>n</name><memory unit='KiB'>2048</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><cmdline>quiet</cmdline></os>
    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
      <disk type='file' device='disk'><driver type='raw'/><source file='/d.luks'>
        <encryption format='luks'><secret type='passphrase' uuid='7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11'/></encryption>
      </source><target dev='vda' bus='virtio'/></disk>
      <interface type='network'><source network='default'/><model type='virtio'/></interface>
      <tpm model='tpm-crb'><backend type='emulator'/></tpm>
    </devices></domain>)");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  using cbor::Value;
  Value expected = Value::Map({
      {"v", 2},
      {"type", "qemu"},
      {"memory_kib", 2048},
      {"max_memory_kib", 0},
      {"vcpus", 1},
      {"os", Value::Map({{"type", "hvm"}, {"arch", "x86_64"}, {"machine", "pc-q35-7.2"}, {"firmware", ""},
                         {"loader", ""}, {"loader_type", ""}, {"loader_secure", ""}, {"nvram_template", ""},
                         {"kernel", ""}, {"initrd", ""}, {"cmdline", "quiet"}})},
      {"emulator", "/usr/bin/qemu-system-x86_64"},
      {"disks", cbor::Array{Value::Map({{"target", "vda"}, {"bus", "virtio"}, {"device", "disk"},
                                        {"type", "file"}, {"source", "/d.luks"}, {"driver_type", "raw"},
                                        {"readonly", false}, {"encryption_format", "luks"},
                                        {"encryption_secret", "7c1a0f55-3d8e-4a57-b1a4-2f5e9b0c6d11"}})}},
      {"interfaces", cbor::Array{Value::Map({{"type", "network"}, {"source", "default"}, {"model", "virtio"}})}},
      {"devices", cbor::Array{Value("tpm:tpm-crb:emulator")}},
      {"launch_security", Value::Null()},
      {"qemu_args", cbor::Array{}},
      {"qemu_passthrough", cbor::Array{}},
  });
  EXPECT_EQ(cbor::Encode(CanonicalConfig(*c)), cbor::Encode(expected))
      << CanonicalConfig(*c).ToDiagnostic() << "\n" << expected.ToDiagnostic();
  EXPECT_EQ(ConfigDigestOf(*c), ConfigDigest::Of(cbor::Encode(expected)));
}

// --- the validator's side: the canonical config read back -----------------------

TEST(CanonicalConfig, ReadsBackToTheSameBytesAndDigest) {
  DomainConfig c = *ParseDomainXml(kBase);
  Bytes encoded = CanonicalConfigBytes(c);
  auto back = DomainConfigFromCanonical(encoded);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(CanonicalConfigBytes(*back), encoded);
  EXPECT_EQ(ConfigDigestOf(*back), ConfigDigestOf(c));
  EXPECT_EQ(back->disks.size(), c.disks.size());
  EXPECT_EQ(back->os.kernel, c.os.kernel);
  EXPECT_TRUE(back->name.empty());  // OUT fields stay empty
}

std::string CanonicalRefusal(const cbor::Value& v) {
  auto r = DomainConfigFromCanonical(cbor::Encode(v));
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Code::kMalformed);
  return r.error().message();
}

TEST(CanonicalConfig, RefusesWhatIsNotExactlyTheCanonicalForm) {
  cbor::Value good = CanonicalConfig(*ParseDomainXml(kBase));
  auto with = [&](const std::string& key, cbor::Value value) {
    cbor::MapEntries m;
    bool replaced = false;
    for (const auto& [k, v] : good.map()) {
      if (k.is_text() && k.text() == key) {
        m.emplace_back(k, value);
        replaced = true;
      } else {
        m.emplace_back(k, v);
      }
    }
    if (!replaced) m.emplace_back(key, std::move(value));
    return cbor::Value::Map(std::move(m));
  };
  EXPECT_EQ(CanonicalRefusal(good), "");
  EXPECT_NE(CanonicalRefusal(with("v", 1)).find("unsupported version"), std::string::npos);
  EXPECT_NE(CanonicalRefusal(with("extra", 1)).find("unknown field"), std::string::npos);
  EXPECT_NE(CanonicalRefusal(with("vcpus", "2")).find("'vcpus'"), std::string::npos);
  EXPECT_NE(CanonicalRefusal(with("launch_security", 7)).find("launch_security"), std::string::npos);
  // Two disks out of their canonical order: decodes, but is not what the digest covers.
  cbor::Array disks = good.Find("disks")->array();
  ASSERT_GE(disks.size(), 2u);
  std::reverse(disks.begin(), disks.end());
  EXPECT_NE(CanonicalRefusal(with("disks", cbor::Value(std::move(disks)))).find("not in canonical form"),
            std::string::npos);
  EXPECT_NE(CanonicalRefusal(cbor::Value(cbor::Array{})).find("not a CBOR map"), std::string::npos);
  EXPECT_FALSE(DomainConfigFromCanonical(Bytes(kMaxCanonicalConfigSize + 1, 0)).ok());
}

TEST(ConfigDigest, OfXmlReportsParseErrors) {
  auto d = ConfigDigestOfXml("<domain");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), Code::kMalformed);
}

}  // namespace
}  // namespace vouch::qemu
