// POST /v1/ledger/append against a real 3-member etcd cluster with TLS and
// etcd auth (DESIGN §6 "Access"): the validator (vouch-writer credentials)
// appends what a host (vouch-reader credentials, which etcd refuses to let
// write) may write about itself, and refuses everything else with the ledger
// unchanged. The host side is the real one: LedgerClient with the hook's
// ValidatorLedgerSubmitter.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <functional>
#include <utility>
#include <mutex>

#include "testing/etcd_cluster.h"
#include "testing/ledger_world.h"
#include "testing/owned_launch.h"
#include "vouch/host/ledger_submitter.h"
#include "vouch/host/validator_client.h"
#include "vouch/ledger/append_request.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/ledger_host_directory.h"
#include "vouch/validator/server.h"

namespace vouch::validator {
namespace {

using ledger::AppendOutcome;
using ledger::Entry;
using ledger::LedgerClient;
using ledger::LedgerClientOptions;
using ledger::testing::Did;
using ledger::testing::EtcdCluster;
using ledger::testing::World;

#define ASSERT_OK(expr)                            \
  do {                                             \
    auto&& s_ = (expr);                            \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString(); \
  } while (0)

ledger::testing::EtcdClusterOptions TlsAuth() {
  ledger::testing::EtcdClusterOptions o;
  o.tls_auth = true;
  return o;
}

ledger::AttestedBody AttestedAbout(const std::string& host, int i) {
  ledger::AttestedBody b;
  b.vc_digest = ToBytes(Sha256(AsBytes(StrCat("vc ", i))));
  b.domain = "guest";
  b.host = host;
  return b;
}

class LedgerAppendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    writer_ = Open("writer");
    ASSERT_NE(writer_, nullptr);
    ASSERT_OK(writer_->Append(world_.Genesis(), world_.gov[0], ledger::testing::kT0));
    // vouchd: its own ledger client, with the writer's credentials.
    LedgerClientOptions options;
    options.access = cluster_.Access("writer");
    auto directory = LedgerHostDirectory::Open(cluster_.Locator(), options);
    ASSERT_OK(directory);
    directory_ = std::move(directory).value();
    appraiser_ = std::make_unique<Appraiser>(keys_, *directory_, challenges_, replay_);
    appender_ = std::make_unique<LedgerAppender>(*directory_);
    ServerOptions server_options;
    server_options.logger = Logger([this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(line);
    });
    auto server = Server::Start(server_options, ServerParts{appraiser_.get(), &challenges_, &metrics_, &replay_,
                                                            nullptr, appender_.get()});
    ASSERT_OK(server);
    server_ = std::move(server).value();
    url_ = "http://" + server_->address();
    // The validator on the ledger, admitted by two governance keys, at this server.
    ledger::ValidatorRegisterBody v = ledger::testing::ValidatorRegistration(world_.val[0]);
    v.endpoint = url_;
    ASSERT_OK(writer_->Append(v, world_.val[0], ledger::testing::kT0 + 1, {&world_.gov[0], &world_.gov[1]}));
  }

  // A client with `user`'s credentials (hosts: "reader") and, if given, a submitter.
  std::unique_ptr<LedgerClient> Open(const std::string& user,
                                     std::shared_ptr<ledger::EntrySubmitter> submitter = nullptr) {
    LedgerClientOptions options;
    options.access = cluster_.Access(user);
    options.submitter = std::move(submitter);
    auto client = LedgerClient::Open(cluster_.Locator(), options);
    if (!client.ok()) ADD_FAILURE() << client.error().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  // A host: reader credentials, appending through the validators the ledger names.
  std::unique_ptr<LedgerClient> Host() {
    auto via = host::ParseLedgerAppend("validators");
    EXPECT_TRUE(via.ok());
    return Open("reader", host::LedgerSubmitterFor(*via, cluster_.Locator(), std::chrono::seconds(5)));
  }

  // Registers host[i] through the validator.
  void Register(int i) {
    auto host = Host();
    ASSERT_NE(host, nullptr);
    ASSERT_OK(host->Append(ledger::testing::HostRegistration(world_.host[i], static_cast<uint8_t>(i + 1)),
                           world_.host[i], ledger::testing::kT0 + 10 + i));
  }

  // The next entry on the writer's view, signed by `author`.
  Entry Next(const ledger::EntryBody& body, const Ed25519PrivateKey& author) {
    EXPECT_TRUE(writer_->Sync().ok());
    auto e = Entry::Sign(writer_->state().size(), writer_->state().head_digest(), ledger::testing::kT0 + 50, body,
                         author);
    EXPECT_TRUE(e.ok()) << e.error().ToString();
    return std::move(e).value();
  }

  // What the route answers `entry`, through the host's real client.
  Result<AppendOutcome> Post(const Entry& entry) { return host::ValidatorClient(url_, std::chrono::seconds(5)).AppendLedgerEntry(entry); }

  // The refusal for `entry` (code and words), and the ledger unchanged.
  void ExpectRefused(const Entry& entry, Code code, const std::string& words) {
    ASSERT_OK(writer_->Sync());
    const Sha256Digest head = writer_->state().head_digest();
    auto outcome = Post(entry);
    ASSERT_FALSE(outcome.ok()) << "appended " << ledger::EntryTypeName(entry.type());
    EXPECT_EQ(outcome.error().code(), code) << outcome.error().ToString();
    EXPECT_NE(outcome.error().message().find(words), std::string::npos) << outcome.error().message();
    ASSERT_OK(writer_->Sync());
    EXPECT_EQ(writer_->state().head_digest(), head) << "the ledger changed";
  }

  size_t LogLinesWith(const std::string& words) {
    std::lock_guard<std::mutex> lock(log_mu_);
    return static_cast<size_t>(std::count_if(log_.begin(), log_.end(), [&](const std::string& l) {
      return l.find(words) != std::string::npos;
    }));
  }

  EtcdCluster cluster_{TlsAuth()};
  World world_;
  std::unique_ptr<LedgerClient> writer_;
  ValidatorKeys keys_ = ValidatorKeys::Generate();
  ChallengeIssuer challenges_;
  ReplayCache replay_;
  Metrics metrics_;
  std::unique_ptr<LedgerHostDirectory> directory_;
  std::unique_ptr<Appraiser> appraiser_;
  std::unique_ptr<LedgerAppender> appender_;
  std::mutex log_mu_;  // before server_: its threads log until it is destroyed
  std::vector<std::string> log_;
  std::unique_ptr<Server> server_;
  std::string url_;
};

TEST_F(LedgerAppendTest, AHostsOwnEntriesAreAppendedByTheValidatorThoughItsCredentialsOnlyRead) {
  auto host = Host();
  ASSERT_NE(host, nullptr);
  const std::string did = Did(world_.host[0]);
  auto registered = host->Append(ledger::testing::HostRegistration(world_.host[0]), world_.host[0],
                                 ledger::testing::kT0 + 10);
  ASSERT_OK(registered);
  auto attested = host->Append(AttestedAbout(did, 1), world_.host[0], ledger::testing::kT0 + 11);
  ASSERT_OK(attested);
  EXPECT_EQ(attested->index(), registered->index() + 1);
  // Stored, as every other reader sees it; the validator logged both.
  ASSERT_OK(writer_->Sync());
  EXPECT_NE(writer_->state().FindHost(did), nullptr);
  ASSERT_EQ(writer_->state().attested().size(), 1u);
  EXPECT_EQ(writer_->state().attested()[0].host, did);
  EXPECT_EQ(LogLinesWith("ledger-append author=" + did), 2u);
  EXPECT_EQ(LogLinesWith(" appended"), 2u);
  // A retry of the same bytes is already present, not a second entry.
  auto again = Post(*attested);
  ASSERT_OK(again);
  EXPECT_EQ(*again, AppendOutcome::kAlreadyPresent);
  // The same host appending directly with its own credentials: refused by etcd.
  auto direct = Open("reader");
  ASSERT_NE(direct, nullptr);
  auto refused = direct->Append(AttestedAbout(did, 2), world_.host[0], ledger::testing::kT0 + 12);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("etcd user 'reader' is not permitted"), std::string::npos)
      << refused.error().message();
}

TEST_F(LedgerAppendTest, WhatAHostMayNotWriteIsRefusedAndTheLedgerIsUnchanged) {
  Register(0);
  Register(1);
  const std::string victim = Did(world_.host[0]);
  // Another host's key, about the victim.
  ExpectRefused(Next(AttestedAbout(victim, 1), world_.host[1]), Code::kBadSignature,
                StrCat("an attested entry about '", victim, "' signed by '", Did(world_.host[1]), "'"));
  ledger::DidRegisterBody stolen = ledger::testing::HostRegistration(world_.host[2]);
  ExpectRefused(Next(stolen, world_.host[1]), Code::kBadSignature, "a host registers only itself");
  // Governance-type entries by a host.
  ExpectRefused(Next(ledger::testing::Revoke(victim, "rival"), world_.host[1]), Code::kBadSignature,
                "only an owner revoking its own launch (with its owner proof) revokes through a validator");
  ExpectRefused(Next(ledger::testing::Certification(Did(world_.host[1]), ledger::testing::AkPublic(2)),
                     world_.host[1]),
                Code::kBadSignature, "a host appends only did-register and attested entries");
  // A stranger's key (not a registered host) reporting a launch.
  Ed25519PrivateKey stranger = Ed25519PrivateKey::Generate();
  ExpectRefused(Next(AttestedAbout(Did(stranger), 1), stranger), Code::kBadSignature,
                "is not a registered host (a stranger may only register itself)");
  // Governance and validators append with their own credentials.
  ExpectRefused(Next(ledger::testing::Revoke(victim, "governance"), world_.gov[0]), Code::kBadSignature,
                "is a governance key");
  ExpectRefused(Next(AttestedAbout(victim, 3), world_.val[0]), Code::kBadSignature, "is a validator");
  // A broken signature, and the chain rules (a second registration).
  Entry good = Next(AttestedAbout(victim, 4), world_.host[0]);
  Bytes bytes = good.encoded();
  bytes[bytes.size() - 3] ^= 0x40;
  auto tampered = Entry::ParsePinned(bytes);
  ASSERT_OK(tampered);
  ExpectRefused(*tampered, Code::kBadSignature, "the entry");
  ExpectRefused(Next(ledger::testing::HostRegistration(world_.host[0], 9), world_.host[0]), Code::kInvalidArgument,
                "is already registered");

  // Bodies that are not a request.
  httplib::Client raw("127.0.0.1", server_->port());
  for (const std::string& body : {std::string("not cbor"), ToString(cbor::Encode(cbor::Value::Map({})))}) {
    auto res = raw.Post("/v1/ledger/append", body, "application/cbor");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_NE(res->body.find("malformed"), std::string::npos);
  }
  auto wrong_type = raw.Post("/v1/ledger/append", ToString(ledger::EncodeAppendRequest(good)), "application/json");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_EQ(LogLinesWith(" appended"), 2u) << "only the two registrations";
}

// A domain's owner holds reader credentials like a host: it revokes its own
// launch and lifts the quarantine that follows through a validator. The
// attackers: a stranger with the owner's launch VC claiming the domain, and
// a host reinstating itself, through the same route.
TEST_F(LedgerAppendTest, AnOwnerRevokesItsLaunchAndLiftsTheQuarantineThroughTheValidator) {
  Register(0);
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), stranger = Ed25519PrivateKey::Generate();
  const ledger::testing::OwnedLaunch l = ledger::testing::MakeOwnedLaunch(owner, world_.host[0]);
  ledger::RevokeBody revoke = ledger::testing::Revoke(l.launch, "owner's order");
  revoke.host = l.host;
  revoke.domain = l.domain;
  revoke.owner = l.owner;
  revoke.owner_proof = l.Proof();
  ExpectRefused(Next(revoke, stranger), Code::kBadSignature, "only an owner revoking its own launch");
  ledger::RevokeBody claimed = revoke;
  claimed.owner = Did(stranger);
  ExpectRefused(Next(claimed, stranger), Code::kBadSignature, "but its owner proof shows '" + l.owner + "'");

  auto owner_client = Open("reader", host::LedgerSubmitterFor(*host::ParseLedgerAppend("validators"),
                                                              cluster_.Locator(), std::chrono::seconds(5)));
  ASSERT_NE(owner_client, nullptr);
  ASSERT_OK(owner_client->Append(revoke, owner, ledger::testing::kT0 + 60));
  ASSERT_OK(writer_->Sync());
  EXPECT_TRUE(writer_->state().IsRevoked(l.launch));
  const ledger::Quarantine* q = writer_->state().FindQuarantine(l.host, l.domain);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->owner, l.owner);

  const ledger::ReinstateBody lift{l.host, l.domain, "host re-imaged"};
  ExpectRefused(Next(lift, world_.host[0]), Code::kBadSignature, "only the owner its quarantine names");
  ExpectRefused(Next(lift, stranger), Code::kBadSignature, "only the owner its quarantine names");
  ASSERT_OK(owner_client->Append(lift, owner, ledger::testing::kT0 + 61));
  ASSERT_OK(writer_->Sync());
  EXPECT_EQ(writer_->state().FindQuarantine(l.host, l.domain), nullptr);
  EXPECT_EQ(LogLinesWith("ledger-append author=" + l.owner), 2u);
}

// Stages the race deterministically: between the host's draft and its
// submission, another writer takes the index (`meanwhile`); everything else
// is the real submitter, validator and cluster.
class AnotherWriterFirst final : public ledger::EntrySubmitter {
 public:
  AnotherWriterFirst(std::shared_ptr<ledger::EntrySubmitter> real, std::function<void()> meanwhile)
      : real_(std::move(real)), meanwhile_(std::move(meanwhile)) {}
  Result<AppendOutcome> Submit(const Entry& entry, const ledger::ChainState& state) override {
    if (meanwhile_) std::exchange(meanwhile_, nullptr)();
    ++submissions;
    return real_->Submit(entry, state);
  }
  int submissions = 0;

 private:
  std::shared_ptr<ledger::EntrySubmitter> real_;
  std::function<void()> meanwhile_;
};

TEST_F(LedgerAppendTest, AHostWhoseIndexWasTakenDraftsAgainOnTheNewHeadAndSucceeds) {
  Register(0);
  auto via = host::ParseLedgerAppend(url_);
  ASSERT_OK(via);
  auto race = std::make_shared<AnotherWriterFirst>(
      host::LedgerSubmitterFor(*via, cluster_.Locator(), std::chrono::seconds(5)), [this] {
        ASSERT_OK(writer_->Append(ledger::testing::Revoke(StrCat("cti:", std::string(32, 'a')), "stolen credential"),
                                  world_.gov[0], ledger::testing::kT0 + 30, {&world_.gov[1]}));
      });
  auto host = Open("reader", race);
  ASSERT_NE(host, nullptr);
  const uint64_t next = host->state().size();
  auto e = host->Append(AttestedAbout(Did(world_.host[0]), 7), world_.host[0], ledger::testing::kT0 + 31);
  ASSERT_OK(e);
  EXPECT_EQ(race->submissions, 2);
  EXPECT_EQ(e->index(), next + 1) << "drafted again after the revoke took entry " << next;
  EXPECT_EQ(LogLinesWith(StrCat("index=", next, " index-taken")), 1u);
  ASSERT_OK(writer_->Sync());
  ASSERT_EQ(writer_->state().attested().size(), 1u);
  EXPECT_EQ(writer_->state().attested()[0].index, next + 1);
}

}  // namespace
}  // namespace vouch::validator
