#include "vouch/ledger/sqlite_ledger.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "testing/ledger_world.h"
#include "testing/raw_sqlite.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::ledger {
namespace {

using testing::Did;
using testing::RawSqlite;
using testing::TempDir;
using testing::World;

#define ASSERT_OK(expr)                                          \
  do {                                                           \
    auto&& s_ = (expr);                                          \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString();               \
  } while (0)

std::string Locator(const std::string& path) { return "sqlite://" + path; }

std::unique_ptr<Ledger> Create(const std::string& path) {
  auto ledger = OpenLedger(Locator(path), LedgerOptions{.create_if_missing = true});
  if (!ledger.ok()) ADD_FAILURE() << ledger.error().ToString();
  return std::move(ledger).value();
}

std::unique_ptr<Ledger> Reopen(const std::string& path) {
  auto ledger = OpenLedger(Locator(path));
  if (!ledger.ok()) ADD_FAILURE() << ledger.error().ToString();
  return std::move(ledger).value();
}

// A ledger file holding: 0 genesis, 1-2 validators, 3 did-register (host 0),
// 4-5 certifications, 6 attested, 7 did-register (host 1).
struct SampleLedger {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;

  SampleLedger() {
    auto client = LedgerClient::Open(Create(path));
    auto& c = **client;
    int64_t t = testing::kT0;
    EXPECT_TRUE(c.Append(w.Genesis(), w.gov[0], t++).ok());
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(c.Append(testing::ValidatorRegistration(w.val[i]), w.val[i], t++, {&w.gov[0], &w.gov[1]}).ok());
    }
    DidRegisterBody reg = testing::HostRegistration(w.host[0]);
    EXPECT_TRUE(c.Append(reg, w.host[0], t++).ok());
    EXPECT_TRUE(c.Append(testing::Certification(reg.did, reg.ak_public), w.val[0], t++).ok());
    EXPECT_TRUE(c.Append(testing::Certification(reg.did, reg.ak_public), w.val[1], t++).ok());
    EXPECT_TRUE(c.Append(AttestedBody{RandomBytes(32), "web1", reg.did, {Did(w.val[0])}}, w.host[0], t++).ok());
    EXPECT_TRUE(c.Append(testing::HostRegistration(w.host[1], 2), w.host[1], t++).ok());
    EXPECT_EQ(c.state().size(), 8u);
  }
};

void ExpectRefused(const Error& error, Code code, const std::string& words) {
  EXPECT_EQ(error.code(), code) << error.ToString();
  EXPECT_NE(error.message().find(words), std::string::npos) << error.message();
}

TEST(OpenLedger, AcceptsOnlyAbsoluteSqliteLocators) {
  for (const char* bad : {"sqlite://relative/ledger.db", "sqlite:", "/var/lib/vouch/ledger.db",
                          "file:///x.db", "etcd://", "etcd://127.0.0.1"}) {
    auto l = OpenLedger(bad);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_EQ(l.error().code(), Code::kInvalidArgument) << bad;
  }
  ExpectRefused(OpenLedger("etcd://127.0.0.1").error(), Code::kInvalidArgument,
                "endpoint '127.0.0.1' is not HOST:PORT");
}

TEST(SqliteLedger, MissingLedgerSaysToRunInit) {
  TempDir dir;
  auto l = OpenLedger(Locator(dir.File("none.db")));
  ASSERT_FALSE(l.ok());
  ExpectRefused(l.error(), Code::kNotFound,
                "ledger '" + dir.File("none.db") + "' does not exist (run 'vouch ledger init' first)");
}

TEST(SqliteLedger, NewLedgerIsMarkedAndInWalMode) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  auto ledger = Create(path);
  EXPECT_EQ(ledger->locator(), "sqlite://" + path);
  auto head = ledger->Head();
  ASSERT_OK(head);
  EXPECT_FALSE(head->has_value());
  RawSqlite raw(path);
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Text("PRAGMA application_id"), std::to_string(kSqliteLedgerApplicationId));
  EXPECT_EQ(raw.Text("PRAGMA user_version"), "1");
  // Reopening without create works and sees the same (empty) ledger.
  EXPECT_NE(Reopen(path), nullptr);
}

TEST(SqliteLedger, RefusesFilesThatAreNotVouchLedgers) {
  TempDir dir;
  std::string text = dir.File("notes.txt");
  std::ofstream(text) << "this is not a database, just some text that is long enough\n"
                      << std::string(200, 'x');
  auto l1 = OpenLedger(Locator(text));
  ASSERT_FALSE(l1.ok());
  EXPECT_EQ(l1.error().code(), Code::kMalformed) << l1.error().ToString();

  std::string other = dir.File("other.db");
  {
    sqlite3* db = nullptr;
    sqlite3_open(other.c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  auto l2 = OpenLedger(Locator(other), LedgerOptions{.create_if_missing = true});
  ASSERT_FALSE(l2.ok());
  ExpectRefused(l2.error(), Code::kMalformed, "another application's SQLite database");

  std::string versioned = dir.File("v9.db");
  Create(versioned);
  RawSqlite(versioned).Exec("PRAGMA user_version = 9");
  auto l3 = OpenLedger(Locator(versioned));
  ASSERT_FALSE(l3.ok());
  ExpectRefused(l3.error(), Code::kMalformed, "has format version 9, this vouch reads version 1");
}

TEST(SqliteLedger, AppendIsAppendIfAbsentAtTheNextIndex) {
  TempDir dir;
  auto ledger = Create(dir.File("ledger.db"));
  World w;
  auto genesis = Entry::Sign(0, kGenesisPrev, testing::kT0, w.Genesis(), w.gov[0]);
  auto other_genesis = Entry::Sign(0, kGenesisPrev, testing::kT0 + 1, w.Genesis(), w.gov[1]);
  EXPECT_EQ(*ledger->Append(*genesis), AppendOutcome::kAppended);
  EXPECT_EQ(*ledger->Append(*genesis), AppendOutcome::kAlreadyPresent);
  EXPECT_EQ(*ledger->Append(*other_genesis), AppendOutcome::kIndexTaken);

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
}

TEST(SqliteLedger, ReaderRefusesARowEditedInTheDatabaseNamingItsIndex) {
  SampleLedger s;
  {
    RawSqlite raw(s.path);
    Bytes row = raw.Row(4);
    row[row.size() / 2] ^= 0x01;
    raw.Put(4, row);
  }
  auto ledger = Reopen(s.path);
  auto entries = ledger->ReadRange(0, 100);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().message().rfind("ledger entry 4: ", 0), 0u) << entries.error().message();
  // An edited entry in the middle is not junk to pass over: the next entry
  // no longer links to it, so the client refuses, naming both.
  auto client = LedgerClient::Open(Reopen(s.path));
  ASSERT_FALSE(client.ok());
  ExpectRefused(client.error(), Code::kMalformed, "ledger entry 5 (did-update): prev is ");
  ExpectRefused(client.error(), Code::kMalformed, "; entry 4 was replaced (it is junk: ledger entry 4: ");
  // Entries before the edited one still read.
  EXPECT_EQ(ledger->ReadRange(0, 4)->size(), 4u);
}

TEST(SqliteLedger, ReaderRefusesReorderedRows) {
  SampleLedger s;
  {
    RawSqlite raw(s.path);
    Bytes a = raw.Row(5), b = raw.Row(6);
    raw.Put(5, b);
    raw.Put(6, a);
  }
  auto client = LedgerClient::Open(Reopen(s.path));
  ASSERT_FALSE(client.ok());
  ExpectRefused(client.error(), Code::kMalformed, "ledger entry 7 (did-register): prev is ");
  ExpectRefused(client.error(), Code::kMalformed,
                "entry 6 was replaced (it is junk: ledger entry 6: stored at index 6 but it is entry 5");
}

TEST(SqliteLedger, ReaderRefusesAForgedPrevNamingTheEntry) {
  SampleLedger s;
  // A well-signed entry by a registered host, with a prev that is not entry 7's digest.
  Sha256Digest forged{};
  forged[31] = 1;
  auto e = Entry::Sign(8, forged, testing::kT0, AttestedBody{RandomBytes(32), "web1", Did(s.w.host[1]), {}},
                       s.w.host[1]);
  RawSqlite(s.path).Put(8, e->encoded());
  auto client = LedgerClient::Open(Reopen(s.path));
  ASSERT_FALSE(client.ok());
  ExpectRefused(client.error(), Code::kMalformed, "ledger entry 8 (attested): prev is 0000000000000000…");
}

TEST(SqliteLedger, ReaderRefusesAReplacedEntryThatBreaksTheLinkAfterIt) {
  SampleLedger s;
  // Entry 6 rewritten by its own author with the right prev but another body:
  // signatures verify, entry 7 no longer links to it.
  auto client0 = LedgerClient::Open(Reopen(s.path));
  ASSERT_OK(client0);
  auto replaced = Entry::Sign(6, *(*client0)->state().DigestAt(5), testing::kT0,
                              AttestedBody{RandomBytes(32), "other", Did(s.w.host[0]), {}}, s.w.host[0]);
  RawSqlite(s.path).Put(6, replaced->encoded());
  auto client = LedgerClient::Open(Reopen(s.path));
  ASSERT_FALSE(client.ok());
  ExpectRefused(client.error(), Code::kMalformed, "ledger entry 7 (did-register): prev is ");
}

TEST(SqliteLedger, ReaderRefusesAMissingRow) {
  SampleLedger s;
  RawSqlite(s.path).Exec("DELETE FROM entries WHERE idx = 3");
  auto client = LedgerClient::Open(Reopen(s.path));
  ASSERT_FALSE(client.ok());
  ExpectRefused(client.error(), Code::kMalformed, "ledger entry 3 is missing (the next stored entry is 4)");
}

TEST(SqliteLedger, WaitForIndexSeesAnotherConnectionsAppend) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  auto reader = Create(path);
  World w;
  auto timed_out = reader->WaitForIndex(0, std::chrono::milliseconds(50));
  ASSERT_OK(timed_out);
  EXPECT_FALSE(*timed_out);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto ledger = Reopen(path);
    auto genesis = Entry::Sign(0, kGenesisPrev, testing::kT0, w.Genesis(), w.gov[0]);
    EXPECT_EQ(*ledger->Append(*genesis), AppendOutcome::kAppended);
  });
  auto seen = reader->WaitForIndex(0, std::chrono::seconds(10));
  writer.join();
  ASSERT_OK(seen);
  EXPECT_TRUE(*seen);
}

}  // namespace
}  // namespace vouch::ledger
