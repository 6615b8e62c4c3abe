#include "vouch/validator/lease_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "testing/test_lease.h"

namespace vouch::validator {
namespace {

constexpr int64_t kNow = 1'000'000;

class LeaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vouch-lease-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/leases.sqlite";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Lease MakeLease(std::string launch, std::string host = "did:key:z6MkHost") {
    Lease lease = testing::TestLease(std::move(launch), std::move(host), kNow);
    return lease;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(LeaseStoreTest, DeadlineIsIntervalTimesGraceAfterTheRound) {
  Lease lease = MakeLease("cti:01");
  EXPECT_EQ(lease.deadline, kNow + 6);
  lease.interval_s = UINT32_MAX;
  lease.grace = UINT32_MAX;
  EXPECT_EQ(lease.DeadlineAfter(INT64_MAX - 5), INT64_MAX);  // saturates, never wraps into the past
}

TEST_F(LeaseStoreTest, IsCreatedReadableByItsOwnerOnly) {
  ASSERT_TRUE(LeaseStore::Open(path_).ok());
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(LeaseStoreTest, LeasesSurviveAReopen) {
  Lease lease = MakeLease("cti:01");
  {
    auto store = LeaseStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.error().message();
    ASSERT_TRUE((*store)->Grant(lease).ok());
  }
  auto reopened = LeaseStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  auto found = (*reopened)->Find("cti:01");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, lease);
}

TEST_F(LeaseStoreTest, OnlyLeasesPastTheirDeadlineAreMissedEarliestFirst) {
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok());
  Lease late = MakeLease("cti:01");
  late.deadline = kNow - 10;
  Lease later = MakeLease("cti:02");
  later.deadline = kNow - 20;
  Lease due_now = MakeLease("cti:03");
  due_now.deadline = kNow;  // a deadline is missed only once it has passed
  for (const Lease& l : {late, later, due_now}) ASSERT_TRUE((*store)->Grant(l).ok());

  auto missed = (*store)->Missed(kNow, 10);
  ASSERT_TRUE(missed.ok());
  ASSERT_EQ(missed->size(), 2u);
  EXPECT_EQ((*missed)[0].launch, "cti:02");
  EXPECT_EQ((*missed)[1].launch, "cti:01");
  auto one = (*store)->Missed(kNow, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

TEST_F(LeaseStoreTest, RenewMovesTheDeadlineForwardOnly) {
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Grant(MakeLease("cti:01")).ok());
  ASSERT_TRUE((*store)->Renew("cti:01", kNow + 100).ok());
  EXPECT_EQ((*(*store)->Find("cti:01"))->deadline, kNow + 106);
  // A round replayed from the past (an old timestamp) does not shorten it...
  ASSERT_TRUE((*store)->Renew("cti:01", kNow).ok());
  EXPECT_EQ((*(*store)->Find("cti:01"))->deadline, kNow + 106);
  // ...and renewing keeps the lease off the missed list.
  EXPECT_TRUE((*store)->Missed(kNow + 105, 10)->empty());
  EXPECT_EQ((*store)->Missed(kNow + 107, 10)->size(), 1u);
}

TEST_F(LeaseStoreTest, TheFirstRenewalEndsTheBootAllowance) {
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok());
  Lease lease = MakeLease("cti:02");
  lease.deadline = kNow + 300 + lease.DeadlineAfter(0);  // granted with a guest's boot allowance of 300 s
  ASSERT_TRUE((*store)->Grant(lease).ok());
  // The guest's first round, 20 s later: the host is now due a round
  // within interval x grace, not at the end of the boot allowance.
  ASSERT_TRUE((*store)->Renew("cti:02", kNow + 20).ok());
  EXPECT_EQ((*(*store)->Find("cti:02"))->deadline, lease.DeadlineAfter(kNow + 20));
  EXPECT_EQ((*store)->Missed(lease.DeadlineAfter(kNow + 20) + 1, 10)->size(), 1u);
  // A relaunch's grant restarts the allowance.
  ASSERT_TRUE((*store)->Grant(lease).ok());
  EXPECT_EQ((*(*store)->Find("cti:02"))->deadline, lease.deadline);
}

TEST_F(LeaseStoreTest, AFormat1StoreIsMigratedWithItsLeases) {
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    const char* v1 =
        "CREATE TABLE leases (launch TEXT PRIMARY KEY NOT NULL, host TEXT NOT NULL, domain TEXT NOT NULL, "
        "interval_s INTEGER NOT NULL, grace INTEGER NOT NULL, deadline INTEGER NOT NULL);"
        "INSERT INTO leases VALUES ('cti:03', 'did:key:z6Mkhost', 'd', 2, 3, 1764000500);"
        "PRAGMA application_id = 1986818917; PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    ::chmod(path_.c_str(), 0600);
  }
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  auto held = (*store)->Find("cti:03");
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ((*held)->deadline, 1764000500);
  ASSERT_TRUE((*store)->Renew("cti:03", 1764000100).ok());
  EXPECT_EQ((*(*store)->Find("cti:03"))->deadline, 1764000106);
}

TEST_F(LeaseStoreTest, AFormat2StoreIsMigratedAndLeasesKeepTheirOwner) {
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    const char* v2 =
        "CREATE TABLE leases (launch TEXT PRIMARY KEY NOT NULL, host TEXT NOT NULL, domain TEXT NOT NULL, "
        "interval_s INTEGER NOT NULL, grace INTEGER NOT NULL, deadline INTEGER NOT NULL, "
        "renewed INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO leases VALUES ('cti:04', 'did:key:z6Mkhost', 'd', 2, 3, 1764000500, 1);"
        "PRAGMA application_id = 1986818917; PRAGMA user_version = 2;";
    ASSERT_EQ(sqlite3_exec(raw, v2, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    ::chmod(path_.c_str(), 0600);
  }
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  auto held = (*store)->Find("cti:04");
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ((*held)->deadline, 1764000500);
  EXPECT_EQ((*held)->owner, "");  // not known for a lease granted before format 3
  Lease owned = MakeLease("cti:05");
  owned.owner = "did:key:z6Mkowner";
  ASSERT_TRUE((*store)->Grant(owned).ok());
  owned.deadline = kNow - 1;
  ASSERT_TRUE((*store)->Grant(owned).ok());
  auto missed = (*store)->Missed(kNow, 10);
  ASSERT_TRUE(missed.ok());
  ASSERT_EQ(missed->size(), 1u);
  EXPECT_EQ((*missed)[0].owner, "did:key:z6Mkowner");
}

TEST_F(LeaseStoreTest, RenewOfAnUnknownLaunchIsNotFound) {
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Renew("cti:ff", kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kNotFound);
  EXPECT_NE(s.error().message().find("cti:ff"), std::string::npos);
}

TEST_F(LeaseStoreTest, EndDropsTheLeaseSoItIsNeverMissed) {
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok());
  Lease lease = MakeLease("cti:01");
  lease.deadline = kNow - 1;
  ASSERT_TRUE((*store)->Grant(lease).ok());
  ASSERT_TRUE((*store)->End("cti:01").ok());
  EXPECT_FALSE((*(*store)->Find("cti:01")).has_value());
  EXPECT_TRUE((*store)->Missed(kNow, 10)->empty());
  EXPECT_TRUE((*store)->End("cti:01").ok());  // idempotent
}

TEST_F(LeaseStoreTest, ARelaunchReplacesItsLeaseWithoutTakingRoom) {
  auto store = LeaseStore::Open(path_, /*capacity=*/1, /*per_host=*/1);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Grant(MakeLease("cti:01")).ok());
  Lease again = MakeLease("cti:01");
  again.deadline = kNow + 60;
  ASSERT_TRUE((*store)->Grant(again).ok());
  EXPECT_EQ(*(*store)->Count(), 1u);
  EXPECT_EQ((*(*store)->Find("cti:01"))->deadline, kNow + 60);
}

// The attacker: a certified host that launches domain after domain to fill
// the store. Past its own quota only it is refused; others still get leases.
TEST_F(LeaseStoreTest, OneHostCannotFillTheStoreForEveryone) {
  auto store = LeaseStore::Open(path_, /*capacity=*/10, /*per_host=*/3);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*store)->Grant(MakeLease("cti:a" + std::to_string(i), "did:key:z6MkGreedy")).ok());
  }
  Status refused = (*store)->Grant(MakeLease("cti:a3", "did:key:z6MkGreedy"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kRateLimited);
  EXPECT_NE(refused.error().message().find("did:key:z6MkGreedy"), std::string::npos);
  EXPECT_TRUE((*store)->Grant(MakeLease("cti:b0", "did:key:z6MkHonest")).ok());
}

TEST_F(LeaseStoreTest, AFullStoreRefusesNewLeasesAndKeepsTheOldOnes) {
  auto store = LeaseStore::Open(path_, /*capacity=*/2, /*per_host=*/10);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Grant(MakeLease("cti:01", "did:key:z6MkA")).ok());
  ASSERT_TRUE((*store)->Grant(MakeLease("cti:02", "did:key:z6MkB")).ok());
  Status refused = (*store)->Grant(MakeLease("cti:03", "did:key:z6MkC"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kUnavailable);
  EXPECT_TRUE((*(*store)->Find("cti:01")).has_value());
  EXPECT_TRUE((*(*store)->Find("cti:02")).has_value());
}

TEST_F(LeaseStoreTest, AnIncompleteLeaseIsRefused) {
  auto store = LeaseStore::Open(path_);
  ASSERT_TRUE(store.ok());
  Lease no_grace = MakeLease("cti:01");
  no_grace.grace = 0;
  EXPECT_EQ((*store)->Grant(no_grace).error().code(), Code::kInvalidArgument);
  Lease no_host = MakeLease("cti:01", "");
  EXPECT_EQ((*store)->Grant(no_host).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(*(*store)->Count(), 0u);
}

// The attacker: a local user who made the lease file readable (or planted
// one readable by all) to learn which hosts run what.
TEST_F(LeaseStoreTest, AStoreReadableByOthersIsRefused) {
  ASSERT_TRUE(LeaseStore::Open(path_).ok());
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  auto refused = LeaseStore::Open(path_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("chmod 600"), std::string::npos);
}

TEST_F(LeaseStoreTest, BadPathsAndForeignFilesAreRefusedWithoutBeingTouched) {
  EXPECT_EQ(LeaseStore::Open("leases.sqlite").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(LeaseStore::Open(dir_).error().code(), Code::kInvalidArgument);  // a directory

  std::string text = dir_ + "/notes.txt";
  { std::ofstream(text) << "not a database, and not to be overwritten\n"; }
  ASSERT_EQ(chmod(text.c_str(), 0600), 0);
  auto not_db = LeaseStore::Open(text);
  ASSERT_FALSE(not_db.ok());
  EXPECT_EQ(not_db.error().code(), Code::kMalformed);
  std::ifstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "not a database, and not to be overwritten");

  std::string other = dir_ + "/other.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(chmod(other.c_str(), 0600), 0);
  auto foreign = LeaseStore::Open(other);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code(), Code::kMalformed);
  EXPECT_NE(foreign.error().message().find("another application"), std::string::npos);
}

}  // namespace
}  // namespace vouch::validator
