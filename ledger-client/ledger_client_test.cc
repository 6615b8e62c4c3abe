#include "vouch/ledger/ledger_client.h"
#include "vouch/ledger/head_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <thread>

#include <sys/stat.h>

#include "testing/ledger_world.h"
#include "testing/raw_sqlite.h"

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

std::unique_ptr<Ledger> OpenFile(const std::string& path, bool create = false) {
  auto ledger = OpenLedger("sqlite://" + path, LedgerOptions{.create_if_missing = create});
  if (!ledger.ok()) ADD_FAILURE() << ledger.error().ToString();
  return std::move(ledger).value();
}

std::unique_ptr<LedgerClient> Client(const std::string& path, bool create = false) {
  auto client = LedgerClient::Open(OpenFile(path, create));
  if (!client.ok()) ADD_FAILURE() << client.error().ToString();
  return std::move(client).value();
}

// Genesis (quorums 2/2/2), validators 0-2 admitted, host 0 registered and
// certified, one attested entry: 7 entries.
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

TEST(LedgerClient, AnotherReaderDerivesTheSameViews) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto writer = Client(path, /*create=*/true);
  Populate(*writer, w);
  ASSERT_OK(writer->Append(testing::Revoke(Did(w.host[0]), "PCR 7 drift"), w.val[0], testing::kT0 + 99));

  auto reader = Client(path);
  const ChainState& a = writer->state();
  const ChainState& b = reader->state();
  EXPECT_EQ(b.size(), a.size());
  EXPECT_EQ(b.head_digest(), a.head_digest());
  const DidDocument* doc = b.FindHost(Did(w.host[0]));
  ASSERT_NE(doc, nullptr);
  EXPECT_TRUE(doc->certified);
  EXPECT_EQ(doc->certified_by, a.FindHost(Did(w.host[0]))->certified_by);
  EXPECT_EQ(b.PendingReports(Did(w.host[0])), std::vector<std::string>{Did(w.val[0])});
  EXPECT_EQ(b.validators().size(), 3u);
  for (const auto& [did, v] : b.validators()) EXPECT_TRUE(v.admitted) << did;
}

TEST(LedgerClient, RefusedEntriesNeverReachTheLedger) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto client = Client(path, true);
  Populate(*client, w);
  auto head_before = client->ledger().Head();
  auto e = client->Append(testing::HostRegistration(w.host[1]), w.host[2], testing::kT0);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), Code::kBadSignature);
  EXPECT_NE(e.error().message().find("ledger entry 7 (did-register): unauthorized"), std::string::npos)
      << e.error().message();
  EXPECT_EQ(**client->ledger().Head(), **head_before);
  auto again = client->Append(w.Genesis(), w.gov[0], testing::kT0);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("a genesis entry is allowed only at index 0"), std::string::npos);
}

TEST(LedgerClient, DraftCountersignSubmitAdmitsAValidator) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto client = Client(path, true);
  Populate(*client, w);
  // The validator drafts; two governance holders countersign elsewhere.
  auto draft = client->Draft(testing::ValidatorRegistration(w.val[3]), w.val[3], testing::kT0);
  ASSERT_OK(draft);
  auto countersigned = draft->Countersigned(w.gov[1]);
  ASSERT_OK(countersigned);
  countersigned = countersigned->Countersigned(w.gov[2]);
  ASSERT_OK(countersigned);
  // Meanwhile someone else appends: the draft's index is taken.
  auto other = Client(path);
  ASSERT_OK(other->Append(testing::HostRegistration(w.host[1]), w.host[1], testing::kT0));
  auto stale = client->Submit(*countersigned);
  ASSERT_OK(stale);
  EXPECT_EQ(*stale, AppendOutcome::kIndexTaken);
  // Draft again on the new head.
  auto redraft = client->Draft(testing::ValidatorRegistration(w.val[3]), w.val[3], testing::kT0);
  auto signed_again = redraft->Countersigned(w.gov[1])->Countersigned(w.gov[2]);
  ASSERT_OK(signed_again);
  EXPECT_EQ(*client->Submit(*signed_again), AppendOutcome::kAppended);
  EXPECT_EQ(*client->Submit(*signed_again), AppendOutcome::kAlreadyPresent);
  EXPECT_TRUE(client->state().IsActiveValidator(Did(w.val[3])));
  EXPECT_TRUE(Client(path)->state().IsActiveValidator(Did(w.val[3])));
}

TEST(LedgerClient, GovernanceRevokeNeedsAdmitQuorumOfCountersignatures) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto client = Client(path, true);
  Populate(*client, w);  // admit_quorum 2
  const std::string v2 = Did(w.val[2]);
  // One governance key alone is refused and nothing is stored.
  auto alone = client->Append(testing::Revoke(v2, "Sybil"), w.gov[1], testing::kT0);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().code(), Code::kBadSignature);
  EXPECT_NE(alone.error().message().find("ledger entry 7 (revoke): unauthorized: governance revocation of '" + v2 +
                                         "' is signed by 1 governance keys (author and countersigners), "
                                         "admit_quorum 2 needed"),
            std::string::npos)
      << alone.error().message();
  EXPECT_EQ(**client->ledger().Head(), 6u);
  // Drafted by one holder, countersigned by another, submitted: effective.
  auto draft = client->Draft(testing::Revoke(v2, "Sybil"), w.gov[1], testing::kT0);
  ASSERT_OK(draft);
  EXPECT_EQ(client->Submit(*draft).error().code(), Code::kBadSignature);
  auto cosigned = draft->Countersigned(w.gov[0]);
  ASSERT_OK(cosigned);
  EXPECT_EQ(*client->Submit(*cosigned), AppendOutcome::kAppended);
  EXPECT_TRUE(client->state().IsRevoked(v2));
  auto reader = Client(path);
  ASSERT_TRUE(reader->state().IsRevoked(v2));
  EXPECT_EQ(reader->state().FindRevocation(v2)->decided_by, (std::vector<std::string>{Did(w.gov[1]), Did(w.gov[0])}));
  EXPECT_FALSE(reader->state().IsActiveValidator(v2));
}

TEST(LedgerClient, OpenFromCheckpointPinsThePrefixAndVerifiesTheRest) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  TrustedCheckpoint cp{4, *writer->state().DigestAt(4)};
  ASSERT_OK(writer->Append(AttestedBody{RandomBytes(32), "web1", Did(w.host[0]), {}}, w.host[0], testing::kT0));

  auto pinned = LedgerClient::OpenFromCheckpoint(OpenFile(path), cp);
  ASSERT_OK(pinned);
  EXPECT_EQ((*pinned)->state().size(), writer->state().size());
  EXPECT_EQ((*pinned)->state().head_digest(), writer->state().head_digest());
  EXPECT_TRUE((*pinned)->state().FindHost(Did(w.host[0]))->certified);

  TrustedCheckpoint wrong = cp;
  wrong.digest[0] ^= 1;
  auto refused = LedgerClient::OpenFromCheckpoint(OpenFile(path), wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kMalformed);
  EXPECT_EQ(refused.error().message().rfind("ledger entry 4: digest ", 0), 0u) << refused.error().message();

  auto beyond = LedgerClient::OpenFromCheckpoint(OpenFile(path), TrustedCheckpoint{50, cp.digest});
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code(), Code::kNotFound);

  // An entry after the checkpoint is still fully verified: with a broken
  // signature it takes no effect (skipped as junk, named by its index).
  {
    RawSqlite raw(path);
    Bytes row = raw.Row(6);
    row[row.size() - 3] ^= 0x40;  // inside the signature
    raw.Put(6, row);
  }
  auto tampered = LedgerClient::OpenFromCheckpoint(OpenFile(path), cp);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code(), Code::kMalformed);
  EXPECT_NE(tampered.error().message().find(
                "entry 6 was replaced (it is junk: ledger entry 6: entry signature does not verify"),
            std::string::npos)
      << tampered.error().message();
}

// `etcdctl put vouch/log/<next> x`, or a well-formed entry its author may
// not write: every reader passes over it, reports it once, and the chain
// continues (the next entry links to its bytes).
TEST(LedgerClient, JunkAtTheNextIndexIsSkippedReportedOnceAndTheChainContinues) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  std::vector<std::pair<uint64_t, std::string>> reported;
  LedgerClientOptions options;
  options.on_skipped = [&](uint64_t index, const std::string& reason) { reported.emplace_back(index, reason); };
  auto reader = LedgerClient::Open(OpenFile(path), options);
  ASSERT_OK(reader);

  RawSqlite(path).Put(7, ToBytes("x"));
  ASSERT_EQ((*reader)->Sync().value(), 1u);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].first, 7u);
  EXPECT_EQ(reported[0].second.rfind("ledger entry 7: ", 0), 0u) << reported[0].second;

  // Honest writers append past it; a stranger's revoke at the next index is
  // well-formed and linked but unauthorized: skipped too.
  ASSERT_OK(writer->Append(AttestedBody{RandomBytes(32), "web1", Did(w.host[0]), {}}, w.host[0], testing::kT0));
  EXPECT_EQ(writer->state().size(), 9u);
  Ed25519PrivateKey stranger = Ed25519PrivateKey::Generate();
  auto rogue = Entry::Sign(9, writer->state().head_digest(), testing::kT0,
                           testing::Revoke(Did(w.host[0]), "because I can"), stranger);
  ASSERT_OK(rogue);
  RawSqlite(path).Put(9, rogue->encoded());
  ASSERT_OK(writer->Append(testing::Revoke(Did(w.host[0]), "PCR 7 drift"), w.val[0], testing::kT0));

  ASSERT_EQ((*reader)->Sync().value(), 3u);
  ASSERT_EQ(reported.size(), 2u) << "each junk entry is reported once";
  EXPECT_EQ(reported[1].first, 9u);
  EXPECT_NE(reported[1].second.find("unauthorized"), std::string::npos) << reported[1].second;
  EXPECT_EQ((*reader)->state().attested().size(), 1u);
  EXPECT_FALSE((*reader)->state().IsRevoked(Did(w.host[0])));  // one report, revoke_quorum 2
  EXPECT_EQ((*reader)->state().PendingReports(Did(w.host[0])).size(), 1u);
  EXPECT_EQ((*reader)->state().head_digest(), writer->state().head_digest());

  // A fresh reader derives the same, and ReadApplied leaves the junk out.
  auto fresh = Client(path);
  EXPECT_EQ(fresh->state().skipped().size(), 2u);
  auto applied = fresh->ReadApplied(6, 100);
  ASSERT_OK(applied);
  ASSERT_EQ(applied->size(), 3u);
  EXPECT_EQ((*applied)[0].index(), 6u);
  EXPECT_EQ((*applied)[1].index(), 8u);
  EXPECT_EQ((*applied)[2].index(), 10u);
}

TEST(LedgerClient, JunkAsEntryZeroIsNotAGenesis) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  Populate(*Client(path, true), w);
  RawSqlite(path).Put(0, ToBytes("x"));
  auto refused = LedgerClient::Open(OpenFile(path));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message().rfind("ledger entry 0 is not a valid genesis: ", 0), 0u)
      << refused.error().message();
}

TEST(LedgerClient, CheckpointStillCatchesAnEditBeforeIt) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  TrustedCheckpoint cp{5, *writer->state().DigestAt(5)};
  {
    // Entry 2 re-signed by its author with another endpoint: valid on its own.
    auto forged = Entry::Sign(2, *writer->state().DigestAt(1), testing::kT0,
                              testing::ValidatorRegistration(w.val[1]), w.val[1]);
    auto cs = forged->Countersigned(w.gov[0])->Countersigned(w.gov[2]);
    RawSqlite(path).Put(2, cs->encoded());
  }
  auto refused = LedgerClient::OpenFromCheckpoint(OpenFile(path), cp);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("ledger entry 3 (validator-register): prev is"), std::string::npos)
      << refused.error().message();
}

TEST(LedgerClient, RemovedEntriesAreNoticed) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto client = Client(path, true);
  Populate(*client, w);
  RawSqlite(path).Exec("DELETE FROM entries WHERE idx = 6");
  auto synced = client->Sync();
  ASSERT_FALSE(synced.ok());
  EXPECT_NE(synced.error().message().find("ends at entry 5 but entry 6 was verified before"), std::string::npos)
      << synced.error().message();
}

// --- The trust anchor: a pinned genesis and the reader's head file. ---

LedgerClientOptions Pinned(const Sha256Digest& genesis, const std::string& head_file = "") {
  LedgerClientOptions options;
  options.pinned_genesis = genesis;
  options.head_file = head_file;
  return options;
}

std::unique_ptr<LedgerClient> PinnedClient(const std::string& path, const Sha256Digest& genesis,
                                           const std::string& head_file = "") {
  auto client = LedgerClient::Open(OpenFile(path), Pinned(genesis, head_file));
  if (!client.ok()) ADD_FAILURE() << client.error().ToString();
  return std::move(client).value();
}

Result<std::unique_ptr<LedgerClient>> TryPinned(const std::string& path, const Sha256Digest& genesis,
                                                const std::string& head_file = "") {
  return LedgerClient::Open(OpenFile(path), Pinned(genesis, head_file));
}

// Whoever can write the backend deletes the chain and writes a new one with
// their own governance: valid on its own terms, refused by the pin.
TEST(LedgerTrustAnchor, ARewrittenLedgerIsRefusedNamingPinnedAndFoundGenesis) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  const Sha256Digest pin = *writer->state().DigestAt(0);
  ASSERT_EQ(PinnedClient(path, pin)->state().size(), 7u);

  RawSqlite(path).Exec("DELETE FROM entries");
  World attacker;
  auto forged = Client(path);
  Populate(*forged, attacker);
  const Sha256Digest found = *forged->state().DigestAt(0);

  ASSERT_TRUE(LedgerClient::Open(OpenFile(path)).ok()) << "an unpinned reader cannot tell";
  auto refused = TryPinned(path, pin);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kMalformed);
  EXPECT_EQ(refused.error().message(),
            StrCat("genesis ", HexEncode(found), " is not the pinned genesis ", HexEncode(pin),
                   " (another ledger, or this one rewritten): refusing to trust it"));

  RawSqlite(path).Exec("DELETE FROM entries");
  auto wiped = TryPinned(path, pin);
  ASSERT_FALSE(wiped.ok());
  EXPECT_EQ(wiped.error().code(), Code::kNotFound);
  EXPECT_NE(wiped.error().message().find("it is empty, but its genesis is pinned to " + HexEncode(pin)),
            std::string::npos);
}

TEST(LedgerTrustAnchor, OpenByLocatorNamesTheLedger) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  Populate(*Client(path, true), w);
  Sha256Digest other{};
  auto refused = LedgerClient::Open("sqlite://" + path, Pinned(other));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message().rfind("ledger 'sqlite://" + path + "': genesis ", 0), 0u)
      << refused.error().message();
}

TEST(LedgerTrustAnchor, AReaderRefusesALedgerTruncatedBelowTheHeadItVerified) {
  TempDir dir;
  std::string path = dir.File("ledger.db"), head = dir.File("ledger-head");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  const Sha256Digest pin = *writer->state().DigestAt(0);
  ASSERT_EQ(PinnedClient(path, pin, head)->state().size(), 7u);  // records entry 6

  RawSqlite(path).Exec("DELETE FROM entries WHERE idx >= 5");
  ASSERT_TRUE(TryPinned(path, pin).ok()) << "without its head file a reader cannot tell";
  auto refused = TryPinned(path, pin, head);  // a new process of the same reader
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kMalformed);
  EXPECT_EQ(refused.error().message(),
            StrCat("it ends at entry 4, but this reader verified entry 6 before (", head,
                   "): entries were removed or the ledger replaced"));
}

// A host (it holds its own key) replaces its attested entry with another:
// a valid chain, but not the one this reader saw.
TEST(LedgerTrustAnchor, AReaderRefusesAForkOfWhatItVerified) {
  TempDir dir;
  std::string path = dir.File("ledger.db"), head = dir.File("ledger-head");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  ASSERT_OK(writer->Append(AttestedBody{RandomBytes(32), "web1", Did(w.host[0]), {}}, w.host[0], testing::kT0));
  const Sha256Digest pin = *writer->state().DigestAt(0);
  const Sha256Digest seen = writer->state().head_digest();
  ASSERT_EQ(PinnedClient(path, pin, head)->state().size(), 8u);

  RawSqlite(path).Exec("DELETE FROM entries WHERE idx = 7");
  auto forker = Client(path);
  ASSERT_OK(forker->Append(AttestedBody{RandomBytes(32), "web2", Did(w.host[0]), {}}, w.host[0], testing::kT0));
  auto refused = TryPinned(path, pin, head);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            StrCat("entry 7 is ", HexEncode(forker->state().head_digest()), ", but this reader verified ",
                   HexEncode(seen), " there before (", head, "): the ledger was rewritten or forked"));
}

TEST(LedgerTrustAnchor, TheHeadFileFollowsTheHeadAndIsPrivate) {
  TempDir dir;
  std::string path = dir.File("ledger.db"), head = dir.File("ledger-head");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  const Sha256Digest pin = *writer->state().DigestAt(0);
  auto reader = PinnedClient(path, pin, head);
  ASSERT_OK(writer->Append(AttestedBody{RandomBytes(32), "web1", Did(w.host[0]), {}}, w.host[0], testing::kT0));
  ASSERT_EQ(reader->Sync().value(), 1u);
  auto recorded = ReadHeadFile(head);
  ASSERT_OK(recorded);
  ASSERT_TRUE(recorded->has_value());
  EXPECT_EQ((*recorded)->genesis, pin);
  EXPECT_EQ((*recorded)->index, 7u);
  EXPECT_EQ((*recorded)->digest, writer->state().head_digest());
  struct stat st {};
  ASSERT_EQ(::stat(head.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Reopening the same ledger with the same head file is fine.
  EXPECT_TRUE(TryPinned(path, pin, head).ok());
}

TEST(LedgerTrustAnchor, AHeadFileOfAnotherGenesisIsStaleNotAContradiction) {
  TempDir dir;
  std::string old_path = dir.File("old.db"), path = dir.File("ledger.db"), head = dir.File("ledger-head");
  World old_world, w;
  auto old_writer = Client(old_path, true);
  Populate(*old_writer, old_world);
  ASSERT_TRUE(TryPinned(old_path, *old_writer->state().DigestAt(0), head).ok());
  auto writer = Client(path, true);
  ASSERT_OK(writer->Append(w.Genesis(), w.gov[0], testing::kT0));
  const Sha256Digest pin = *writer->state().DigestAt(0);
  ASSERT_TRUE(TryPinned(path, pin, head).ok());  // the operator pinned the new ledger
  EXPECT_EQ(ReadHeadFile(head).value()->genesis, pin);
}

TEST(LedgerTrustAnchor, AMalformedHeadFileIsRefusedNamingIt) {
  TempDir dir;
  std::string path = dir.File("ledger.db"), head = dir.File("ledger-head");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  ASSERT_OK(WriteFile(head, ToBytes("vouch-ledger-head v1 zz 3 zz\n"), 0600));
  auto refused = TryPinned(path, *writer->state().DigestAt(0), head);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kMalformed);
  EXPECT_NE(refused.error().message().find("ledger head file '" + head + "' is not"), std::string::npos);
}

TEST(LedgerTrustAnchor, ParseGenesisPinWantsSixtyFourHexDigits) {
  Sha256Digest d{};
  d[31] = 0xab;
  EXPECT_EQ(ParseGenesisPin("--genesis", HexEncode(d)).value(), d);
  for (const char* bad : {"", "ab", "zz", "00000000000000000000000000000000000000000000000000000000000000ab00"}) {
    auto r = ParseGenesisPin("--genesis", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.error().message().rfind("--genesis: '", 0), 0u) << r.error().message();
  }
}

// Fault injectors for a submitter (a validator the host appends through)
// that lies; the real vouchd does not, so they exist only here.
// LiesAppended says every entry was appended and stores nothing.
class LiesAppended final : public EntrySubmitter {
 public:
  Result<AppendOutcome> Submit(const Entry&, const ChainState&) override { return AppendOutcome::kAppended; }
};

// StoresAnotherFirst stores an entry of its own at the index the first time
// (and says the host's was appended), then stores what it is given.
class StoresAnotherFirst final : public EntrySubmitter {
 public:
  StoresAnotherFirst(LedgerClient& writer, World& w) : writer_(writer), w_(w) {}
  Result<AppendOutcome> Submit(const Entry& entry, const ChainState&) override {
    ++calls;
    if (calls == 1) {
      VOUCH_RETURN_IF_ERROR(writer_.Append(testing::Revoke(Did(w_.host[1]), "own"), w_.host[1], testing::kT0 + 40));
      return AppendOutcome::kAppended;
    }
    return writer_.Submit(entry);
  }
  int calls = 0;

 private:
  LedgerClient& writer_;
  World& w_;
};

TEST(LedgerClient, WhatASubmitterReportsStoredIsCheckedOnTheLedger) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto writer = Client(path, true);
  Populate(*writer, w);
  const Sha256Digest head = writer->state().head_digest();
  LedgerClientOptions options;
  options.submitter = std::make_shared<LiesAppended>();
  auto host = LedgerClient::Open(OpenFile(path), options);
  ASSERT_OK(host);
  auto lied = (*host)->Append(AttestedBody{testing::AkDigest(testing::AkPublic(9)), "d", Did(w.host[0]), {}},
                              w.host[0], testing::kT0 + 30);
  ASSERT_FALSE(lied.ok());
  EXPECT_EQ(lied.error().code(), Code::kMalformed);
  EXPECT_NE(lied.error().message().find("entry 7 was reported appended, but the ledger ends before it"),
            std::string::npos)
      << lied.error().message();
  ASSERT_OK(writer->Sync());
  EXPECT_EQ(writer->state().head_digest(), head);

  // Another entry where the host's was said to be: the host drafts again.
  auto substitute = std::make_shared<StoresAnotherFirst>(*writer, w);
  options.submitter = substitute;
  auto host2 = LedgerClient::Open(OpenFile(path), options);
  ASSERT_OK(host2);
  auto e = (*host2)->Append(AttestedBody{testing::AkDigest(testing::AkPublic(9)), "d", Did(w.host[0]), {}},
                            w.host[0], testing::kT0 + 31);
  ASSERT_OK(e);
  EXPECT_EQ(substitute->calls, 2);
  EXPECT_EQ(e->index(), 8u);
  EXPECT_EQ((*host2)->state().DigestAt(8), e->digest());
}

TEST(LedgerClient, WaitForEntriesDeliversAnotherWritersRevocation) {
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  auto watcher = Client(path, true);
  Populate(*watcher, w);
  auto none = watcher->WaitForEntries(std::chrono::milliseconds(30));
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0u);
  std::thread revoker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto other = Client(path);
    EXPECT_TRUE(other->Append(testing::Revoke(Did(w.host[0]), "decommissioned"), w.host[0], testing::kT0).ok());
  });
  auto got = watcher->WaitForEntries(std::chrono::seconds(10));
  revoker.join();
  ASSERT_OK(got);
  EXPECT_EQ(*got, 1u);
  EXPECT_TRUE(watcher->state().IsRevoked(Did(w.host[0])));
}

TEST(LedgerClient, ConcurrentProcessesAppendEveryEntryExactlyOnce) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 50;
  TempDir dir;
  std::string path = dir.File("ledger.db");
  World w;
  std::vector<Ed25519PrivateKey> hosts;
  {
    auto setup = Client(path, true);
    ASSERT_OK(setup->Append(w.Genesis(), w.gov[0], testing::kT0));
    for (int k = 0; k < kWriters; ++k) {
      hosts.push_back(Ed25519PrivateKey::Generate());
      ASSERT_OK(setup->Append(testing::HostRegistration(hosts[k], static_cast<uint8_t>(k)), hosts[k],
                              testing::kT0));
    }
  }  // no SQLite connection crosses fork()

  auto digest_of = [](int k, int i) { return ToBytes(Sha256(AsBytes(StrCat("vc ", k, " ", i)))); };
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  std::vector<pid_t> children;
  for (int k = 0; k < kWriters; ++k) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(go[1]);
      char c;
      (void)!read(go[0], &c, 1);  // wait until every writer is forked
      auto ledger = OpenLedger("sqlite://" + path);
      if (!ledger.ok()) { std::fprintf(stderr, "%s\n", ledger.error().ToString().c_str()); _exit(2); }
      auto client = LedgerClient::Open(std::move(ledger).value());
      if (!client.ok()) { std::fprintf(stderr, "%s\n", client.error().ToString().c_str()); _exit(3); }
      for (int i = 0; i < kPerWriter; ++i) {
        AttestedBody body{digest_of(k, i), StrCat("domain-", k), Did(hosts[k]), {}};
        auto e = (*client)->Append(body, hosts[k], testing::kT0 + i);
        if (!e.ok()) { std::fprintf(stderr, "writer %d: %s\n", k, e.error().ToString().c_str()); _exit(4); }
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(go[1]);  // start
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  auto reader = Client(path);  // verifies the whole chain
  EXPECT_EQ(reader->state().size(), 1u + kWriters + kWriters * kPerWriter);
  std::multiset<Bytes> seen;
  for (const AttestedRecord& a : reader->state().attested()) seen.insert(a.vc_digest);
  ASSERT_EQ(seen.size(), size_t{kWriters * kPerWriter});
  for (int k = 0; k < kWriters; ++k) {
    for (int i = 0; i < kPerWriter; ++i) EXPECT_EQ(seen.count(digest_of(k, i)), 1u) << k << "/" << i;
  }
}

}  // namespace
}  // namespace vouch::ledger
