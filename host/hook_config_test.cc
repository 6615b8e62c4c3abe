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
  if (key == "deadline_ms" || key == "libvirt_timeout_ms") return "1500";
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

TEST(HookConfig, BadValuesNameTheLine) {
  TempDir dir;
  auto c = LoadHookConfig(Write(dir, "deadline_ms = 0\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("line 1: deadline_ms must be 1..600000 milliseconds"), std::string::npos);
  auto shape = LoadHookConfig(Write(dir, "tcti\n"));
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.error().message().find("line 1: expected 'key = value'"), std::string::npos);
}

}  // namespace
}  // namespace vouch::host
