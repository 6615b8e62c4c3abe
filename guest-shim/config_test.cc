#include "vouch/shim/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vouch/core/bytes.h"

#include "measure/testing/temp_dir.h"

namespace vouch::shim {
namespace {

constexpr char kOwner[] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

TEST(ShimConfigTest, DefaultsAndKeys) {
  auto c = ParseShimConfig(StrCat("# comment\nowner = ", kOwner, "\ndomain = 5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f\n"
                                  "grace = 30\ntimeout = 1500ms\naction = exec:/bin/true\n"),
                           "shim.conf");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->owner, kOwner);
  EXPECT_EQ(*c->domain, "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f");
  EXPECT_EQ(c->tcti, "device:/dev/tpmrm0");
  EXPECT_EQ(c->state_dir, "/run/vouch");
  EXPECT_EQ(c->channel, "");
  EXPECT_EQ(c->grace, std::chrono::seconds(30));  // a bare number is seconds
  EXPECT_EQ(c->timeout, std::chrono::milliseconds(1500));
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

TEST(ShimConfigTest, DurationsTakeAUnitAndAnOldUnitNamedKeyIsRefusedWithItsNewSpelling) {
  const std::string owner = StrCat("owner = ", kOwner, "\n");
  auto c = ParseShimConfig(owner + "grace = 10m\ntimeout = 45s\n", "shim.conf");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->grace, std::chrono::minutes(10));
  EXPECT_EQ(c->timeout, std::chrono::seconds(45));
  struct Case {
    std::string line, message;
  };
  for (const Case& k : std::vector<Case>{
           {"timeout_s = 30", "/etc/vouch/shim.conf:2: 'timeout_s' was renamed: write 'timeout = 30s'"},
           {"grace_s = 600", "/etc/vouch/shim.conf:2: 'grace_s' was renamed: write 'grace = 600s'"},
           {"timeout = 30x", "/etc/vouch/shim.conf:2: timeout: '30x' is not a duration: write a whole number with "
                             "ms, s, m or h (e.g. 500ms, 30s, 5m); a bare number is seconds"},
           {"timeout = 0s", "/etc/vouch/shim.conf:2: timeout '0s' must be 1s..1h"},
           {"grace = 1500ms", "/etc/vouch/shim.conf:2: grace '1500ms' must be a whole number of seconds"}}) {
    auto bad = ParseShimConfig(owner + k.line + "\n", "/etc/vouch/shim.conf");
    ASSERT_FALSE(bad.ok()) << k.line;
    EXPECT_EQ(bad.error().code(), Code::kConfig);
    EXPECT_EQ(bad.error().message(), k.message);
  }
}

// The commented /etc/vouch/shim.conf the package ships: with its owner set,
// every "#key = value" uncommented reads as the defaults it claims.
TEST(ShimConfigTest, TheShippedExampleShowsTheTrueDefaults) {
  auto text = ReadFile(StrCat(VOUCH_SOURCE_DIR, "/packaging/etc/shim.conf"));
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  std::string uncommented;
  int set = 0;
  std::istringstream in(ToString(*text));
  for (std::string line; std::getline(in, line);) {
    bool setting = line.size() > 1 && line[0] == '#' && line[1] != ' ' && line.back() != '=';
    if (setting && line.rfind("#owner", 0) != 0) {
      line.erase(0, 1);
      ++set;
    }
    uncommented += line + "\n";
  }
  EXPECT_EQ(set, 6);  // tcti, state_dir, key_dir, grace, action, timeout
  auto c = ParseShimConfig(StrCat(uncommented, "owner = ", kOwner, "\n"), "shim.conf");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  const ShimConfig defaults;
  EXPECT_EQ(c->tcti, defaults.tcti);
  EXPECT_EQ(c->state_dir, defaults.state_dir);
  EXPECT_EQ(c->key_dir, defaults.key_dir);
  EXPECT_EQ(c->grace, defaults.grace);
  EXPECT_EQ(c->timeout, defaults.timeout);
  EXPECT_EQ(c->action, defaults.action);
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
