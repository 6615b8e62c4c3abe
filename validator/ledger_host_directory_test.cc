#include "vouch/validator/ledger_host_directory.h"

#include <gtest/gtest.h>

#include "ledger-client/testing/ledger_world.h"
#include "ledger-client/testing/raw_sqlite.h"
#include "testing/attest_world.h"
#include "testing/expect_refused.h"
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
  virtual uint64_t certify_quorum() const { return 2; }

  void SetUp() override {
    path_ = tmp_.File("ledger.db");
    writer_ = Client(/*create=*/true);
    ASSERT_OK(writer_->Append(w_.Genesis(certify_quorum()), w_.gov[0], t_++));
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

  // The world's three validators (the policy's) are admitted on the ledger.
  void AdmitWorldValidators(const testing::AttestWorld& world) {
    for (const ValidatorKeys& v : world.validators()) {
      ASSERT_OK(writer_->Append(lt::ValidatorRegistration(v.signing_key()), v.signing_key(), t_++,
                                {&w_.gov[0], &w_.gov[1]}));
    }
  }

  // The world's host registers `ak_public` as its AK.
  void RegisterWorldHost(const testing::AttestWorld& world, const Bytes& ak_public) {
    ledger::DidRegisterBody reg;
    reg.did = world.host_did();
    reg.ak_public = ak_public;
    ASSERT_OK(writer_->Append(reg, world.host_key(), t_++));
  }

  // Validator `by` appends its certification of `ak_public` for `did`.
  void Certify(const std::string& did, const Bytes& ak_public, const Ed25519PrivateKey& by) {
    ASSERT_OK(writer_->Append(lt::Certification(did, ak_public), by, t_++));
  }

  // The world's validators are admitted, its host registers its software AK,
  // and each of the three validators certifies it.
  void RegisterCertified(const testing::AttestWorld& world) {
    AdmitWorldValidators(world);
    RegisterWorldHost(world, world.ak().PublicArea());
    for (const ValidatorKeys& v : world.validators()) {
      Certify(world.host_did(), world.ak().PublicArea(), v.signing_key());
    }
  }

  lt::TempDir tmp_;
  std::string path_;
  lt::World w_;
  int64_t t_ = lt::kT0;
  std::unique_ptr<LedgerClient> writer_;
};

TEST_F(LedgerHostDirectoryTest, HostRecordFollowsTheLedgerAsItGrows) {
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
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
  EXPECT_EQ(two->certified_by, (std::set<std::string>{lt::Did(w_.val[0]), lt::Did(w_.val[1])}));
  EXPECT_FALSE(two->revoked);
  EXPECT_EQ((*dir)->LedgerHead(), ToBytes(writer_->state().head_digest()));
}

TEST_F(LedgerHostDirectoryTest, PlatformClassesAreTheGovernanceAdmittedReferences) {
  Register(w_.host[0], lt::AkPublic(7), 2);
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE((*dir)->PlatformClassOf("debian12-ovmf").fragments.empty());
  BootReference kernel{"debian12-ovmf", "kernel", {4}, {{4, 0x80000003, "", "", {Bytes(32, 1)}, true}}, false};
  ASSERT_OK(writer_->Append(ledger::ReferenceBody{kernel}, w_.gov[0], t_++, {&w_.gov[1]}));
  ASSERT_TRUE((*dir)->Lookup(lt::Did(w_.host[0])).ok());  // an appraisal syncs here first
  PlatformClass cls = (*dir)->PlatformClassOf("debian12-ovmf");
  ASSERT_EQ(cls.fragments.size(), 1u);
  EXPECT_EQ(cls.fragments[0], kernel);
  ASSERT_OK(writer_->Append(ledger::ReferenceBody{{"debian12-ovmf", "kernel", {}, {}, true}}, w_.gov[1], t_++,
                            {&w_.gov[0]}));
  ASSERT_TRUE((*dir)->Lookup(lt::Did(w_.host[0])).ok());
  EXPECT_TRUE((*dir)->PlatformClassOf("debian12-ovmf").fragments.empty());
}

TEST_F(LedgerHostDirectoryTest, RevocationsOfHostsAndCtisAreSeen) {
  Register(w_.host[0], lt::AkPublic(7), 2);
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
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

// Someone with write access to the file appends junk (a copy of an old
// entry): the directory passes over it and keeps answering.
TEST_F(LedgerHostDirectoryTest, JunkAtTheNextIndexIsPassedOver) {
  Register(w_.host[0], lt::AkPublic(7), 2);
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
  ASSERT_TRUE(dir.ok());
  {
    lt::RawSqlite raw(path_);
    raw.Put(static_cast<int64_t>(writer_->state().size()), raw.Row(1));
  }
  auto r = (*dir)->Lookup(lt::Did(w_.host[0]));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->did, lt::Did(w_.host[0]));
}

// A well-formed entry that does not link to the head: the chain was
// replaced behind the directory's back, so it fails closed.
TEST_F(LedgerHostDirectoryTest, ALedgerThatNoLongerLinksFailsClosed) {
  Register(w_.host[0], lt::AkPublic(7), 2);
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
  ASSERT_TRUE(dir.ok());
  Sha256Digest wrong{};
  auto forged = ledger::Entry::Sign(writer_->state().size(), wrong, t_,
                                    ledger::AttestedBody{RandomBytes(32), "web1", lt::Did(w_.host[0]), {}},
                                    w_.host[0]);
  ASSERT_OK(forged);
  lt::RawSqlite(path_).Put(static_cast<int64_t>(writer_->state().size()), forged->encoded());
  auto r = (*dir)->Lookup(lt::Did(w_.host[0]));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("cannot be read or verified"), std::string::npos);
  EXPECT_NE(r.error().message().find("prev is 0000000000000000"), std::string::npos) << r.error().message();
}

TEST_F(LedgerHostDirectoryTest, HealthFollowsHeadRevocationsAndSyncs) {
  int64_t now = 1000;
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {}, [&now] { return now; });
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  LedgerHealth opened = (*dir)->Health();
  EXPECT_TRUE(opened.synced);
  EXPECT_EQ(opened.last_sync_at, 1000);
  EXPECT_EQ(opened.entries, writer_->state().size());
  EXPECT_EQ(opened.head_index, writer_->state().size() - 1);
  EXPECT_EQ(opened.revocations, 0u);

  Register(w_.host[0], lt::AkPublic(7), 2);
  std::string did = lt::Did(w_.host[0]);
  ASSERT_OK(writer_->Append(lt::Revoke(did, "decommissioned"), w_.host[0], t_++));
  EXPECT_EQ((*dir)->Health().head_index, opened.head_index);  // Health itself never syncs
  now = 1005;
  ASSERT_OK((*dir)->Refresh());
  LedgerHealth h = (*dir)->Health();
  EXPECT_EQ(h.head_index, writer_->state().size() - 1);
  EXPECT_EQ(h.head_digest_hex, HexEncode(writer_->state().head_digest()));
  EXPECT_EQ(h.last_sync_at, 1005);
  EXPECT_EQ(h.revocations, 1u);
  ASSERT_EQ(h.latest_revocations.size(), 1u);
  EXPECT_EQ(h.latest_revocations[0].subject, did);
  EXPECT_EQ(h.latest_revocations[0].reason, "decommissioned");
  EXPECT_EQ(h.latest_revocations[0].index, h.head_index);
  EXPECT_TRUE(h.last_error.empty());
}

TEST_F(LedgerHostDirectoryTest, HealthRecordsAFailingSyncAndKeepsTheLastGoodOne) {
  int64_t now = 2000;
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {}, [&now] { return now; });
  ASSERT_TRUE(dir.ok());
  Sha256Digest wrong{};
  auto forged = ledger::Entry::Sign(writer_->state().size(), wrong, t_,
                                    ledger::AttestedBody{RandomBytes(32), "web1", lt::Did(w_.host[0]), {}},
                                    w_.host[0]);
  ASSERT_OK(forged);
  lt::RawSqlite(path_).Put(static_cast<int64_t>(writer_->state().size()), forged->encoded());
  now = 2010;
  ASSERT_FALSE((*dir)->Refresh().ok());
  ASSERT_FALSE((*dir)->Lookup(lt::Did(w_.host[0])).ok());  // a lookup's sync counts too
  LedgerHealth h = (*dir)->Health();
  EXPECT_FALSE(h.synced);
  EXPECT_EQ(h.last_sync_at, 2000);
  EXPECT_EQ(h.last_error_at, 2010);
  EXPECT_EQ(h.sync_failures, 2u);
  EXPECT_NE(h.last_error.find("cannot be read or verified"), std::string::npos) << h.last_error;
  EXPECT_NE(RenderLedgerPrometheus(h, 2030).find("vouchd_ledger_sync_lag_seconds 30\n"), std::string::npos);
}

TEST_F(LedgerHostDirectoryTest, UnsupportedLocatorIsRefused) {
  auto dir = LedgerHostDirectory::Open("etcd://127.0.0.1:2379", {});
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message().find("etcd://127.0.0.1:2379"), std::string::npos);
}

TEST_F(LedgerHostDirectoryTest, AppraisalOverTheLedgerApprovesThenRefusesOnceRevoked) {
  testing::AttestWorld world;
  RegisterCertified(world);
  if (HasFatalFailure()) return;
  const std::string did = world.host_did();
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
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
  RegisterCertified(world);  // the policy's validators are admitted (revoke_quorum 2)
  if (HasFatalFailure()) return;
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
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

  // destroy + start: a new launch VC (a fresh cti) of the same host and
  // domain is refused by every validator until the quarantine is lifted.
  const ledger::Quarantine* q = client->state().FindQuarantine(launch.claims.issuer, launch.claims.domain_uuid);
  ASSERT_NE(q, nullptr);
  // Both reports named the policy's owner, so it may lift the quarantine.
  const std::string owner = DidKey::FromPublicKey(world.owner().public_key()).did();
  EXPECT_EQ(q->owner, owner);
  for (size_t i = 0; i < appraisers.size(); ++i) {
    testing::Scenario relaunch;
    relaunch.index = i;
    auto again = appraisers[i]->Appraise(world.Build(relaunch).request, testing::kNow);
    ASSERT_FALSE(again.ok()) << "validator " << i << " released to a quarantined host";
    EXPECT_EQ(again.error().code(), Code::kRevoked);
    EXPECT_NE(again.error().message().find(StrCat("is quarantined for domain ", launch.claims.domain_uuid)),
              std::string::npos)
        << again.error().message();
    EXPECT_NE(again.error().message().find(subject), std::string::npos) << again.error().message();
    EXPECT_NE(again.error().message().find(StrCat("until its owner '", owner, "' or governance reinstates it")),
              std::string::npos)
        << again.error().message();
  }

  // The quarantined host cannot lift its own quarantine; a governance quorum
  // can, and then the next launch is appraised as any other.
  const ledger::ReinstateBody lift{launch.claims.issuer, launch.claims.domain_uuid, "host re-imaged"};
  EXPECT_FALSE(writer_->Append(lift, world.host_key(), t_++).ok());
  EXPECT_FALSE(writer_->Append(lift, w_.gov[0], t_++).ok());  // one governance key of admit_quorum 2
  const size_t ours = testing::AttestWorld::kOurs;  // the validator whose share the built request carries
  auto before = appraisers[ours]->Appraise(world.Build().request, testing::kNow);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code(), Code::kRevoked);
  ASSERT_OK(writer_->Append(lift, w_.gov[0], t_++, {&w_.gov[1]}));
  auto lifted = appraisers[ours]->Appraise(world.Build().request, testing::kNow);
  EXPECT_TRUE(lifted.ok()) << lifted.error().ToString();
  EXPECT_TRUE((*dir)->IsRevoked(subject));  // the drifted launch itself stays revoked
}

// --- Each validator appraises only an AK it certified itself ------------------
//
// The attacker: an admitted validator (rogue, or its key stolen) appends a
// certifying did-update for a host AK nobody enrolled — a software TPM's —
// so that the ledger counts the host as certified. w_.val[0] plays it.

// certify_quorum 1 (a lab genesis): the rogue's one did-update is the quorum.
class LabLedgerHostDirectoryTest : public LedgerHostDirectoryTest {
 protected:
  uint64_t certify_quorum() const override { return 1; }
};

TEST_F(LabLedgerHostDirectoryTest, ARogueValidatorsCertificationMakesNoHonestValidatorTrustTheAk) {
  testing::AttestWorld world;
  AdmitWorldValidators(world);
  RegisterWorldHost(world, world.ak().PublicArea());
  const std::string did = world.host_did();
  Certify(did, world.ak().PublicArea(), w_.val[0]);  // the rogue; no enrollment ran
  if (HasFatalFailure()) return;
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  auto record = (*dir)->Lookup(did);
  ASSERT_OK(record);
  EXPECT_TRUE(record->certified);  // the ledger's quorum holds
  Appraiser honest(world.ours(), **dir, world.challenges(), world.replay());

  EXPECT_REFUSED(honest.Appraise(world.Build().request, testing::kNow), Code::kUncertifiedAk,
                 "host '" + did + "': its TPM AK was not certified by this validator (run 'vouch host enroll')");

  // The honest validator's own enrollment (credential activation) certifies it.
  Certify(did, world.ak().PublicArea(), world.ours().signing_key());
  auto approval = honest.Appraise(world.Build().request, testing::kNow);
  EXPECT_TRUE(approval.ok()) << approval.error().ToString();
}

// certify_quorum 2: the rogue alone is below it; with one honest validator's
// certification it is reached, but a third validator that never checked the
// AK still refuses.
TEST_F(LedgerHostDirectoryTest, RogueAndOneHonestCertificationDoNotSpeakForAThirdValidator) {
  testing::AttestWorld world;
  AdmitWorldValidators(world);
  RegisterWorldHost(world, world.ak().PublicArea());
  const std::string did = world.host_did();
  const Bytes ak = world.ak().PublicArea();
  Certify(did, ak, w_.val[0]);  // the rogue
  if (HasFatalFailure()) return;
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  Appraiser ours(world.ours(), **dir, world.challenges(), world.replay());

  EXPECT_REFUSED(ours.Appraise(world.Build().request, testing::kNow), Code::kUncertifiedAk,
                 "its TPM AK is not certified by enough validators (certify_quorum)");
  Certify(did, ak, world.validators()[0].signing_key());  // another validator enrolled it
  ASSERT_TRUE((*dir)->Lookup(did)->certified);
  EXPECT_REFUSED(ours.Appraise(world.Build().request, testing::kNow), Code::kUncertifiedAk,
                 "its TPM AK was not certified by this validator");

  Certify(did, ak, world.ours().signing_key());
  auto approval = ours.Appraise(world.Build().request, testing::kNow);
  EXPECT_TRUE(approval.ok()) << approval.error().ToString();
}

// The host (or whoever holds its key) replaces its AK: this validator's
// certification was of the old one, so it refuses the new AK — however many
// others certify it — until it certifies that one too.
TEST_F(LedgerHostDirectoryTest, ANewAkIsRefusedUntilThisValidatorCertifiesIt) {
  testing::AttestWorld world;
  RegisterCertified(world);
  if (HasFatalFailure()) return;
  const std::string did = world.host_did();
  auto dir = LedgerHostDirectory::Open("sqlite://" + path_, {});
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  Appraiser ours(world.ours(), **dir, world.challenges(), world.replay());
  ASSERT_OK(ours.Appraise(world.Build().request, testing::kNow));

  ::vouch::testing::SoftwareAk software;
  ASSERT_OK(writer_->Append(ledger::DidUpdateBody{did, {}, software.PublicArea(), {}}, world.host_key(), t_++));
  testing::Scenario s;
  s.quote_signer = &software;
  EXPECT_REFUSED(ours.Appraise(world.Build(s).request, testing::kNow), Code::kUncertifiedAk,
                 "(certify_quorum)");
  Certify(did, software.PublicArea(), w_.val[0]);
  Certify(did, software.PublicArea(), world.validators()[0].signing_key());
  ASSERT_TRUE((*dir)->Lookup(did)->certified);
  EXPECT_REFUSED(ours.Appraise(world.Build(s).request, testing::kNow), Code::kUncertifiedAk,
                 "its TPM AK was not certified by this validator");

  Certify(did, software.PublicArea(), world.ours().signing_key());
  auto approval = ours.Appraise(world.Build(s).request, testing::kNow);
  EXPECT_TRUE(approval.ok()) << approval.error().ToString();
}

}  // namespace
}  // namespace vouch::validator
