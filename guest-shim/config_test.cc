#include "vouch/shim/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "measure/testing/temp_dir.h"

namespace vouch::shim {
namespace {

constexpr char kOwner[] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

TEST(ShimConfigTest, DefaultsAndKeys) {
  auto c = ParseShimConfig(StrCat("# comment\nowner = ", kOwner, "\ndomain = 5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f\n"
                                  "grace_s = 30\naction = exec:/bin/true\n"),
                           "shim.conf");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->owner, kOwner);
  EXPECT_EQ(*c->domain, "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f");
  EXPECT_EQ(c->tcti, "device:/dev/tpmrm0");
  EXPECT_EQ(c->state_dir, "/run/vouch");
  EXPECT_EQ(c->channel, "");
  EXPECT_EQ(c->grace_s, 30u);
  EXPECT_EQ(c->action, "exec:/bin/true");
}

TEST(ShimConfigTest, ErrorsNameFileAndLine) {
  auto unknown = ParseShimConfig(StrCat("owner = ", kOwner, "\ncolour = red\n"), "/etc/vouch/shim.conf");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "/etc/vouch/shim.conf:2: unknown key 'colour'");
  auto no_eq = ParseShimConfig("owner\n", "/etc/vouch/shim.conf");
  ASSERT_FALSE(no_eq.ok());
  EXPECT_EQ(no_eq.error().message(), "/etc/vouch/shim.conf:1: expected 'key = value'");
  EXPECT_FALSE(ParseShimConfig("domain = nope\n", "f").ok());
  EXPECT_FALSE(ParseShimConfig("owner = did:web:x\n", "f").ok());
  auto missing = ParseShimConfig("tcti = device:/dev/tpm0\n", "f");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("'owner'"), std::string::npos);
}

TEST(ShimConfigTest, FindsThePortByItsSysfsName) {
  testing::TempDir dir;
  std::string dev = (dir / "dev"), sys = (dir / "sys");
  std::filesystem::create_directories(sys + "/class/virtio-ports/vport0p1");
  std::filesystem::create_directories(sys + "/class/virtio-ports/vport0p2");
  std::filesystem::create_directories(dev);
  std::ofstream(sys + "/class/virtio-ports/vport0p1/name") << "org.qemu.guest_agent.0\n";
  auto none = FindChannel(dev, sys);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(),
            "no virtio-serial port named org.vouch.attest.0 (is the domain's <channel> defined?)");
  std::ofstream(sys + "/class/virtio-ports/vport0p2/name") << "org.vouch.attest.0\n";
  auto found = FindChannel(dev, sys);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, dev + "/vport0p2");
}

}  // namespace
}  // namespace vouch::shim
