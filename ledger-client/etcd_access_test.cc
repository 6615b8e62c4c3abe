// The etcd ledger with TLS, client certificates and etcd authentication
// (DESIGN §6 "Access"), against a real 3-member cluster set up as a
// deployment is (testing/etcd_cluster.h, scripts/etcd-auth-setup.sh): who
// may write is decided by etcd, and every wrong set-up is refused in one
// line that names what to fix.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "testing/etcd_cluster.h"
#include "testing/ledger_world.h"
#include "vouch/ledger/etcd_ledger.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::ledger {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using testing::EtcdCluster;
using testing::World;

#define ASSERT_OK(expr)                            \
  do {                                             \
    auto&& s_ = (expr);                            \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString(); \
  } while (0)

testing::EtcdClusterOptions TlsAuth(int token_ttl_s = 300) {
  testing::EtcdClusterOptions o;
  o.tls_auth = true;
  o.auth_token_ttl_s = token_ttl_s;
  return o;
}

std::unique_ptr<Ledger> OpenAs(const EtcdCluster& c, const std::string& user, const std::string& locator = "") {
  LedgerOptions options;
  options.access = c.Access(user);
  auto ledger = OpenLedger(locator.empty() ? c.Locator() : locator, options);
  if (!ledger.ok()) ADD_FAILURE() << ledger.error().ToString();
  return ledger.ok() ? std::move(ledger).value() : nullptr;
}

std::unique_ptr<LedgerClient> ClientAs(const EtcdCluster& c, const std::string& user) {
  LedgerClientOptions options;
  options.access = c.Access(user);
  auto client = LedgerClient::Open(c.Locator(), options);
  if (!client.ok()) ADD_FAILURE() << client.error().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

// Quick failover for the refusals that are not the client's fault.
EtcdOptions Quick(const LedgerAccess& access) {
  EtcdOptions o;
  o.request_timeout = milliseconds(500);
  o.retry_window = milliseconds(1500);
  o.access = access;
  return o;
}

std::string Key(uint64_t i) {
  std::string d = std::to_string(i);
  return "vouch/log/" + std::string(20 - d.size(), '0') + d;
}

std::string B64(std::string_view s) { return Base64Encode(AsBytes(s)); }

void ExpectOneLine(const Error& error, Code code, const std::string& words) {
  EXPECT_EQ(error.code(), code) << error.ToString();
  EXPECT_NE(error.message().find(words), std::string::npos) << error.message();
  EXPECT_EQ(error.message().find('\n'), std::string::npos) << error.message();
}

// A TLS+auth cluster with a genesis and one registered host, appended with
// the writer's credentials.
class EtcdAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster.ok()) << cluster.error();
    writer = ClientAs(cluster, "writer");
    ASSERT_NE(writer, nullptr);
    ASSERT_OK(writer->Append(w.Genesis(), w.gov[0], testing::kT0));
    ASSERT_OK(writer->Append(testing::HostRegistration(w.host[0]), w.host[0], testing::kT0 + 1));
  }

  EtcdCluster cluster{TlsAuth()};
  World w;
  std::unique_ptr<LedgerClient> writer;
};

TEST_F(EtcdAccess, AReaderRoleCannotPutDeleteOrRewriteLogKeysAndTheLedgerIsUnchanged) {
  const Sha256Digest head = writer->state().head_digest();

  // A host's credentials, used directly against the gateway as an attacker would.
  const LedgerAccess host = cluster.Access("reader");
  const std::string forged = B64("a chain of the attacker's own");
  const std::vector<std::pair<std::string, json>> attacks = {
      {"/v3/kv/put", {{"key", B64(Key(2))}, {"value", forged}}},
      {"/v3/kv/put", {{"key", B64(Key(1))}, {"value", forged}}},
      {"/v3/kv/deleterange", {{"key", B64("vouch/log/")}, {"range_end", B64("vouch/log0")}}},
      {"/v3/kv/deleterange", {{"key", B64(Key(0))}}},
      {"/v3/kv/txn",
       {{"success", json::array({{{"request_delete_range", {{"key", B64(Key(1))}}}},
                                 {{"request_put", {{"key", B64(Key(2))}, {"value", forged}}}}})}}},
  };
  for (const auto& [path, body] : attacks) {
    testing::GatewayReply reply = cluster.PostAs(1, path, body.dump(), host);
    EXPECT_EQ(reply.status, 403) << path << " " << body.dump() << ": " << reply.body;
    EXPECT_NE(reply.body.find("permission denied"), std::string::npos) << reply.body;
  }
  // Through vouch's own append path: refused by etcd, naming the user.
  auto ledger = OpenAs(cluster, "reader");
  ASSERT_NE(ledger, nullptr);
  auto next = Entry::Sign(2, head, testing::kT0 + 2, testing::HostRegistration(w.host[1]), w.host[1]);
  ASSERT_OK(next);
  auto appended = ledger->Append(*next);
  ASSERT_FALSE(appended.ok());
  ExpectOneLine(appended.error(), Code::kIo, "etcd user 'reader' is not permitted to do this");

  // Unchanged, as the reader and the writer both read it.
  auto reader = ClientAs(cluster, "reader");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->state().size(), 2u);
  EXPECT_EQ(reader->state().head_digest(), head);
  ASSERT_OK(writer->Sync());
  EXPECT_EQ(writer->state().size(), 2u);
  // Root (the operator) can write, so the refusals above are the role's.
  EXPECT_TRUE(cluster.Post(0, "/v3/kv/put", json{{"key", B64("vouch/probe")}, {"value", B64("x")}}.dump()));
}

TEST_F(EtcdAccess, TheWriterRoleAppendsAndAReaderOnAnotherMemberWatchesIt) {
  LedgerClientOptions options;
  options.access = cluster.Access("reader");
  auto watcher = LedgerClient::Open(cluster.Locator({2}), options);
  ASSERT_OK(watcher);
  std::thread append([&] {
    std::this_thread::sleep_for(milliseconds(200));
    ASSERT_OK(writer->Append(testing::Revoke(testing::Did(w.host[0]), "owner revoked"), w.host[0],
                             testing::kT0 + 5));
  });
  std::vector<Entry> seen;
  for (int i = 0; i < 50 && seen.empty(); ++i) {
    auto entries = (*watcher)->WaitForNewEntries(milliseconds(500));
    ASSERT_OK(entries);
    seen = *entries;
  }
  append.join();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].type(), EntryType::kRevoke);
  EXPECT_TRUE((*watcher)->state().IsRevoked(testing::Did(w.host[0])));
}

TEST_F(EtcdAccess, EveryWrongSetUpIsRefusedInOneLineNamingWhatToFix) {
  auto head_with = [&](const std::string& locator, const LedgerAccess& access) -> Error {
    auto ledger = EtcdLedger::Open(locator, Quick(access));
    if (!ledger.ok()) return ledger.error();
    auto head = (*ledger)->Head();
    if (head.ok()) return Error(Code::kInternal, "read the head (it should have been refused)");
    return head.error();
  };
  const std::string locator = cluster.Locator();

  // TLS and a trusted client certificate, but no etcd user.
  ExpectOneLine(head_with(locator, cluster.Access("")), Code::kIo,
                "the cluster requires etcd authentication and this client gives no user: set ledger_user and "
                "ledger_password_file");
  // No client certificate.
  LedgerAccess no_cert = cluster.Access("reader");
  no_cert.cert_file.clear();
  no_cert.key_file.clear();
  ExpectOneLine(head_with(locator, no_cert), Code::kUnavailable,
                "it refused this client's TLS certificate (none given: set ledger_cert and ledger_key");
  // A client certificate from a CA the cluster does not trust.
  LedgerAccess intruder = cluster.Access("intruder");
  ExpectOneLine(head_with(locator, intruder), Code::kUnavailable,
                StrCat("ledger_cert '", intruder.cert_file, "' is not signed by a CA the cluster trusts"));
  // The wrong CA: the members' certificates do not verify.
  LedgerAccess wrong_ca = cluster.Access("reader");
  wrong_ca.ca_file = cluster.File("other-ca.pem");
  ExpectOneLine(head_with(locator, wrong_ca), Code::kUnavailable,
                StrCat("its TLS certificate does not verify against ledger_ca '", wrong_ca.ca_file, "'"));
  // Plain HTTP to the TLS cluster.
  std::string plain = "etcd://" + locator.substr(std::string("etcds://").size());
  ExpectOneLine(head_with(plain, {}), Code::kUnavailable, "a TLS cluster (etcds://) reached over plain HTTP?");
  // A wrong password.
  LedgerAccess wrong_password = cluster.Access("reader");
  wrong_password.password_file = cluster.File("wrong.password");
  ASSERT_OK(WriteFile(wrong_password.password_file, AsBytes("not-it\n"), 0600));
  ExpectOneLine(head_with(locator, wrong_password), Code::kIo,
                StrCat("wrong user or password (ledger_user 'reader', ledger_password_file '",
                       wrong_password.password_file, "')"));

  // Refused before any request: a password file others can read, a key
  // file others can read, half a setting, credentials over plain HTTP.
  LedgerAccess open_password = cluster.Access("reader");
  open_password.password_file = cluster.File("open.password");
  ASSERT_OK(WriteFile(open_password.password_file, AsBytes("x\n"), 0644));
  ExpectOneLine(head_with(locator, open_password), Code::kInvalidArgument,
                StrCat("ledger_password_file '", open_password.password_file,
                       "' is readable by group or others (mode 644; fix: chmod 600"));
  LedgerAccess open_key = cluster.Access("reader");
  open_key.key_file = cluster.File("open.key");
  ASSERT_OK(WriteFile(open_key.key_file, *ReadFile(cluster.Access("reader").key_file), 0640));
  ExpectOneLine(head_with(locator, open_key), Code::kInvalidArgument,
                StrCat("ledger_key '", open_key.key_file, "' is readable by group or others"));
  LedgerAccess half = cluster.Access("reader");
  half.password_file.clear();
  ExpectOneLine(head_with(locator, half), Code::kInvalidArgument, "ledger_user and ledger_password_file go together");
  ExpectOneLine(head_with(plain, cluster.Access("reader")), Code::kInvalidArgument,
                "need TLS: the locator must be etcds://, not etcd://");
  // Nothing above changed the ledger.
  auto reader = ClientAs(cluster, "reader");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->state().head_digest(), writer->state().head_digest());
}

TEST(EtcdToken, AnExpiredTokenIsRenewedAndTheClientCarriesOn) {
  EtcdCluster cluster(TlsAuth(/*token_ttl_s=*/1));
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  World w;
  auto writer = ClientAs(cluster, "writer");
  ASSERT_NE(writer, nullptr);
  ASSERT_OK(writer->Append(w.Genesis(), w.gov[0], testing::kT0));
  // A token taken now, unused while the client idles, expires meanwhile.
  const std::string token = cluster.Authenticate(0, cluster.Access("writer"));
  ASSERT_FALSE(token.empty());
  const std::string read = json{{"key", B64(Key(0))}}.dump();
  ASSERT_EQ(cluster.PostWithToken(0, "/v3/kv/range", read, cluster.Access(""), token).status, 200);
  std::this_thread::sleep_for(milliseconds(3000));
  // The cluster did expire it: the same request with it is refused now.
  testing::GatewayReply stale = cluster.PostWithToken(0, "/v3/kv/range", read, cluster.Access(""), token);
  EXPECT_EQ(stale.status, 401) << stale.body;
  EXPECT_NE(stale.body.find("invalid auth token"), std::string::npos) << stale.body;

  // The client's own token expired the same way; it renews it and carries on.
  ASSERT_OK(writer->Append(testing::HostRegistration(w.host[0]), w.host[0], testing::kT0 + 1));
  ASSERT_OK(writer->Sync());
  EXPECT_EQ(writer->state().size(), 2u);
  auto head = OpenAs(cluster, "reader")->Head();
  ASSERT_OK(head);
  EXPECT_EQ(**head, 1u);
}

}  // namespace
}  // namespace vouch::ledger
