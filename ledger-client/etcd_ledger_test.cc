#include "vouch/ledger/etcd_ledger.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "testing/etcd_cluster.h"
#include "testing/ledger_world.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::ledger {
namespace {

using json = nlohmann::json;
using testing::Did;
using testing::EtcdCluster;
using testing::World;
using std::chrono::milliseconds;

#define ASSERT_OK(expr)                                          \
  do {                                                           \
    auto&& s_ = (expr);                                          \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString();               \
  } while (0)

#define START_CLUSTER(name)                       \
  EtcdCluster name;                               \
  ASSERT_TRUE(name.ok()) << name.error()

std::unique_ptr<Ledger> Open(const std::string& locator) {
  auto ledger = OpenLedger(locator);
  if (!ledger.ok()) ADD_FAILURE() << ledger.error().ToString();
  return std::move(ledger).value();
}

std::unique_ptr<LedgerClient> Client(const std::string& locator) {
  auto client = LedgerClient::Open(Open(locator));
  if (!client.ok()) ADD_FAILURE() << client.error().ToString();
  return std::move(client).value();
}

std::string Key(uint64_t i) {
  std::string d = std::to_string(i);
  return "vouch/log/" + std::string(20 - d.size(), '0') + d;
}

std::string B64(std::string_view s) { return Base64Encode(AsBytes(s)); }

// What anyone with write access to the cluster can do, bypassing vouch.
bool RawPut(const EtcdCluster& c, int member, const std::string& key, const Bytes& value) {
  json req = {{"key", B64(key)}, {"value", Base64Encode(value)}};
  return c.Post(member, "/v3/kv/put", req.dump()).has_value();
}

bool RawDelete(const EtcdCluster& c, int member, const std::string& key) {
  return c.Post(member, "/v3/kv/deleterange", json{{"key", B64(key)}}.dump()).has_value();
}

std::optional<Bytes> RawGet(const EtcdCluster& c, int member, const std::string& key) {
  auto reply = c.Post(member, "/v3/kv/range", json{{"key", B64(key)}}.dump());
  if (!reply) return std::nullopt;
  json j = json::parse(*reply);
  if (!j.contains("kvs")) return std::nullopt;
  auto v = Base64Decode(j["kvs"][0].value("value", std::string()));
  if (!v.ok()) return std::nullopt;
  return *v;
}

// How many log keys member `member` holds locally (a serializable read:
// answered from its own copy, without asking the leader).
int64_t LocalCount(const EtcdCluster& c, int member) {
  json req = {{"key", B64("vouch/log/")}, {"range_end", B64("vouch/log0")}, {"count_only", true},
              {"serializable", true}};
  auto reply = c.Post(member, "/v3/kv/range", req.dump(), milliseconds(500));
  if (!reply) return -1;
  json j = json::parse(*reply);
  return j.contains("count") ? std::stoll(j["count"].get<std::string>()) : 0;
}

void ExpectRefused(const Error& error, Code code, const std::string& words) {
  EXPECT_EQ(error.code(), code) << error.ToString();
  EXPECT_NE(error.message().find(words), std::string::npos) << error.message();
}

// Genesis (quorums 2/2/2), validators 0-2 admitted, host 0 registered and
// certified by validators 0 and 1: 7 entries.
void Populate(LedgerClient& c, World& w) {
  int64_t t = testing::kT0;
  ASSERT_OK(c.Append(w.Genesis(), w.gov[0], t++));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(c.Append(testing::ValidatorRegistration(w.val[i]), w.val[i], t++, {&w.gov[0], &w.gov[2]}));
  }
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(c.Append(reg, w.host[0], t++));
  ASSERT_OK(c.Append(testing::Certification(reg.did, reg.ak_public), w.val[0], t++));
  ASSERT_OK(c.Append(testing::Certification(reg.did, reg.ak_public), w.val[1], t++));
}

Bytes VcDigest(int k, int i) { return ToBytes(Sha256(AsBytes(StrCat("vc ", k, " ", i)))); }

TEST(EtcdLocator, ParsesEndpointsAndPrefixAndRefusesMalformedOnes) {
  auto one = ParseEtcdLocator("etcd://127.0.0.1:2379");
  ASSERT_OK(one);
  EXPECT_EQ(one->endpoints, std::vector<std::string>{"127.0.0.1:2379"});
  EXPECT_EQ(one->prefix, "");
  auto three = ParseEtcdLocator("etcd://a:1,b.example:2,[::1]:3/tenants/blue/");
  ASSERT_OK(three);
  EXPECT_EQ(three->endpoints, (std::vector<std::string>{"a:1", "b.example:2", "[::1]:3"}));
  EXPECT_EQ(three->prefix, "tenants/blue");
  for (const char* bad : {"etcd://", "etcd://host", "etcd://:2379", "etcd://h:0", "etcd://h:65536",
                          "etcd://h:12x", "etcd://h:1,", "etcd://h:1,,g:2", "etcd://h:1/", "etcd://h:1/a//b",
                          "sqlite:///x"}) {
    auto l = ParseEtcdLocator(bad);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_EQ(l.error().code(), Code::kInvalidArgument) << bad;
  }
  // OpenLedger hands etcd:// locators to the etcd backend.
  auto ledger = OpenLedger("etcd://127.0.0.1:1/p");
  ASSERT_OK(ledger);
  EXPECT_EQ((*ledger)->locator(), "etcd://127.0.0.1:1/p");
  EXPECT_EQ(dynamic_cast<EtcdLedger&>(**ledger).KeyFor(7), "p/vouch/log/00000000000000000007");
  ExpectRefused(OpenLedger("etcd://127.0.0.1").error(), Code::kInvalidArgument,
                "endpoint '127.0.0.1' is not HOST:PORT");
}

TEST(EtcdLedger, UnreachableClusterIsUnavailableNamingTheLastError) {
  EtcdOptions options;
  options.request_timeout = milliseconds(200);
  options.retry_window = milliseconds(600);
  // Port 1 on loopback: nothing listens there.
  auto ledger = EtcdLedger::Open("etcd://127.0.0.1:1,127.0.0.1:2", options);
  ASSERT_OK(ledger);
  auto head = (*ledger)->Head();
  ASSERT_FALSE(head.ok());
  ExpectRefused(head.error(), Code::kUnavailable, "etcd read the head: no endpoint answered within 600 ms");
}

TEST(EtcdLedger, AppendIsAppendIfAbsentAtTheNextIndex) {
  START_CLUSTER(cluster);
  auto ledger = Open(cluster.Locator());
  auto empty = ledger->Head();
  ASSERT_OK(empty);
  EXPECT_FALSE(empty->has_value());
  World w;
  auto genesis = Entry::Sign(0, kGenesisPrev, testing::kT0, w.Genesis(), w.gov[0]);
  auto other_genesis = Entry::Sign(0, kGenesisPrev, testing::kT0 + 1, w.Genesis(), w.gov[1]);
  EXPECT_EQ(*ledger->Append(*genesis), AppendOutcome::kAppended);
  EXPECT_EQ(*ledger->Append(*genesis), AppendOutcome::kAlreadyPresent);
  EXPECT_EQ(*ledger->Append(*other_genesis), AppendOutcome::kIndexTaken);
  // Stored where DESIGN §6 says, as the encoded bytes.
  EXPECT_EQ(RawGet(cluster, 2, Key(0)), genesis->encoded());

  auto gap = Entry::Sign(2, genesis->digest(), testing::kT0, testing::HostRegistration(w.host[0]), w.host[0]);
  auto l = ledger->Append(*gap);
  ASSERT_FALSE(l.ok());
  ExpectRefused(l.error(), Code::kInvalidArgument, "cannot append entry 2, the next index is 1");

  auto wrong_prev = Entry::Sign(1, other_genesis->digest(), testing::kT0, testing::HostRegistration(w.host[0]),
                                w.host[0]);
  auto p = ledger->Append(*wrong_prev);
  ASSERT_FALSE(p.ok());
  ExpectRefused(p.error(), Code::kInvalidArgument, "entry 1's prev is not the digest of the stored entry 0");

  auto one = Entry::Sign(1, genesis->digest(), testing::kT0, testing::HostRegistration(w.host[0]), w.host[0]);
  EXPECT_EQ(*ledger->Append(*one), AppendOutcome::kAppended);
  EXPECT_EQ(**ledger->Head(), 1u);
  auto entries = ledger->ReadRange(0, 100);
  ASSERT_OK(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].encoded(), genesis->encoded());
  EXPECT_EQ((*entries)[1].digest(), one->digest());
  EXPECT_EQ(ledger->ReadRange(1, 2)->size(), 1u);
  EXPECT_TRUE(ledger->ReadRange(2, 10)->empty());
  // Another prefix is another ledger on the same cluster.
  auto other = Open(cluster.Locator() + "/tenant-b");
  EXPECT_FALSE((*other->Head()).has_value());
}

TEST(EtcdLedger, ReadRawPagesThroughLongRangesInOrder) {
  START_CLUSTER(cluster);
  constexpr int kRows = 300;  // more than one page (256)
  for (int i = 0; i < kRows; ++i) ASSERT_TRUE(RawPut(cluster, i % 3, Key(i), ToBytes(StrCat("row ", i))));
  auto ledger = Open(cluster.Locator());
  auto rows = ledger->ReadRaw(0, 1000);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), size_t{kRows});
  for (int i = 0; i < kRows; ++i) {
    EXPECT_EQ((*rows)[i].index, uint64_t(i));
    EXPECT_EQ(ToString((*rows)[i].encoded), StrCat("row ", i));
  }
  EXPECT_EQ(ledger->ReadRaw(250, 260)->size(), 10u);
  EXPECT_EQ(**ledger->Head(), uint64_t{kRows - 1});
  // A key under the prefix that is not an index is refused, not skipped.
  ASSERT_TRUE(RawPut(cluster, 0, "vouch/log/notanindex", ToBytes("x")));
  auto head = ledger->Head();
  ASSERT_FALSE(head.ok());
  ExpectRefused(head.error(), Code::kMalformed, "ledger key 'vouch/log/notanindex'");
}

TEST(EtcdLedger, AnotherReaderOnAnotherMemberDerivesTheSameViews) {
  START_CLUSTER(cluster);
  World w;
  auto writer = Client(cluster.Locator({0}));
  Populate(*writer, w);
  ASSERT_OK(writer->Append(testing::Revoke(Did(w.host[0]), "PCR 7 drift"), w.val[0], testing::kT0 + 99));
  auto reader = Client(cluster.Locator({2}));
  EXPECT_EQ(reader->state().size(), 8u);
  EXPECT_EQ(reader->state().head_digest(), writer->state().head_digest());
  EXPECT_EQ(reader->state().PendingReports(Did(w.host[0])), std::vector<std::string>{Did(w.val[0])});
  const DidDocument* doc = reader->state().FindHost(Did(w.host[0]));
  ASSERT_NE(doc, nullptr);
  EXPECT_TRUE(doc->certified);
}

TEST(EtcdLedger, ReaderRefusesAValueEditedThroughTheGatewayNamingItsIndex) {
  START_CLUSTER(cluster);
  World w;
  auto writer = Client(cluster.Locator());
  Populate(*writer, w);
  auto row = RawGet(cluster, 1, Key(4));
  ASSERT_TRUE(row.has_value());
  (*row)[row->size() / 2] ^= 0x01;
  ASSERT_TRUE(RawPut(cluster, 1, Key(4), *row));

  auto ledger = Open(cluster.Locator());
  auto entries = ledger->ReadRange(0, 100);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().message().rfind("ledger entry 4: ", 0), 0u) << entries.error().message();
  // Entry 5 no longer links to it: a replaced entry, not junk to pass over.
  auto client = LedgerClient::Open(Open(cluster.Locator({2})));
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().message().find("; entry 4 was replaced (it is junk: ledger entry 4: "),
            std::string::npos)
      << client.error().message();
  EXPECT_EQ(ledger->ReadRange(0, 4)->size(), 4u);
}

TEST(EtcdLedger, ReaderRefusesADeletedEntryAndAppendsDoNotFillTheHole) {
  START_CLUSTER(cluster);
  World w;
  auto writer = Client(cluster.Locator());
  Populate(*writer, w);
  auto saved = RawGet(cluster, 0, Key(3));
  ASSERT_TRUE(saved.has_value());
  ASSERT_TRUE(RawDelete(cluster, 0, Key(3)));
  auto client = LedgerClient::Open(Open(cluster.Locator()));
  ASSERT_FALSE(client.ok());
  ExpectRefused(client.error(), Code::kMalformed, "ledger entry 3 is missing (the next stored entry is 4)");
  // Re-appending the very entry into the hole is refused as well.
  auto e = Entry::Parse(*saved);
  ASSERT_OK(e);
  auto again = Open(cluster.Locator())->Append(*e);
  ASSERT_FALSE(again.ok());
  ExpectRefused(again.error(), Code::kMalformed, "ledger entry 3 is missing");
}

TEST(EtcdLedger, ConcurrentClientsAppendEveryEntryExactlyOnce) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 20;
  START_CLUSTER(cluster);
  World w;
  std::vector<Ed25519PrivateKey> hosts;
  {
    auto setup = Client(cluster.Locator());
    ASSERT_OK(setup->Append(w.Genesis(), w.gov[0], testing::kT0));
    for (int k = 0; k < kWriters; ++k) {
      hosts.push_back(Ed25519PrivateKey::Generate());
      ASSERT_OK(setup->Append(testing::HostRegistration(hosts[k], static_cast<uint8_t>(k)), hosts[k],
                              testing::kT0));
    }
  }
  std::atomic<bool> go{false};
  std::vector<std::thread> writers;
  std::vector<std::string> failures(kWriters);
  for (int k = 0; k < kWriters; ++k) {
    writers.emplace_back([&, k] {
      // Each writer its own client, preferring another member first.
      std::vector<int> order = {k % 3, (k + 1) % 3, (k + 2) % 3};
      auto ledger = OpenLedger(cluster.Locator(order));
      if (!ledger.ok()) { failures[k] = ledger.error().ToString(); return; }
      auto client = LedgerClient::Open(std::move(ledger).value());
      if (!client.ok()) { failures[k] = client.error().ToString(); return; }
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kPerWriter; ++i) {
        AttestedBody body{VcDigest(k, i), StrCat("domain-", k), Did(hosts[k]), {}};
        auto e = (*client)->Append(body, hosts[k], testing::kT0 + i);
        if (!e.ok()) { failures[k] = e.error().ToString(); return; }
      }
    });
  }
  go = true;
  for (auto& t : writers) t.join();
  for (int k = 0; k < kWriters; ++k) EXPECT_EQ(failures[k], "") << "writer " << k;

  auto reader = Client(cluster.Locator({1}));  // verifies the whole chain
  EXPECT_EQ(reader->state().size(), 1u + kWriters + kWriters * kPerWriter);
  std::multiset<Bytes> seen;
  for (const AttestedRecord& a : reader->state().attested()) seen.insert(a.vc_digest);
  ASSERT_EQ(seen.size(), size_t{kWriters * kPerWriter});
  for (int k = 0; k < kWriters; ++k) {
    for (int i = 0; i < kPerWriter; ++i) EXPECT_EQ(seen.count(VcDigest(k, i)), 1u) << k << "/" << i;
  }
}

// As the SQLite test of LedgerClient: separate OS processes (fork+exec of
// testing/ledger_appender), each with its own EtcdLedger on its own
// preferred member, append to one 3-member cluster at the same time.
TEST(EtcdLedger, ConcurrentProcessesAppendEveryEntryExactlyOnce) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 25;
  START_CLUSTER(cluster);
  testing::TempDir dir;
  World w;
  std::vector<Ed25519PrivateKey> hosts;
  {
    auto setup = Client(cluster.Locator());
    ASSERT_OK(setup->Append(w.Genesis(), w.gov[0], testing::kT0));
    for (int k = 0; k < kWriters; ++k) {
      hosts.push_back(Ed25519PrivateKey::Generate());
      ASSERT_OK(hosts[k].SavePem(dir.File(StrCat("host", k, ".pem"))));
      ASSERT_OK(setup->Append(testing::HostRegistration(hosts[k], static_cast<uint8_t>(k)), hosts[k],
                              testing::kT0));
    }
  }
  std::vector<pid_t> children;
  for (int k = 0; k < kWriters; ++k) {
    std::vector<std::string> argv = {VOUCH_LEDGER_APPENDER, cluster.Locator({k % 3, (k + 1) % 3, (k + 2) % 3}),
                                     dir.File(StrCat("host", k, ".pem")), std::to_string(k),
                                     std::to_string(kPerWriter)};
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execv(cargv[0], cargv.data());
      _exit(127);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  auto reader = Client(cluster.Locator({2}));  // verifies the whole chain
  EXPECT_EQ(reader->state().size(), 1u + kWriters + kWriters * kPerWriter);
  std::multiset<Bytes> seen;
  for (const AttestedRecord& a : reader->state().attested()) seen.insert(a.vc_digest);
  ASSERT_EQ(seen.size(), size_t{kWriters * kPerWriter});
  for (int k = 0; k < kWriters; ++k) {
    for (int i = 0; i < kPerWriter; ++i) EXPECT_EQ(seen.count(VcDigest(k, i)), 1u) << k << "/" << i;
  }
}

TEST(EtcdLedger, AppendsContinueWhileTheLeaderIsKilledAndItCatchesUpAfterRestart) {
  constexpr int kEntries = 60;
  START_CLUSTER(cluster);
  World w;
  auto writer = Client(cluster.Locator());
  ASSERT_OK(writer->Append(w.Genesis(), w.gov[0], testing::kT0));
  ASSERT_OK(writer->Append(testing::HostRegistration(w.host[0]), w.host[0], testing::kT0));

  std::atomic<int> appended{0};
  std::string failure;
  std::chrono::steady_clock::duration longest{};
  std::thread appender([&] {
    for (int i = 0; i < kEntries; ++i) {
      auto start = std::chrono::steady_clock::now();
      auto e = writer->Append(AttestedBody{VcDigest(0, i), "web1", Did(w.host[0]), {}}, w.host[0],
                              testing::kT0 + i);
      if (!e.ok()) { failure = StrCat("entry ", i, ": ", e.error().ToString()); return; }
      longest = std::max(longest, std::chrono::steady_clock::now() - start);
      appended = i + 1;
    }
  });
  while (appended < 15 && failure.empty()) std::this_thread::sleep_for(milliseconds(5));
  int victim = cluster.Leader();
  if (victim < 0) victim = 0;
  cluster.Kill(victim);
  int at_kill = appended;
  appender.join();
  ASSERT_EQ(failure, "");
  EXPECT_LT(at_kill, kEntries) << "the member died after the appends ended; the test proves nothing";
  std::cerr << "killed member " << victim << " (leader) after " << at_kill << " appends; longest append "
            << std::chrono::duration_cast<milliseconds>(longest).count() << " ms\n";

  const int64_t total = 2 + kEntries;
  auto survivors = Client(cluster.Locator());
  EXPECT_EQ(survivors->state().size(), uint64_t(total));
  ASSERT_TRUE(cluster.Restart(victim)) << cluster.error();
  // It catches up: its own copy (serializable reads) reaches every entry.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (LocalCount(cluster, victim) != total && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(LocalCount(cluster, victim), total) << cluster.LogTail(victim);
  // Read from it alone: the whole chain verifies and nothing was lost.
  auto from_victim = Client(cluster.Locator({victim}));
  EXPECT_EQ(from_victim->state().size(), uint64_t(total));
  EXPECT_EQ(from_victim->state().head_digest(), writer->state().head_digest());
  std::set<Bytes> seen;
  for (const AttestedRecord& a : from_victim->state().attested()) seen.insert(a.vc_digest);
  for (int i = 0; i < kEntries; ++i) EXPECT_EQ(seen.count(VcDigest(0, i)), 1u) << i;
}

TEST(EtcdLedger, WatcherOnAnotherMemberSeesARevocationAppendedViaOneMember) {
  START_CLUSTER(cluster);
  World w;
  {
    auto setup = Client(cluster.Locator({0}));
    Populate(*setup, w);
  }
  auto watcher = Client(cluster.Locator({2}));
  ASSERT_EQ(watcher->state().size(), 7u);
  auto none = watcher->WaitForEntries(milliseconds(100));
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0u);
  std::chrono::steady_clock::time_point appended_at;
  std::thread revoker([&] {
    std::this_thread::sleep_for(milliseconds(200));
    auto other = Client(cluster.Locator({0}));
    appended_at = std::chrono::steady_clock::now();
    EXPECT_TRUE(other->Append(testing::Revoke(Did(w.host[0]), "decommissioned"), w.host[0], testing::kT0).ok());
  });
  auto got = watcher->WaitForEntries(std::chrono::seconds(10));
  auto seen_at = std::chrono::steady_clock::now();
  revoker.join();
  ASSERT_OK(got);
  EXPECT_EQ(*got, 1u);
  EXPECT_TRUE(watcher->state().IsRevoked(Did(w.host[0])));
  std::cerr << "revocation seen on another member "
            << std::chrono::duration_cast<milliseconds>(seen_at - appended_at).count()
            << " ms after the append started\n";
}

// What `vouch ledger watch` does over etcd: several watchers, each on its own
// member, receive the verified revocation itself (a governance quorum's),
// then a value written behind vouch's back stops every one of them naming it.
TEST(EtcdLedger, WatchersOnEveryMemberGetTheVerifiedEntryAndStopAtATamperedOne) {
  START_CLUSTER(cluster);
  World w;
  {
    auto setup = Client(cluster.Locator({0}));
    Populate(*setup, w);
  }
  std::vector<std::unique_ptr<LedgerClient>> watchers;
  for (int m = 0; m < 3; ++m) watchers.push_back(Client(cluster.Locator({m})));
  const std::string v2 = Did(w.val[2]);
  std::vector<Result<std::vector<Entry>>> got(3, Error(Code::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (int m = 0; m < 3; ++m) {
    threads.emplace_back([&, m] { got[m] = watchers[m]->WaitForNewEntries(std::chrono::seconds(10)); });
  }
  std::this_thread::sleep_for(milliseconds(200));
  auto writer = Client(cluster.Locator({1}));
  ASSERT_OK(writer->Append(testing::Revoke(v2, "Sybil"), w.gov[1], testing::kT0, {&w.gov[2]}));
  for (auto& t : threads) t.join();
  for (int m = 0; m < 3; ++m) {
    SCOPED_TRACE(StrCat("watcher on member ", m));
    ASSERT_OK(got[m]);
    ASSERT_EQ(got[m]->size(), 1u);
    const Entry& e = got[m]->front();
    EXPECT_EQ(e.index(), 7u);
    EXPECT_EQ(e.type(), EntryType::kRevoke);
    EXPECT_EQ(e.body_as<RevokeBody>().subject, v2);
    EXPECT_EQ(e.countersigners(), std::vector<std::string>{Did(w.gov[2])});
    EXPECT_TRUE(watchers[m]->state().IsRevoked(v2));
  }
  // Junk at the next key (`etcdctl put …/8 x`): every watcher passes over
  // it, naming entry 8, and still gets the next honest entry.
  ASSERT_TRUE(RawPut(cluster, 0, Key(8), Bytes{0xa0}));
  for (int m = 0; m < 3; ++m) {
    SCOPED_TRACE(StrCat("watcher on member ", m));
    auto passed = watchers[m]->WaitForNewEntries(std::chrono::seconds(10));
    ASSERT_OK(passed);
    EXPECT_TRUE(passed->empty());
    EXPECT_EQ(watchers[m]->state().size(), 9u);
    ASSERT_EQ(watchers[m]->state().skipped().size(), 1u);
    EXPECT_EQ(watchers[m]->state().skipped()[0].index, 8u);
  }
  ASSERT_OK(writer->Append(testing::Revoke(Did(w.host[0]), "PCR 7 drift"), w.val[0], testing::kT0));
  for (int m = 0; m < 3; ++m) {
    SCOPED_TRACE(StrCat("watcher on member ", m));
    auto next = watchers[m]->WaitForNewEntries(std::chrono::seconds(10));
    ASSERT_OK(next);
    ASSERT_EQ(next->size(), 1u);
    EXPECT_EQ(next->front().index(), 9u);
    EXPECT_EQ(watchers[m]->state().PendingReports(Did(w.host[0])).size(), 1u);
  }
}

TEST(EtcdLedger, WaitForIndexReconnectsWhenTheWatchedMemberDies) {
  START_CLUSTER(cluster);
  World w;
  auto watcher = Open(cluster.Locator({1, 2}));
  auto none = watcher->WaitForIndex(0, milliseconds(50));  // also makes member 1 the preferred one
  ASSERT_OK(none);
  EXPECT_FALSE(*none);
  std::thread chaos([&] {
    std::this_thread::sleep_for(milliseconds(300));
    cluster.Kill(1);  // the watch stream on member 1 ends
    std::this_thread::sleep_for(milliseconds(300));
    auto writer = Open(cluster.Locator({0}));
    auto genesis = Entry::Sign(0, kGenesisPrev, testing::kT0, w.Genesis(), w.gov[0]);
    EXPECT_EQ(*writer->Append(*genesis), AppendOutcome::kAppended);
  });
  auto started = std::chrono::steady_clock::now();
  auto seen = watcher->WaitForIndex(0, std::chrono::seconds(10));
  auto waited = std::chrono::steady_clock::now() - started;
  chaos.join();
  ASSERT_OK(seen);
  EXPECT_TRUE(*seen);
  EXPECT_LT(waited, std::chrono::seconds(5));
}

}  // namespace
}  // namespace vouch::ledger
