#include "vouch/validator/ledger_host_directory.h"

#include <gtest/gtest.h>

#include "ledger-client/testing/ledger_world.h"
#include "ledger-client/testing/raw_sqlite.h"
#include "testing/attest_world.h"
#include "vouch/core/did_key.h"

namespace vouch::validator {
namespace {

namespace lt = ::vouch::ledger::testing;
using ledger::LedgerClient;
using ledger::LedgerOptions;
using ledger::OpenLedger;

#define ASSERT_OK(expr)                            \
  do {                                             \
    auto&& s_ = (expr);                            \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString(); \
  } while (0)

class LedgerHostDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = tmp_.File("ledger.db");
    writer_ = Client(/*create=*/true);
    ASSERT_OK(writer_->Append(w_.Genesis(/*certify=*/2), w_.gov[0], t_++));
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK(writer_->Append(lt::ValidatorRegistration(w_.val[i]), w_.val[i], t_++,
                                {&w_.gov[0], &w_.gov[1]}));
    }
  }

  std::unique_ptr<LedgerClient> Client(bool create = false) {
    auto ledger = OpenLedger("sqlite://" + path_, LedgerOptions{.create_if_missing = create});
    EXPECT_TRUE(ledger.ok()) << ledger.error().ToString();
    auto client = LedgerClient::Open(std::move(ledger).value());
    EXPECT_TRUE(client.ok()) << client.error().ToString();
    return std::move(client).value();
  }

  // Registers `host` with `ak_public` and has `certifiers` validators certify it.
  void Register(const Ed25519PrivateKey& host, const Bytes& ak_public, int certifiers) {
    ledger::DidRegisterBody reg = lt::HostRegistration(host);
    reg.ak_public = ak_public;
    ASSERT_OK(writer_->Append(reg, host, t_++));
    for (int i = 0; i < certifiers; ++i) {
      ASSERT_OK(writer_->Append(lt::Certification(reg.did, ak_public), w_.val[i], t_++));
    }
  }

  // The world's host registers its software AK and two validators certify it.
  void RegisterCertified(const testing::AttestWorld& world) {
    ledger::DidRegisterBody reg;
    reg.did = world.host_did();
    reg.ak_public = world.ak().PublicArea();
    ASSERT_OK(writer_->Append(reg, world.host_key(), t_++));
    for (int i = 0; i < 2; ++i) {
      ASSERT_OK(writer_->Append(lt::Certification(reg.did, reg.ak_public), w_.val[i], t_++));
    }
  }

  lt::TempDir tmp_;
  std::string path_;
  lt::World w_;
  int64_t t_ = lt::kT0;
  std::unique_ptr<LedgerClient> writer_;
};

TEST_F(LedgerHostDirectoryTest, HostRecordFollowsTheLedgerAsItGrows) {
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_);
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  std::string did = lt::Did(w_.host[0]);
  auto unknown = (*dir)->Lookup(did);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Code::kUnknownHost);

  Register(w_.host[0], lt::AkPublic(7), /*certifiers=*/1);
  auto one = (*dir)->Lookup(did);
  ASSERT_TRUE(one.ok()) << one.error().ToString();
  EXPECT_EQ(one->ak_public, lt::AkPublic(7));
  EXPECT_FALSE(one->certified);  // certify_quorum is 2

  ASSERT_OK(writer_->Append(lt::Certification(did, lt::AkPublic(7)), w_.val[1], t_++));
  auto two = (*dir)->Lookup(did);
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(two->certified);
  EXPECT_FALSE(two->revoked);
  EXPECT_EQ((*dir)->LedgerHead(), ToBytes(writer_->state().head_digest()));
}

TEST_F(LedgerHostDirectoryTest, RevocationsOfHostsAndCtisAreSeen) {
  Register(w_.host[0], lt::AkPublic(7), 2);
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_);
  ASSERT_TRUE(dir.ok());
  std::string did = lt::Did(w_.host[0]);
  std::string cti = "cti:" + std::string(32, 'a');
  ASSERT_OK(writer_->Append(lt::Revoke(did, "decommissioned"), w_.host[0], t_++));
  ASSERT_OK(writer_->Append(lt::Revoke(cti, "leaked VC"), w_.gov[0], t_++, {&w_.gov[1]}));  // admit_quorum 2
  auto r = (*dir)->Lookup(did);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->revoked);
  EXPECT_EQ(r->revoked_reason, "decommissioned");
  EXPECT_TRUE((*dir)->IsRevoked(did));
  EXPECT_TRUE((*dir)->IsRevoked(cti));
  EXPECT_FALSE((*dir)->IsRevoked("cti:" + std::string(32, 'b')));
}

TEST_F(LedgerHostDirectoryTest, LedgerThatNoLongerVerifiesFailsClosed) {
  Register(w_.host[0], lt::AkPublic(7), 2);
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_);
  ASSERT_TRUE(dir.ok());
  {
    // Someone with write access to the file appends a forged entry.
    lt::RawSqlite raw(path_);
    Bytes forged = raw.Row(1);
    forged.back() ^= 0x01;
    raw.Put(static_cast<int64_t>(writer_->state().size()), forged);
  }
  auto r = (*dir)->Lookup(lt::Did(w_.host[0]));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("cannot be read or verified"), std::string::npos);
}

TEST_F(LedgerHostDirectoryTest, UnsupportedLocatorIsRefused) {
  auto dir = LedgerHostDirectory::Open("etcd://127.0.0.1:2379");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message().find("etcd://127.0.0.1:2379"), std::string::npos);
}

TEST_F(LedgerHostDirectoryTest, AppraisalOverTheLedgerApprovesThenRefusesOnceRevoked) {
  testing::AttestWorld world;
  RegisterCertified(world);
  if (HasFatalFailure()) return;
  const std::string did = world.host_did();
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_);
  ASSERT_TRUE(dir.ok());
  Appraiser appraiser(world.ours(), **dir, world.challenges(), world.replay());

  auto approval = appraiser.Appraise(world.Build().request, testing::kNow);
  ASSERT_TRUE(approval.ok()) << approval.error().ToString();
  EXPECT_EQ(approval->verdict.ledger_head, ToBytes(writer_->state().head_digest()));

  ASSERT_OK(writer_->Append(lt::Revoke(did, "TPM replaced"), world.host_key(), t_++));
  auto refused = appraiser.Appraise(world.Build().request, testing::kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kRevoked);
  EXPECT_NE(refused.error().message().find("TPM replaced"), std::string::npos);
}

TEST_F(LedgerHostDirectoryTest, DriftReportsFromTwoValidatorsRevokeTheLaunchCredential) {
  testing::AttestWorld world;
  RegisterCertified(world);
  if (HasFatalFailure()) return;
  // The policy's validators are admitted on this ledger (revoke_quorum 2).
  for (const ValidatorKeys& v : world.validators()) {
    ASSERT_OK(writer_->Append(lt::ValidatorRegistration(v.signing_key()), v.signing_key(), t_++,
                              {&w_.gov[0], &w_.gov[1]}));
  }
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_);
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  AppraisalOptions options;
  options.reporter = dir->get();
  std::vector<std::unique_ptr<Appraiser>> appraisers;
  for (const ValidatorKeys& v : world.validators()) {
    appraisers.push_back(std::make_unique<Appraiser>(v, **dir, world.challenges(), world.replay(),
                                                     options));
  }
  testing::Built launch = world.Build({}, testing::kNow - 60);
  Bytes baseline = world.EndorsedLaunch(launch, {0, 2}, testing::kNow - 60);
  const std::string subject = StrCat("cti:", HexEncode(launch.claims.cti));
  auto drifted = [&](size_t index) {
    testing::Scenario s;
    s.index = index;
    s.claims = [](HostVcClaims& c) { c.tpm.pcrs[0] = Bytes(32, 0x5a); };
    return world.BuildReattest(launch, baseline, s);
  };

  auto first = appraisers[1]->Reappraise(drifted(1), testing::kNow);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code(), Code::kDrift);
  EXPECT_NE(first.error().message().find("PCR 0 changed since launch"), std::string::npos);
  EXPECT_NE(first.error().message().find("(reported to the ledger)"), std::string::npos)
      << first.error().message();
  EXPECT_FALSE((*dir)->IsRevoked(subject));  // one report of the two needed

  auto second = appraisers[0]->Reappraise(drifted(0), testing::kNow);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Code::kDrift);
  EXPECT_TRUE((*dir)->IsRevoked(subject));

  // Revoked: even an unchanged domain is refused now, by every validator.
  testing::Scenario unchanged;
  unchanged.index = 2;
  auto after = appraisers[2]->Reappraise(world.BuildReattest(launch, baseline, unchanged),
                                         testing::kNow);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code(), Code::kRevoked);
  EXPECT_NE(after.error().message().find("launch VC"), std::string::npos);

  // The ledger says who reported it and why.
  auto client = Client();
  const ledger::Revocation* r = client->state().FindRevocation(subject);
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->reason.find("PCR 0 changed since launch"), std::string::npos);
  EXPECT_EQ(r->decided_by.size(), 2u);
}

}  // namespace
}  // namespace vouch::validator
