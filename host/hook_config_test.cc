#include "vouch/host/hook_config.h"

#include <gtest/gtest.h>

#include <string>

#include "measure/testing/temp_dir.h"
#include "vouch/core/bytes.h"
#include "vouch/host/hook_config_keys.h"

namespace vouch::host {
namespace {

using testing::TempDir;

std::string Write(const TempDir& dir, const std::string& text) {
  std::string path = dir / "hook.conf";
  EXPECT_TRUE(WriteFile(path, AsBytes(text), 0600).ok());
  return path;
}

// A value each key accepts.
std::string ValueFor(std::string_view key) {
  if (key == "deadline" || key == "libvirt_timeout") return "1500ms";
  if (key == "genesis") return std::string(64, 'c');
  if (key == "ledger") return "sqlite:///var/lib/vouch/ledger.db";
  if (key == "ledger_append") return "validators";
  return "/x";
}

// The front's list and the parser agree: every listed key parses.
TEST(HookConfig, EveryListedKeyParses) {
  TempDir dir;
  std::string text;
  for (std::string_view key : kHookConfigKeys) text += StrCat(key, " = ", ValueFor(key), "\n");
  auto c = LoadHookConfig(Write(dir, text));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->deadline.count(), 1500);
  EXPECT_EQ(c->ledger, "sqlite:///var/lib/vouch/ledger.db");
  ASSERT_TRUE(c->genesis.has_value());
  EXPECT_EQ((*c->genesis)[0], 0xcc);
  EXPECT_EQ(c->bundle_dir, "/x");
}

TEST(HookConfig, ATypoIsRefusedNamingTheLineAndNeverReadAsDefaults) {
  TempDir dir;
  std::string path = Write(dir, "# vouch\nstate_dir = /run/vouch\nbundel_dir = /srv/bundles\n");
  EXPECT_FALSE(IsHookConfigKey("bundel_dir"));
  for (auto c : {LoadHookConfig(path), LoadHookConfigOrDefaults(path)}) {
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(c.error().message(), StrCat("'", path, "' line 3: unknown key 'bundel_dir'"));
  }
}

TEST(HookConfig, OnlyAMissingFileMeansDefaults) {
  TempDir dir;
  auto c = LoadHookConfigOrDefaults(dir / "none.conf");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bundle_dir, "/etc/vouch/domains");
  auto strict = LoadHookConfig(dir / "none.conf");
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code(), Code::kNotFound);
}

TEST(HookConfig, ALedgerNeedsItsGenesisPin) {
  TempDir dir;
  std::string path = Write(dir, "ledger = sqlite:///l.db\n");
  auto unpinned = LoadHookConfig(path);
  ASSERT_FALSE(unpinned.ok());
  EXPECT_NE(unpinned.error().message().find("'ledger' needs 'genesis = HEX'"), std::string::npos)
      << unpinned.error().message();
  auto bad = LoadHookConfig(Write(dir, "ledger = sqlite:///l.db\ngenesis = 12ab\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("line 2: genesis: '12ab' is not a genesis digest"), std::string::npos)
      << bad.error().message();
}

TEST(HookConfig, ReadsTheLedgerAccessAndWhereTheHostsEntriesGo) {
  TempDir dir;
  auto c = LoadHookConfig(Write(dir, StrCat("ledger = etcds://10.0.0.1:2379,10.0.0.2:2379/vouch\n"
                                            "genesis = ", std::string(64, 'a'), "\n"
                                            "ledger_ca = /etc/vouch/etcd/ca.pem\n"
                                            "ledger_cert = /etc/vouch/etcd/host.pem\n"
                                            "ledger_key = /etc/vouch/etcd/host.key\n"
                                            "ledger_user = host-7\n"
                                            "ledger_password_file = /etc/vouch/etcd/password\n"
                                            "ledger_append = http://10.0.1.1:7400,http://10.0.1.2:7400\n")));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->ledger_access.ca_file, "/etc/vouch/etcd/ca.pem");
  EXPECT_EQ(c->ledger_access.cert_file, "/etc/vouch/etcd/host.pem");
  EXPECT_EQ(c->ledger_access.key_file, "/etc/vouch/etcd/host.key");
  EXPECT_EQ(c->ledger_access.user, "host-7");
  EXPECT_EQ(c->ledger_access.password_file, "/etc/vouch/etcd/password");
  EXPECT_EQ(c->ledger_append, "http://10.0.1.1:7400,http://10.0.1.2:7400");
  std::string path = Write(dir, "state_dir = /run/vouch\nledger_append = 10.0.1.1:7400\n");
  auto bad = LoadHookConfig(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), StrCat("'", path, "' line 2: ledger_append '10.0.1.1:7400': expected direct, "
                                          "validators, or http://HOST:PORT[,…]"));
}

TEST(HookConfig, DurationsTakeAUnitAndABareNumberIsSeconds) {
  TempDir dir;
  auto c = LoadHookConfig(Write(dir, "deadline = 20s\nlibvirt_timeout = 2\n"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->deadline, std::chrono::seconds(20));
  EXPECT_EQ(c->libvirt_timeout, std::chrono::seconds(2));
  EXPECT_EQ(LoadHookConfig(Write(dir, "deadline = 10m\n"))->deadline, std::chrono::minutes(10));
}

TEST(HookConfig, AnOldUnitNamedKeyIsRefusedWithItsNewSpelling) {
  TempDir dir;
  std::string path = Write(dir, "# vouch\nstate_dir = /run/vouch\ndeadline_ms = 20000\n");
  EXPECT_FALSE(IsHookConfigKey("deadline_ms"));  // so the front hands the start to the parser
  for (auto c : {LoadHookConfig(path), LoadHookConfigOrDefaults(path)}) {
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(c.error().message(), StrCat("'", path, "' line 3: 'deadline_ms' was renamed: write 'deadline = 20000ms'"));
  }
  auto libvirt = LoadHookConfig(Write(dir, "libvirt_timeout_ms = 5000\n"));
  ASSERT_FALSE(libvirt.ok());
  EXPECT_NE(libvirt.error().message().find("line 1: 'libvirt_timeout_ms' was renamed: write 'libvirt_timeout = 5000ms'"),
            std::string::npos) << libvirt.error().message();
}

TEST(HookConfig, BadValuesNameTheLine) {
  TempDir dir;
  auto c = LoadHookConfig(Write(dir, "deadline = 0\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("line 1: deadline '0' must be 1ms..10m"), std::string::npos)
      << c.error().message();
  auto unit = LoadHookConfig(Write(dir, "state_dir = /run/vouch\nlibvirt_timeout = 5 s\n"));
  ASSERT_FALSE(unit.ok());
  EXPECT_EQ(unit.error().code(), Code::kInvalidArgument);
  EXPECT_NE(unit.error().message().find("line 2: libvirt_timeout: '5 s' is not a duration: write a whole number "
                                        "with ms, s, m or h"), std::string::npos) << unit.error().message();
  EXPECT_EQ(unit.error().message().find('\n'), std::string::npos);
  auto shape = LoadHookConfig(Write(dir, "tcti\n"));
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.error().message().find("line 1: expected 'key = value'"), std::string::npos);
}

// The commented /etc/vouch/hook.conf the package ships: it names every key,
// reads as the defaults, and the values it shows commented are the defaults.
TEST(HookConfig, TheShippedExampleNamesEveryKeyAndShowsTheTrueDefaults) {
  const std::string shipped = StrCat(VOUCH_SOURCE_DIR, "/packaging/etc/hook.conf");
  auto text = ReadFile(shipped);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  const std::string example(text->begin(), text->end());
  for (std::string_view key : kHookConfigKeys) {
    EXPECT_NE(example.find(StrCat("\n#", key, " =")), std::string::npos)
        << "packaging/etc/hook.conf does not show '" << key << "'";
  }
  auto as_shipped = LoadHookConfig(shipped);
  ASSERT_TRUE(as_shipped.ok()) << as_shipped.error().ToString();
  std::string uncommented;
  int set = 0;
  for (size_t at = 0; at < example.size();) {
    size_t end = example.find('\n', at);
    std::string line = example.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? example.size() : end + 1;
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ' && line.back() != '=') {
      line.erase(0, 1);
      ++set;
    }
    uncommented += line + "\n";
  }
  TempDir dir;
  auto documented = LoadHookConfig(Write(dir, uncommented));
  ASSERT_TRUE(documented.ok()) << documented.error().ToString();
  EXPECT_EQ(set, 12);  // every key with a default
  const HookConfig defaults;
  for (const HookConfig* c : {&*as_shipped, &*documented}) {
    EXPECT_EQ(c->tcti, defaults.tcti);
    EXPECT_EQ(c->host_key, defaults.host_key);
    EXPECT_EQ(c->ak_dir, defaults.ak_dir);
    EXPECT_EQ(c->ledger, "");
    EXPECT_FALSE(c->genesis.has_value());
    EXPECT_EQ(c->audit_dir, defaults.audit_dir);
    EXPECT_EQ(c->bundle_dir, defaults.bundle_dir);
    EXPECT_EQ(c->state_dir, defaults.state_dir);
    EXPECT_EQ(c->libvirt_uri, defaults.libvirt_uri);
    EXPECT_EQ(c->deadline, defaults.deadline);
    EXPECT_EQ(c->libvirt_timeout, defaults.libvirt_timeout);
    EXPECT_EQ(c->pve_config_dir, defaults.pve_config_dir);
    EXPECT_EQ(c->pve_key_dir, defaults.pve_key_dir);
    EXPECT_EQ(c->pve_emulator, defaults.pve_emulator);
    EXPECT_EQ(c->event_log, "");
  }
}

// `vouch host init`'s hook.conf: the shipped example with the new host's
// TPM, key and AK set; everything else stays the commented defaults.
TEST(HookConfig, ANewHostsConfigSetsItsTpmKeyAndAk) {
  TempDir dir;
  std::string text = HookConfigForNewHost("swtpm:port=2321", "/srv/h/host.key", "/srv/h/ak");
  EXPECT_NE(text.find("\ntcti = swtpm:port=2321\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("#tcti ="), std::string::npos) << text;
  EXPECT_NE(text.find("\n#ledger =\n"), std::string::npos) << "the rest stays commented: " << text;
  auto c = LoadHookConfig(Write(dir, text));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->tcti, "swtpm:port=2321");
  EXPECT_EQ(c->host_key, "/srv/h/host.key");
  EXPECT_EQ(c->ak_dir, "/srv/h/ak");
  EXPECT_EQ(c->audit_dir, HookConfig{}.audit_dir);
  EXPECT_EQ(c->ledger, "");
}

}  // namespace
}  // namespace vouch::host
