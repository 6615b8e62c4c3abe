#include "vouch/validator/lease_sweeper.h"

#include <gtest/gtest.h>

#include "ledger-client/testing/ledger_world.h"
#include "testing/test_lease.h"
#include "vouch/core/did_key.h"
#include "vouch/core/random.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/validator/ledger_host_directory.h"

namespace vouch::validator {
namespace {

namespace lt = ::vouch::ledger::testing;

#define ASSERT_OK(expr)                            \
  do {                                             \
    auto&& s_ = (expr);                            \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString(); \
  } while (0)

// A real SQLite ledger (revoke_quorum 2) with three admitted validators,
// each with its own lease store of one launch of one host.
class LeaseSweeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = tmp_.File("ledger.db");
    auto writer = Client(/*create=*/true);
    ASSERT_OK(writer->Append(w_.Genesis(), w_.gov[0], t_++));
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK(writer->Append(lt::ValidatorRegistration(w_.val[i]), w_.val[i], t_++,
                               {&w_.gov[0], &w_.gov[1]}));
    }
    auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
    ASSERT_TRUE(dir.ok()) << dir.error().ToString();
    directory_ = std::move(dir).value();
    lease_ = testing::TestLease(StrCat("cti:", HexEncode(RandomBytes(16))), DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did(), now_);
    lease_.owner = DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did();
    for (int i = 0; i < 3; ++i) {
      auto store = LeaseStore::Open(tmp_.File(StrCat("leases-", i, ".sqlite")));
      ASSERT_TRUE(store.ok()) << store.error().ToString();
      ASSERT_OK((*store)->Grant(lease_));
      stores_.push_back(std::move(store).value());
    }
  }

  std::unique_ptr<ledger::LedgerClient> Client(bool create = false) {
    auto ledger = ledger::OpenLedger("sqlite://" + path_, ledger::LedgerOptions{.create_if_missing = create});
    EXPECT_TRUE(ledger.ok()) << ledger.error().ToString();
    auto client = ledger::LedgerClient::Open(std::move(ledger).value());
    EXPECT_TRUE(client.ok()) << client.error().ToString();
    return std::move(client).value();
  }

  Result<SweepOutcome> Sweep(int validator, int64_t at) {
    LeaseSweeper sweeper(*stores_[validator], *directory_, w_.val[validator]);
    return sweeper.SweepOnce(at);
  }

  lt::TempDir tmp_;
  std::string path_;
  lt::World w_;
  int64_t t_ = lt::kT0;
  int64_t now_ = lt::kT0 + 100;
  std::unique_ptr<LedgerHostDirectory> directory_;
  Lease lease_;
  std::vector<std::unique_ptr<LeaseStore>> stores_;
};

TEST_F(LeaseSweeperTest, ALeaseWithinItsDeadlineIsNotReported) {
  auto outcome = Sweep(0, lease_.deadline);
  ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
  EXPECT_EQ(outcome->reported, 0u);
  EXPECT_TRUE((*stores_[0]->Find(lease_.launch)).has_value());
  EXPECT_TRUE(Client()->state().PendingReports(lease_.launch).empty());
}

// The attacker: a host that stops re-attesting to keep a guest running
// unattested. Past the deadline each validator reports it; at revoke_quorum
// the launch credential is revoked, with the reason on the ledger.
TEST_F(LeaseSweeperTest, ASilentHostsLaunchIsRevokedAtTheQuorumOfReports) {
  const int64_t late = lease_.deadline + 4;
  auto first = Sweep(0, late);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->reported, 1u);
  EXPECT_FALSE((*stores_[0]->Find(lease_.launch)).has_value());  // reported once, then ended
  EXPECT_FALSE(directory_->IsRevoked(lease_.launch));  // one vote of the two needed

  // A second pass of the same validator does not vote again.
  auto again = Sweep(0, late + 10);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reported + again->refused, 0u);

  auto second = Sweep(1, late);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->reported, 1u);
  auto client = Client();
  const ledger::Revocation* r = client->state().FindRevocation(lease_.launch);
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->reason.find("missed re-attestation deadline"), std::string::npos) << r->reason;
  EXPECT_NE(r->reason.find(lease_.host), std::string::npos);
  EXPECT_EQ(r->evidence, MissedDeadlineEvidence(lease_));
  EXPECT_EQ(r->decided_by.size(), 2u);
  // The silent host may not relaunch the domain (destroy + start).
  const ledger::Quarantine* q = client->state().FindQuarantine(lease_.host, lease_.domain);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->launch, lease_.launch);
  EXPECT_EQ(q->owner, lease_.owner);  // both reports named the policy's owner: it may lift the quarantine

  // The third validator's report comes after the revocation: the ledger
  // refuses it, and the lease is ended all the same.
  auto third = Sweep(2, late);
  ASSERT_TRUE(third.ok()) << third.error().ToString();
  EXPECT_EQ(third->reported + third->refused, 1u);
  EXPECT_FALSE((*stores_[2]->Find(lease_.launch)).has_value());
}

// The attacker: one rogue validator that claims a deadline was missed. Its
// vote alone revokes nothing.
TEST_F(LeaseSweeperTest, OneValidatorsReportAloneRevokesNothing) {
  auto rogue = Sweep(2, lease_.deadline + 1000);
  ASSERT_TRUE(rogue.ok());
  EXPECT_EQ(rogue->reported, 1u);
  EXPECT_FALSE(Client()->state().IsRevoked(lease_.launch));
  EXPECT_EQ(Client()->state().PendingReports(lease_.launch).size(), 1u);
}

TEST_F(LeaseSweeperTest, ARenewedLeaseIsNotReported) {
  ASSERT_OK(stores_[0]->Renew(lease_.launch, lease_.deadline));  // a round endorsed just in time
  auto outcome = Sweep(0, lease_.deadline + 1);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->reported, 0u);
}

// Fault injection (a ledger that is down cannot be produced on demand with
// SQLite): a reporter that always answers kUnavailable.
class UnreachableLedgerFake : public RevocationReporter {
 public:
  Status Report(const LaunchReport&, const Ed25519PrivateKey&, int64_t) override {
    ++calls;
    return Error(Code::kUnavailable, "ledger unreachable (fault injected)");
  }
  int calls = 0;
};

TEST_F(LeaseSweeperTest, AnUnreachableLedgerKeepsTheLeaseForTheNextPass) {
  UnreachableLedgerFake down;
  LeaseSweeper sweeper(*stores_[0], down, w_.val[0]);
  auto outcome = sweeper.SweepOnce(lease_.deadline + 1);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->deferred, 1u);
  EXPECT_EQ(down.calls, 1);
  EXPECT_TRUE((*stores_[0]->Find(lease_.launch)).has_value());
  auto later = Sweep(0, lease_.deadline + 5);  // the ledger is back
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->reported, 1u);
}

TEST(MissedDeadlineEvidence, NamesTheLaunchAndTheDeadline) {
  Lease a;
  a.launch = "cti:01";
  a.deadline = 100;
  Lease b = a;
  b.deadline = 101;
  Lease c = a;
  c.launch = "cti:02";
  EXPECT_EQ(MissedDeadlineEvidence(a).size(), 32u);
  EXPECT_NE(MissedDeadlineEvidence(a), MissedDeadlineEvidence(b));
  EXPECT_NE(MissedDeadlineEvidence(a), MissedDeadlineEvidence(c));
  EXPECT_EQ(MissedDeadlineEvidence(a), MissedDeadlineEvidence(a));
}

}  // namespace
}  // namespace vouch::validator
