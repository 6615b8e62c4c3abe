#include "vouch/qemu/launch_policy.h"

#include <gtest/gtest.h>

#include "vouch/qemu/config_digest.h"

namespace vouch::qemu {
namespace {

constexpr const char* kDomain = R"(<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>web1</name>
  <maxMemory slots='4' unit='GiB'>4</maxMemory>
  <memory unit='GiB'>1</memory>
  <vcpu current='1'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>/boot/vmlinuz</kernel>
    <initrd>/boot/initrd.img</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file'><source file='/var/lib/vouch/web1.luks'><encryption format='luks'>
      <secret type='passphrase' uuid='9e6a4b28-7c3f-4d52-8a1e-0f6b2d9c4e71'/></encryption></source>
      <target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>
    <interface type='network'><source network='default'/></interface>
    <interface type='bridge'><source bridge='br0'/></interface>
    <interface type='user'/>
    <interface type='direct'><source dev='eth0'/></interface>
    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
    <channel type='unix'><target type='virtio' name='org.vouch.attest.0'/></channel>
    <graphics type='vnc'/>
  </devices>
</domain>)";

DomainConfig Parsed(const std::string& xml) {
  auto c = ParseDomainXml(xml);
  EXPECT_TRUE(c.ok()) << c.error().ToString();
  return c.ok() ? *c : DomainConfig{};
}

// kDomain with `from` replaced by `to` (which must occur).
std::string Edited(const std::string& from, const std::string& to) {
  std::string xml = kDomain;
  size_t at = xml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? xml : xml.replace(at, from.size(), to);
}

std::string Refusal(const RuntimeLimits& limits, const DomainConfig& config) {
  Status s = CheckLaunchPolicy(limits, config);
  if (s.ok()) return "";
  EXPECT_EQ(s.error().code(), Code::kConfig);
  return s.error().message();
}

TEST(LaunchPolicy, NamesTheFactsThePolicyLists) {
  DomainConfig c = Parsed(kDomain);
  EXPECT_EQ(MemoryCeilingKib(c), 4u << 20);  // the <maxMemory> ceiling, not the 1 GiB start
  std::vector<std::string> nets;
  for (const auto& nic : c.interfaces) nets.push_back(NetFact(nic));
  EXPECT_EQ(nets, (std::vector<std::string>{"default", "br0", "user/", "direct/eth0"}));
  EXPECT_EQ(DiskFact(c.disks[0]), "disk:vda:luks:/var/lib/vouch/web1.luks");
  EXPECT_EQ(DiskFact(c.disks[1]), "cdrom:sda:none:");
  PolicyBoot boot = BootFact(c.os);
  EXPECT_EQ(boot.kernel, "/boot/vmlinuz");
  EXPECT_EQ(boot.cmdline, "console=ttyS0 quiet");
}

TEST(LaunchPolicy, PinnedLimitsAllowExactlyTheSealedDomain) {
  DomainConfig c = Parsed(kDomain);
  EXPECT_EQ(Refusal(PinnedLimitsOf(c), c), "");
}

// Each way of changing what the guest runs between seal and start, refused
// by the limits pinned at seal, naming what changed.
TEST(LaunchPolicy, PinnedLimitsRefuseEachAlteration) {
  RuntimeLimits pinned = PinnedLimitsOf(Parsed(kDomain));
  struct Case {
    std::string from, to, reason;
  } cases[] = {
      {"<kernel>/boot/vmlinuz</kernel>", "<kernel>/tmp/evil</kernel>",
       "boot kernel '/tmp/evil' (the policy's: '/boot/vmlinuz') is not allowed"},
      {"<initrd>/boot/initrd.img</initrd>", "<initrd>/tmp/i</initrd>", "boot initrd '/tmp/i'"},
      {"console=ttyS0 quiet", "console=ttyS0 init=/bin/sh", "boot cmdline 'console=ttyS0 init=/bin/sh'"},
      {"<os>", "<os><loader readonly='yes' type='pflash'>/tmp/OVMF.fd</loader>", "boot loader '/tmp/OVMF.fd'"},
      {"<emulator>/usr/bin/qemu-system-x86_64</emulator>", "<emulator>/tmp/qemu</emulator>",
       "emulator '/tmp/qemu' is not in the policy's emulators_allowed"},
      {"<graphics type='vnc'/>",
       "<graphics type='vnc'/><disk type='file'><source file='/tmp/x.img'/><target dev='vdb'/></disk>",
       "disk 'disk:vdb:none:/tmp/x.img' is not in the policy's disks_allowed"},
      {"<source file='/var/lib/vouch/web1.luks'>", "<source file='/tmp/other.luks'>",
       "disk 'disk:vda:luks:/tmp/other.luks'"},
      {"</devices>", "</devices><qemu:commandline><qemu:arg value='-s'/></qemu:commandline>",
       "<qemu:commandline> arguments ['-s'] differ from the policy's []"},
      {"</devices>",
       "</devices><qemu:commandline><qemu:env name='LD_PRELOAD' value='/tmp/x.so'/></qemu:commandline>",
       "QEMU pass-through settings ['env:LD_PRELOAD=/tmp/x.so'] differ"},
      {"</devices>",
       "</devices><qemu:override><qemu:device alias='ua-disk'><qemu:frontend><qemu:property name='x' "
       "type='string' value='y'/></qemu:frontend></qemu:device></qemu:override>",
       "['override:ua-disk:x=string:y']"},
      {"</devices>", "</devices><qemu:capabilities><qemu:del capability='blockdev'/></qemu:capabilities>",
       "['capability:del:blockdev']"},
      {"<graphics type='vnc'/>", "<graphics type='vnc'/><hostdev mode='subsystem' type='pci'/>",
       "device 'hostdev:pci' is not in the policy's devices_allowed"},
      {"<graphics type='vnc'/>", "<graphics type='vnc'/><graphics type='vnc'/>",
       "device 'graphics:vnc' is not in the policy's devices_allowed"},  // a multiset
      {"<source network='default'/>", "<source network='dmz'/>", "network 'dmz' is not in the policy's nets_allowed"},
      {"<memory unit='GiB'>1</memory>", "<memory unit='GiB'>8</memory>",
       "memory 8388608 KiB exceeds the policy's memory_kib_max of 4194304 KiB"},
      {"<vcpu current='1'>2</vcpu>", "<vcpu>3</vcpu>", "vcpus 3 exceeds the policy's vcpus_max of 2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    std::string reason = Refusal(pinned, Parsed(Edited(c.from, c.to)));
    EXPECT_NE(reason.find(c.reason), std::string::npos) << reason;
  }
}

TEST(LaunchPolicy, AbsentOptionalFieldsAllowAnythingButQemuPassThrough) {
  RuntimeLimits open;
  open.memory_kib_max = 8u << 20;
  open.vcpus_max = 4;
  open.nets_allowed = {"default", "br0", "user/", "direct/eth0"};
  EXPECT_EQ(Refusal(open, Parsed(Edited("<kernel>/boot/vmlinuz</kernel>", "<kernel>/x</kernel>"))), "");
  std::string with_arg = Edited("</devices>", "</devices><qemu:commandline><qemu:arg value='-s'/></qemu:commandline>");
  EXPECT_NE(Refusal(open, Parsed(with_arg)), "");
  open.qemu_args = {"-s"};
  EXPECT_EQ(Refusal(open, Parsed(with_arg)), "");
}

TEST(LaunchPolicy, BootMayBeAnyOfSeveral) {
  DomainConfig c = Parsed(kDomain);
  RuntimeLimits limits = PinnedLimitsOf(c);
  PolicyBoot next = limits.boot_allowed->front();
  next.kernel = "/boot/vmlinuz-6.2";
  limits.boot_allowed->push_back(next);
  EXPECT_EQ(Refusal(limits, Parsed(Edited("<kernel>/boot/vmlinuz</kernel>", "<kernel>/boot/vmlinuz-6.2</kernel>"))),
            "");
  std::string reason = Refusal(limits, Parsed(Edited("<kernel>/boot/vmlinuz</kernel>", "<kernel>/x</kernel>")));
  EXPECT_NE(reason.find("matches none of the policy's 2 allowed configurations"), std::string::npos) << reason;
  limits.boot_allowed->clear();
  EXPECT_NE(Refusal(limits, c).find("no boot is allowed"), std::string::npos);
}

// The validator's input: the canonical config from the host VC gives the
// same verdict as the XML it was made from.
TEST(LaunchPolicy, SameVerdictOnTheCanonicalConfig) {
  RuntimeLimits pinned = PinnedLimitsOf(Parsed(kDomain));
  for (const std::string& xml :
       {std::string(kDomain), Edited("<kernel>/boot/vmlinuz</kernel>", "<kernel>/tmp/evil</kernel>"),
        Edited("</devices>", "</devices><qemu:commandline><qemu:env name='A' value='b'/></qemu:commandline>")}) {
    DomainConfig parsed = Parsed(xml);
    auto canonical = DomainConfigFromCanonical(CanonicalConfigBytes(parsed));
    ASSERT_TRUE(canonical.ok()) << canonical.error().ToString();
    EXPECT_EQ(Refusal(pinned, *canonical), Refusal(pinned, parsed));
  }
}

}  // namespace
}  // namespace vouch::qemu
