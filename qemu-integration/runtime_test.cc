#include "vouch/qemu/runtime.h"

#include <gtest/gtest.h>

namespace vouch::qemu {
namespace {

constexpr const char* kDomain = R"(<domain type='kvm'>
  <name>web1</name>
  <maxMemory slots='4' unit='GiB'>4</maxMemory>
  <memory unit='GiB'>1</memory>
  <vcpu current='1'>2</vcpu>
  <devices>
    <disk type='file'><source file='/var/lib/vouch/web1.luks'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>
    <interface type='network'><source network='default'/></interface>
    <interface type='bridge'><source bridge='br0'/></interface>
    <interface type='user'/>
    <interface type='direct'><source dev='eth0'/></interface>
    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
    <channel type='unix'><target type='virtio' name='org.vouch.attest.0'/></channel>
    <graphics type='vnc'/>
  </devices>
  <launchSecurity type='sev'/>
</domain>)";

TEST(Runtime, MapsTheDomainToTheVouchRtClaim) {
  auto c = ParseDomainXml(kDomain);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  RuntimeConfig rt = RuntimeConfigOf(*c);
  EXPECT_EQ(rt.memory_kib, 4u << 20);  // the <maxMemory> ceiling, not the 1 GiB start
  EXPECT_EQ(rt.vcpus, 2u);             // the maximum, not current=
  EXPECT_EQ(rt.nets, (std::vector<std::string>{"default", "br0", "user/", "direct/eth0"}));
  EXPECT_EQ(rt.disks, (std::vector<std::string>{"vda:/var/lib/vouch/web1.luks", "sda:"}));
  EXPECT_EQ(rt.devices, (std::vector<std::string>{"channel:org.vouch.attest.0", "graphics:vnc",
                                                  "tpm:tpm-crb:emulator"}));
  EXPECT_EQ(rt.launch_security, std::optional<std::string>("sev"));
}

TEST(Runtime, UsesMemoryWhenThereIsNoMaxMemory) {
  auto c = ParseDomainXml("<domain type='kvm'><name>d</name><memory unit='MiB'>512</memory><vcpu>1</vcpu></domain>");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  RuntimeConfig rt = RuntimeConfigOf(*c);
  EXPECT_EQ(rt.memory_kib, 512u * 1024);
  EXPECT_TRUE(rt.nets.empty());
  EXPECT_TRUE(rt.disks.empty());
  EXPECT_TRUE(rt.devices.empty());
  EXPECT_FALSE(rt.launch_security.has_value());
}

TEST(Runtime, ClaimRoundTripsThroughTheHostVcEncoding) {
  auto c = ParseDomainXml(kDomain);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  HostVcClaims claims;
  claims.runtime = RuntimeConfigOf(*c);
  cbor::Value encoded = HostVcClaimsToCbor(claims);
  const cbor::Value* rt = encoded.Find("vouch.rt");
  ASSERT_NE(rt, nullptr);
  ASSERT_NE(rt->Find("nets"), nullptr);
  EXPECT_EQ(rt->Find("nets")->array().size(), 4u);
  EXPECT_EQ(rt->Find("launch_security")->text(), "sev");
}

}  // namespace
}  // namespace vouch::qemu
