#include "vouch/validator/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/validator/server.h"

namespace vouch::validator {
namespace {

TEST(Config, DefaultsAndStateDirKeyFiles) {
  auto c = ParseVouchdFlags({"--state-dir", "/var/lib/vouchd", "--hosts=/etc/vouch/hosts"});
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, kDefaultPort);
  EXPECT_EQ(c->key_file, "/var/lib/vouchd/validator.pem");
  EXPECT_EQ(c->hpke_key_file, "/var/lib/vouchd/hpke.key");
  EXPECT_EQ(c->hosts_file, "/etc/vouch/hosts");
  EXPECT_EQ(c->fault, Fault::kNone);
  EXPECT_EQ(c->max_body_bytes, kDefaultMaxBodyBytes);
}

TEST(Config, EveryFlag) {
  auto c =
      ParseVouchdFlags({"--listen", "[::1]:7401", "--key", "k.pem", "--hpke-key", "h.key", "--init",
                        "--ledger", "sqlite:///tmp/l.db", "--genesis", std::string(64, 'a'),
                        "--nonce-validity=10", "--max-body",
                        "65536", "--threads", "4", "--timeout", "1500ms", "--fault=wrong-share"},
                       VouchdFlagOptions{.allow_fault = true});
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 7401);
  EXPECT_EQ(c->key_file, "k.pem");
  EXPECT_TRUE(c->init);
  EXPECT_EQ(c->ledger, "sqlite:///tmp/l.db");
  ASSERT_TRUE(c->genesis.has_value());
  EXPECT_EQ((*c->genesis)[31], 0xaa);
  EXPECT_EQ(c->nonce_validity, std::chrono::seconds(10));
  EXPECT_EQ(c->max_body_bytes, 65536u);
  EXPECT_EQ(c->threads, 4u);
  EXPECT_EQ(c->timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->fault, Fault::kWrongShare);
}

TEST(Config, DosLimitFlagsAndTheirDefaults) {
  auto c = ParseVouchdFlags({"--state-dir", "d", "--hosts", "h", "--queue", "0",
                             "--peer-connections=2", "--request-deadline", "3", "--keep-alive", "0s",
                             "--challenge-rate", "7", "--challenge-burst", "9", "--host-challenges",
                             "11", "--host-vcs", "13"});
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->max_queue, 0u);
  EXPECT_EQ(c->peer_connections, 2u);
  EXPECT_EQ(c->request_deadline, std::chrono::seconds(3));  // a bare number is seconds
  EXPECT_EQ(c->keep_alive, std::chrono::seconds(0));
  EXPECT_EQ(c->challenge_rate, 7);
  EXPECT_EQ(c->challenge_burst, 9u);
  EXPECT_EQ(c->host_challenges, 11u);
  EXPECT_EQ(c->host_vcs, 13u);

  // vouchd's defaults are the library's.
  VouchdConfig d;
  ServerOptions server;
  ChallengeOptions challenge;
  EXPECT_EQ(d.threads, server.threads);
  EXPECT_EQ(d.max_queue, server.max_queue);
  EXPECT_EQ(d.peer_connections, server.max_peer_connections);
  EXPECT_EQ(d.request_deadline, server.request_timeout);
  EXPECT_EQ(d.keep_alive, server.keep_alive_timeout);
  EXPECT_EQ(d.timeout, server.read_timeout);
  EXPECT_EQ(static_cast<double>(d.challenge_rate), server.challenge_rate);
  EXPECT_EQ(d.challenge_burst, server.challenge_burst);
  EXPECT_EQ(d.host_challenges, challenge.answered_per_host);
  EXPECT_EQ(d.nonce_validity.count(), challenge.validity_s);
  EXPECT_EQ(d.host_vcs, ReplayCache::kDefaultPerHost);
}

TEST(Config, RefusesBadFlagsNamingThem) {
  struct Case {
    std::vector<std::string> args;
    std::string reason;
  };
  std::vector<Case> cases = {
      {{"--state-dir", "d", "--hosts", "h", "--bogus"}, "unknown flag --bogus"},
      {{"--state-dir", "d", "--hosts"}, "flag --hosts needs a value"},
      {{"--state-dir", "d", "--hosts", "h", "stray"}, "unexpected argument 'stray'"},
      {{"--state-dir", "d", "--hosts", "h", "--listen", "localhost"},
       "--listen: expected HOST:PORT"},
      {{"--state-dir", "d", "--hosts", "h", "--listen", "127.0.0.1:70000"}, "--listen port"},
      {{"--state-dir", "d", "--hosts", "h", "--threads", "0"},
       "--threads: expected a number from 1"},
      {{"--state-dir", "d", "--hosts", "h", "--peer-connections", "0"},
       "--peer-connections: expected a number from 1 to 65536, got '0'"},
      // Durations take a unit (or none: seconds), within their range.
      {{"--state-dir", "d", "--hosts", "h", "--timeout", "5x"},
       "--timeout: '5x' is not a duration: write a whole number with ms, s, m or h (e.g. 500ms, 30s, 5m); a "
       "bare number is seconds"},
      {{"--state-dir", "d", "--hosts", "h", "--timeout", "0s"}, "--timeout '0s' must be 1s..5m"},
      {{"--state-dir", "d", "--hosts", "h", "--keep-alive", "301"}, "--keep-alive '301' must be 0s..5m"},
      {{"--state-dir", "d", "--hosts", "h", "--nonce-validity", "1500ms"},
       "--nonce-validity '1500ms' must be a whole number of seconds"},
      {{"--state-dir", "d", "--hosts", "h", "--fault", "wrong-share"},
       "unknown flag --fault (fault injection exists only in the test binary vouchd-byzantine)"},
      {{"--hosts", "h"}, "no key files"},
      {{"--state-dir", "d"}, "give exactly one host directory"},
      {{"--state-dir", "d", "--hosts", "h", "--ledger", "sqlite:///x"},
       "give exactly one host directory"},
      // A ledger is trusted only from a pinned genesis.
      {{"--state-dir", "d", "--ledger", "sqlite:///x"}, "--ledger needs --genesis HEX"},
      {{"--state-dir", "d", "--ledger", "sqlite:///x", "--genesis", "zz"},
       "--genesis: 'zz' is not a genesis digest (64 hex digits"},
  };
  for (const Case& c : cases) {
    auto r = ParseVouchdFlags(c.args);
    ASSERT_FALSE(r.ok()) << c.reason;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c.reason), std::string::npos) << r.error().message();
  }
}

TEST(Config, TheTestBinaryNamesAnUnknownFault) {
  auto evil = ParseVouchdFlags({"--state-dir", "d", "--hosts", "h", "--fault", "evil"},
                               VouchdFlagOptions{.allow_fault = true});
  ASSERT_FALSE(evil.ok());
  EXPECT_NE(evil.error().message().find("unknown fault 'evil'"), std::string::npos) << evil.error().message();
}

TEST(Config, ListenAddressForms) {
  auto v4 = ParseListenAddress("0.0.0.0:7401");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->first, "0.0.0.0");
  EXPECT_EQ(v4->second, 7401);
  auto v6 = ParseListenAddress("[::]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::");
  EXPECT_FALSE(ParseListenAddress(":7401").ok());
  EXPECT_FALSE(ParseListenAddress("::1:7401").ok());
  EXPECT_FALSE(ParseListenAddress("host:").ok());
}

TEST(Fault, NamesRoundTrip) {
  for (Fault f :
       {Fault::kNone, Fault::kWrongShare, Fault::kBadCountersignature, Fault::kRefuseAll}) {
    auto back = ParseFault(FaultName(f));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, f);
  }
}

}  // namespace
}  // namespace vouch::validator

namespace vouch::validator {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/vouchd-config-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  return path;
}

TEST(ConfigFile, SettingsComeFromTheFileAndFlagsOverrideThem) {
  std::string path = WriteTemp(
      "# a vouchd\n"
      "listen = 127.0.0.1:7401\n"
      "state-dir = /var/lib/vouchd\n"
      "ledger = sqlite:///var/lib/vouch/ledger.db\n"
      "genesis = " + std::string(64, 'b') + "\n"
      "  threads=2  \n"
      "peer-connections = 3\n"
      "init = true\n");
  auto c = ParseVouchdFlags({"--config", path, "--threads", "6"});
  ::unlink(path.c_str());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->port, 7401);
  EXPECT_EQ(c->key_file, "/var/lib/vouchd/validator.pem");
  EXPECT_EQ(c->ledger, "sqlite:///var/lib/vouch/ledger.db");
  EXPECT_EQ((*c->genesis)[0], 0xbb);
  EXPECT_EQ(c->threads, 6u);  // the command line wins
  EXPECT_EQ(c->peer_connections, 3u);
  EXPECT_TRUE(c->init);
}

TEST(ConfigFile, TheLedgerAccessComesFromTheFileOrFlags) {
  std::string path = WriteTemp(
      "state-dir = /var/lib/vouchd\n"
      "ledger = etcds://10.0.0.1:2379,10.0.0.2:2379\n"
      "genesis = " + std::string(64, 'b') + "\n"
      "ledger-ca = /etc/vouchd/etcd/ca.pem\n"
      "ledger-cert = /etc/vouchd/etcd/client.pem\n"
      "ledger-key = /etc/vouchd/etcd/client.key\n"
      "ledger-user = validator-1\n"
      "ledger-password-file = /etc/vouchd/etcd/password\n");
  auto c = ParseVouchdFlags({"--config", path, "--ledger-user", "validator-2"});
  ::unlink(path.c_str());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->ledger_access.ca_file, "/etc/vouchd/etcd/ca.pem");
  EXPECT_EQ(c->ledger_access.cert_file, "/etc/vouchd/etcd/client.pem");
  EXPECT_EQ(c->ledger_access.key_file, "/etc/vouchd/etcd/client.key");
  EXPECT_EQ(c->ledger_access.user, "validator-2");  // the command line wins
  EXPECT_EQ(c->ledger_access.password_file, "/etc/vouchd/etcd/password");
  auto bad = ParseVouchdFlags({"--state-dir", "d", "--hosts", "h", "--ledger-password", "x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unknown flag --ledger-password"), std::string::npos);
}

TEST(ConfigFile, ABadDurationNamesItsLineInOneLine) {
  std::string path = WriteTemp("state-dir = /x\n# limits\ntimeout = 5 seconds\n");
  auto bad = ParseVouchdFlags({"--config=" + path, "--hosts", "h"});
  ::unlink(path.c_str());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kConfig);
  EXPECT_EQ(bad.error().message(),
            StrCat("vouchd config '", path, "' line 3: --timeout: '5 seconds' is not a duration: write a whole "
                   "number with ms, s, m or h (e.g. 500ms, 30s, 5m); a bare number is seconds"));
  std::string long_path = WriteTemp("state-dir = /x\nkeep-alive = 10m\n");
  auto too_long = ParseVouchdFlags({"--config=" + long_path, "--hosts", "h"});
  ::unlink(long_path.c_str());
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), Code::kConfig);
  EXPECT_EQ(too_long.error().message(),
            StrCat("vouchd config '", long_path, "' line 2: --keep-alive '10m' must be 0s..5m"));
  std::string good = WriteTemp("state-dir = /x\ntimeout = 2s\nkeep-alive = 0\n");
  auto read = ParseVouchdFlags({"--config=" + good, "--hosts", "h"});
  ::unlink(good.c_str());
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(read->timeout, std::chrono::seconds(2));
  EXPECT_EQ(read->keep_alive, std::chrono::seconds(0));
}

TEST(ConfigFile, UnknownSettingAndMissingFileAreNamed) {
  std::string path = WriteTemp("state-dir = /x\nlisten 127.0.0.1:1\n");
  auto bad = ParseVouchdFlags({"--config=" + path});
  ::unlink(path.c_str());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kConfig);
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos) << bad.error().message();

  auto missing = ParseVouchdFlags({"--config", "/nonexistent/vouchd.conf"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kConfig);
  EXPECT_NE(missing.error().message().find("/nonexistent/vouchd.conf"), std::string::npos);
}

// The commented /etc/vouch/vouchd.conf the package ships: it parses, names
// every setting an operator may set, and the defaults it shows are vouchd's.
TEST(ConfigFile, TheShippedExampleParsesNamesEverySettingAndShowsTheTrueDefaults) {
  const std::string shipped = StrCat(VOUCH_SOURCE_DIR, "/packaging/etc/vouchd.conf");
  auto text = ReadFile(shipped);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  const std::string example(text->begin(), text->end());
  for (std::string_view name : VouchdSettingNames()) {
    if (name == "hosts" || name == "fault") continue;  // tests only
    bool shown = example.find(StrCat("\n#", name, " =")) != std::string::npos ||
                 example.find(StrCat("\n", name, " =")) != std::string::npos;
    EXPECT_TRUE(shown) << "packaging/etc/vouchd.conf does not show '" << name << "'";
  }
  auto as_shipped = ParseVouchdFlags({"--config", shipped, "--hosts", "/x"});
  ASSERT_TRUE(as_shipped.ok()) << as_shipped.error().ToString();
  EXPECT_EQ(as_shipped->state_dir, "/var/lib/vouchd");
  // Every commented "#name = value" with a concrete value, uncommented.
  std::string uncommented;
  for (size_t at = 0; at < example.size();) {
    size_t end = example.find('\n', at);
    std::string line = example.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? example.size() : end + 1;
    bool setting = line.size() > 1 && line[0] == '#' && line[1] != ' ' && line.find(" = ") != std::string::npos;
    if (setting && line.find('<') == std::string::npos && line.back() != '=') line.erase(0, 1);
    uncommented += line + "\n";
  }
  std::string path = WriteTemp(uncommented);
  auto as_documented = ParseVouchdFlags({"--config", path, "--hosts", "/x"});
  ::unlink(path.c_str());
  ASSERT_TRUE(as_documented.ok()) << as_documented.error().ToString();
  const VouchdConfig& a = *as_shipped;
  const VouchdConfig& d = *as_documented;
  EXPECT_EQ(d.host, a.host);
  EXPECT_EQ(d.port, a.port);
  EXPECT_EQ(d.init, a.init);
  EXPECT_EQ(d.nonce_validity, a.nonce_validity);
  EXPECT_EQ(d.max_body_bytes, a.max_body_bytes);
  EXPECT_EQ(d.threads, a.threads);
  EXPECT_EQ(d.timeout, a.timeout);
  EXPECT_EQ(d.max_queue, a.max_queue);
  EXPECT_EQ(d.peer_connections, a.peer_connections);
  EXPECT_EQ(d.request_deadline, a.request_deadline);
  EXPECT_EQ(d.keep_alive, a.keep_alive);
  EXPECT_EQ(d.challenge_rate, a.challenge_rate);
  EXPECT_EQ(d.challenge_burst, a.challenge_burst);
  EXPECT_EQ(d.host_challenges, a.host_challenges);
  EXPECT_EQ(d.host_vcs, a.host_vcs);
  // ...and the uncommenting did set them: a wrong default shown would differ.
  EXPECT_NE(uncommented.find("\nthreads = 8\n"), std::string::npos);
  EXPECT_NE(uncommented.find("\nlisten = 127.0.0.1:7401\n"), std::string::npos);
}

}  // namespace
}  // namespace vouch::validator
