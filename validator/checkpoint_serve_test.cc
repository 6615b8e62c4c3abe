// GET /v1/checkpoint against real servers over one SQLite ledger, and a
// reader that starts with no head file, played against a ledger writer who
// removed the newest entries.
#include <gtest/gtest.h>
#include <httplib.h>

#include "ledger-client/testing/ledger_world.h"
#include "ledger-client/testing/raw_sqlite.h"
#include "testing/attest_world.h"
#include "vouch/ledger/checkpoint.h"
#include "vouch/validator/ledger_host_directory.h"
#include "vouch/validator/server.h"
#include "vouch/w3c/bitstring.h"
#include "vouch/w3c/revocation_list.h"

namespace vouch::validator {
namespace {

namespace lt = ::vouch::ledger::testing;
using ledger::LedgerClient;
using ledger::LedgerClientOptions;

class CheckpointServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = tmp_.File("ledger.db");
    auto ledger = ledger::OpenLedger("sqlite://" + path_, ledger::LedgerOptions{.create_if_missing = true});
    ASSERT_TRUE(ledger.ok());
    auto writer = LedgerClient::Open(std::move(ledger).value());
    ASSERT_TRUE(writer.ok());
    writer_ = std::move(writer).value();
    ASSERT_TRUE(writer_->Append(w_.Genesis(), w_.gov[0], t_++).ok());
    genesis_ = *writer_->state().DigestAt(0);
    for (int i = 0; i < 2; ++i) {
      worlds_.push_back(std::make_unique<testing::AttestWorld>());
      auto dir = LedgerHostDirectory::Open("sqlite://" + path_, Options());
      ASSERT_TRUE(dir.ok()) << dir.error().ToString();
      directories_.push_back(std::move(dir).value());
      ServerOptions options;
      options.clock = [] { return testing::kNow; };
      options.logger = Logger::Discard();
      auto server = Server::Start(options, ServerParts{&worlds_[i]->appraiser(), &worlds_[i]->challenges(),
                                                       &metrics_[i], &worlds_[i]->replay(), nullptr, nullptr,
                                                       directories_[i].get(), nullptr, nullptr,
                                                       directories_[i].get()});
      ASSERT_TRUE(server.ok()) << server.error().ToString();
      servers_.push_back(std::move(server).value());
      const Ed25519PrivateKey& key = worlds_[i]->ours().signing_key();
      ledger::ValidatorRegisterBody reg = lt::ValidatorRegistration(key);
      reg.endpoint = StrCat("http://", servers_.back()->address());
      ASSERT_TRUE(writer_->Append(reg, key, t_++, {&w_.gov[0], &w_.gov[1]}).ok());
    }
    // The newest entry: what the truncating writer removes.
    ASSERT_TRUE(writer_->Append(lt::HostRegistration(w_.host[0]), w_.host[0], t_++).ok());
  }

  LedgerClientOptions Options() {
    LedgerClientOptions o;
    o.pinned_genesis = genesis_;
    return o;
  }

  // A reader with no head file that asks the validators.
  Result<std::unique_ptr<LedgerClient>> FreshReader(const std::string& path, std::vector<std::string>* warnings) {
    LedgerClientOptions o = Options();
    o.checkpoint_timeout = std::chrono::seconds(5);
    o.on_warning = [warnings](const std::string& line) { warnings->push_back(line); };
    return LedgerClient::Open("sqlite://" + path, o);
  }

  lt::TempDir tmp_;
  lt::World w_;
  int64_t t_ = lt::kT0;
  std::string path_;
  Sha256Digest genesis_{};
  std::unique_ptr<LedgerClient> writer_;
  std::vector<std::unique_ptr<testing::AttestWorld>> worlds_;
  Metrics metrics_[2];
  std::vector<std::unique_ptr<LedgerHostDirectory>> directories_;
  std::vector<std::unique_ptr<Server>> servers_;
};

TEST_F(CheckpointServeTest, EachValidatorServesItsSignedHead) {
  httplib::Client client("127.0.0.1", servers_[0]->port());
  auto res = client.Get("/v1/checkpoint");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto checkpoint = ledger::DecodeCheckpoint(AsBytes(res->body));
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().ToString();
  EXPECT_EQ(checkpoint->validator, worlds_[0]->ours().did());
  EXPECT_EQ(checkpoint->index, writer_->state().size() - 1);
  EXPECT_EQ(checkpoint->head, writer_->state().head_digest());
}

// GET /v1/status/revocation: the ledger's revocations as a status list
// credential signed by the serving validator, as of the request.
TEST_F(CheckpointServeTest, EachValidatorServesTheRevocationsAsAStatusList) {
  const std::string host = lt::Did(w_.host[0]);
  const std::string cti = "cti:00112233445566778899aabbccddeeff";
  ASSERT_TRUE(writer_->Append(lt::Revoke(host, "decommissioned"), w_.host[0], t_++).ok());
  for (size_t i = 0; i < servers_.size(); ++i) {
    httplib::Client client("127.0.0.1", servers_[i]->port());
    auto res = client.Get("/v1/status/revocation");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/vc");
    auto list = w3c::CheckRevocationList(nlohmann::json::parse(res->body), testing::kNow);
    ASSERT_TRUE(list.ok()) << list.error().ToString();
    EXPECT_EQ(list->issuer, worlds_[i]->ours().did());
    EXPECT_TRUE(w3c::BitAt(list->bits, w3c::StatusListIndex(host)));
    EXPECT_FALSE(w3c::BitAt(list->bits, w3c::StatusListIndex(cti)));
  }
}

TEST_F(CheckpointServeTest, AFreshReaderOfTheWholeLedgerIsConfirmed) {
  std::vector<std::string> warnings;
  auto reader = FreshReader(path_, &warnings);
  ASSERT_TRUE(reader.ok()) << reader.error().ToString();
  for (const std::string& w : warnings) ADD_FAILURE() << "unexpected warning: " << w;
}

TEST_F(CheckpointServeTest, AFreshReaderRefusesALedgerWithItsNewestEntryRemoved) {
  // The validators have verified the whole ledger...
  for (auto& s : servers_) {
    httplib::Client client("127.0.0.1", s->port());
    ASSERT_TRUE(client.Get("/v1/checkpoint"));
  }
  // ...then whoever can write the file deletes the newest entry: what is
  // left is a valid chain from the pinned genesis.
  std::string cut = tmp_.File("cut.db");
  lt::RawSqlite(path_).Exec(StrCat("VACUUM INTO '", cut, "'"));  // the WAL included
  uint64_t last = writer_->state().size() - 1;
  lt::RawSqlite(cut).Exec(StrCat("DELETE FROM entries WHERE idx = ", last));
  std::vector<std::string> warnings;
  auto reader = FreshReader(cut, &warnings);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().message().find("does not extend what 2 validators verified"), std::string::npos)
      << reader.error().message();
  EXPECT_NE(reader.error().message().find(StrCat("verified entry ", last)), std::string::npos);
  // Without checkpoints the same reader would have trusted it.
  EXPECT_TRUE(LedgerClient::Open("sqlite://" + cut, Options()).ok());
}

TEST_F(CheckpointServeTest, TooFewAnswersAreAWarningNotARefusal) {
  servers_[1]->Stop();
  std::vector<std::string> warnings;
  auto reader = FreshReader(path_, &warnings);
  ASSERT_TRUE(reader.ok()) << reader.error().ToString();
  bool told = false;
  for (const std::string& w : warnings) told = told || w.find("only 1 of the 2 validators needed") != std::string::npos;
  EXPECT_TRUE(told);
}

TEST_F(CheckpointServeTest, AValidatorOnAHostsFileHasNoCheckpoint) {
  testing::AttestWorld world;
  Metrics metrics;
  ServerOptions options;
  options.logger = Logger::Discard();
  auto server = Server::Start(options, ServerParts{&world.appraiser(), &world.challenges(), &metrics, &world.replay()});
  ASSERT_TRUE(server.ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  auto res = client.Get("/v1/checkpoint");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 501);
}

}  // namespace
}  // namespace vouch::validator
