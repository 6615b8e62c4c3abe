// ObtainImageKey (release.h), the host's half of the launch gate, against
// real validator servers in this process (validator/server.h) and a swtpm
// as the host TPM: a 2-of-n policy whose shares of K are sealed to each
// validator, as `vouch seal` makes them. It plays Byzantine validators (a
// wrong share, a bad countersignature: validator/fault.h) and a validator
// that is down.
#include "vouch/host/release.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <memory>
#include <set>
#include <vector>

#include "measure/testing/swtpm_process.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/cose_credential_check.h"
#include "vouch/w3c/credential_check.h"
#include "vouch/w3c/endorsed_credential.h"
#include "vouch/core/random.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "vouch/host/host_identity.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/shim/shim.h"
#include "vouch/validator/fault.h"
#include "validator/testing/in_process_validator.h"

namespace vouch::host {
namespace {

using testing::SwtpmProcess;
using testing::TempDir;
using validator::Fault;

constexpr const char* kUuid = "3c9e1f0a-5b7d-4e2a-8c6f-1d0e9b8a7c65";

using Validator = validator::testing::InProcessValidator;

class ReleaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir((dir_ / "ak").c_str(), 0700), 0);
    auto tpm = SwtpmProcess::Start(dir_ / "tpm");
    ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
    swtpm_ = std::move(tpm).value();
    auto opened = Tpm::Open(swtpm_->tcti());
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    tpm_ = std::move(opened).value();
    auto ak = shim::LoadOrCreateAk(*tpm_, dir_ / "ak");
    ASSERT_TRUE(ak.ok()) << ak.error().ToString();
    ak_ = std::make_unique<Ak>(std::move(ak).value());
  }

  // One validator per fault (kNone: honest), each having certified the
  // host's AK.
  void StartValidators(const std::vector<Fault>& faults) {
    std::set<std::string> certifiers;
    for (size_t i = 0; i < faults.size(); ++i) validators_.push_back(std::make_unique<Validator>());
    for (const auto& v : validators_) certifiers.insert(v->keys.did());
    for (size_t i = 0; i < faults.size(); ++i) {
      validator::AppraisalOptions options;
      options.fault = faults[i];
      Status started = validators_[i]->Start(host_did_, ak_->public_area().bytes(), certifiers, options);
      ASSERT_TRUE(started.ok()) << started.error().ToString();
    }
  }

  // The owner seals K: t-of-n Shamir shares, their commitments and K's
  // check value in the signed policy, each share sealed to its validator.
  void Seal(size_t t) {
    OwnerPolicy p;
    p.domain_uuid = kUuid;
    p.threshold = t;
    auto shares = ShamirSplit(key_, static_cast<int>(t), static_cast<int>(validators_.size()));
    ASSERT_TRUE(shares.ok()) << shares.error().ToString();
    for (size_t i = 0; i < validators_.size(); ++i) {
      const Validator& v = *validators_[i];
      p.validators.push_back({v.keys.did(), v.keys.hpke_key().public_key(), v.endpoint()});
      p.commit.push_back(ShareCommitment((*shares)[i]));
    }
    p.pcrs = {0, 7};
    p.rt.memory_kib_max = 1048576;
    p.rt.vcpus_max = 2;
    p.vc_ttl = 120;
    p.kcv = KeyCheckValue(key_);
    auto policy = SignedPolicy::Sign(p, owner_);
    ASSERT_TRUE(policy.ok()) << policy.error().ToString();
    policy_ = std::make_unique<SignedPolicy>(*policy);
    bundle_.policy = policy_->encoded();
    for (size_t i = 0; i < validators_.size(); ++i) {
      auto sealed = SealShareForValidator(p.validators[i].hpke_public_key, kUuid, policy_->digest(), (*shares)[i]);
      ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
      bundle_.sealed_shares.push_back(std::move(sealed).value());
    }
  }

  Result<ReleaseOutcome> Release(Bytes event_log = {}) {
    ReleaseRequest request;
    request.domain_name = "web1";
    request.policy = policy_.get();
    request.bundle = &bundle_;
    auto domain = qemu::ParseDomainXml(StrCat("<domain type='qemu'><name>web1</name><uuid>", kUuid,
                                              "</uuid><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                                              "<os><type>hvm</type></os></domain>"));
    if (!domain.ok()) return domain.error();
    request.domain_config = qemu::CanonicalConfigBytes(*domain);
    request.deadline = std::chrono::seconds(10);
    HostContext host{&host_key_, tpm_.get(), ak_.get(), {"9.0.0", "7.2.0", "6.1.0", ""},
                     std::move(event_log)};
    return ObtainImageKey(request, host);
  }

  std::string Endpoint(size_t i) const { return StrCat("127.0.0.1:", validators_[i]->port); }

  TempDir dir_;
  std::unique_ptr<SwtpmProcess> swtpm_;
  std::unique_ptr<Tpm> tpm_;
  std::unique_ptr<Ak> ak_;
  Ed25519PrivateKey host_key_ = Ed25519PrivateKey::Generate();
  std::string host_did_ = DidKey::FromPublicKey(host_key_.public_key()).did();
  Ed25519PrivateKey owner_ = Ed25519PrivateKey::Generate();
  SecretBytes key_ = RandomSecret(32);
  std::vector<std::unique_ptr<Validator>> validators_;
  std::unique_ptr<SignedPolicy> policy_;
  ProtectionBundle bundle_;
};

TEST_F(ReleaseTest, TEndorsementsReleaseTheOwnersKeyAndTheVcCarriesThem) {
  StartValidators({Fault::kNone, Fault::kNone, Fault::kNone});
  Seal(2);
  auto released = Release();
  ASSERT_TRUE(released.ok()) << released.error().ToString();
  EXPECT_TRUE(ConstantTimeEqual(released->key.Expose(), key_.Expose()));
  ASSERT_EQ(released->endorsers.size(), 2u);  // it stops at t
  auto checks = CheckEndorsements(released->endorsed_vc);
  ASSERT_TRUE(checks.ok());
  size_t verified = 0;
  for (const EndorsementCheck& c : *checks) verified += c.status.ok() && c.verdict.ok;
  EXPECT_EQ(verified, 2u);
  EXPECT_EQ(released->endorsed_vc.claims().issuer, host_did_);
  EXPECT_EQ(released->endorsed_vc.claims().domain_uuid, kUuid);
  // Its W3C form: the host's proof and each endorser's, chained to it (DESIGN §3).
  auto exported = w3c::ExportDataIntegrity(released->endorsed_vc);
  ASSERT_TRUE(exported.ok()) << exported.error().ToString();
  auto w3c_check = w3c::CheckCredential(*exported, released->endorsed_vc.claims().issued_at);
  ASSERT_TRUE(w3c_check.ok()) << w3c_check.error().ToString();
  EXPECT_TRUE(w3c_check->status.ok()) << w3c_check->status.error().ToString();
  EXPECT_EQ(w3c_check->proofs.size(), 3u);
  // And as vc+cose: the host's COSE_Sign1 over the same JSON, each endorser's
  // countersignature on it.
  auto vc_cose = w3c::ExportVcCose(released->endorsed_vc);
  ASSERT_TRUE(vc_cose.ok()) << vc_cose.error().ToString();
  auto cose_check = w3c::CheckCoseCredential(*vc_cose, released->endorsed_vc.claims().issued_at);
  ASSERT_TRUE(cose_check.ok()) << cose_check.error().ToString();
  EXPECT_TRUE(cose_check->status.ok()) << cose_check->status.error().ToString();
  EXPECT_EQ(cose_check->issuer, host_did_);
  EXPECT_EQ(cose_check->countersignatures.size(), 2u);
}

// Two Byzantine validators beside two honest ones, t = 2: the honest two
// release K; nothing a Byzantine one sent is in the outcome.
// The host's event log travels beside the VC (its digest in it) and every
// validator replays it:
// a real machine's log against this swtpm's PCRs (never extended) is refused.
TEST_F(ReleaseTest, TheVcCarriesTheHostsEventLogAndValidatorsReplayIt) {
  StartValidators({Fault::kNone, Fault::kNone, Fault::kNone});
  Seal(2);
  auto log = ReadFile(StrCat(VOUCH_SOURCE_DIR, "/measure/testdata/eventlog/event-arch-linux.bin"));
  ASSERT_TRUE(log.ok()) << log.error().ToString();
  auto refused = Release(*log);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("event log does not match the quote: PCR "), std::string::npos)
      << refused.error().message();
}

TEST_F(ReleaseTest, ByzantineAnswersAreCheckedAndTheHonestTRelease) {
  StartValidators({Fault::kWrongShare, Fault::kBadCountersignature, Fault::kNone, Fault::kNone});
  Seal(2);
  auto released = Release();
  ASSERT_TRUE(released.ok()) << released.error().ToString();
  EXPECT_TRUE(ConstantTimeEqual(released->key.Expose(), key_.Expose()));
  const std::set<std::string> honest = {validators_[2]->keys.did(), validators_[3]->keys.did()};
  for (const std::string& did : released->endorsers) EXPECT_EQ(honest.count(did), 1u) << did;
  auto checks = CheckEndorsements(released->endorsed_vc);
  ASSERT_TRUE(checks.ok());
  for (const EndorsementCheck& c : *checks) EXPECT_TRUE(c.status.ok()) << c.status.error().ToString();
}

// With only one honest validator of t = 2, no key: the refusal names what
// each Byzantine one did wrong.
TEST_F(ReleaseTest, ByzantineAnswersCannotMakeUpTheThreshold) {
  StartValidators({Fault::kWrongShare, Fault::kBadCountersignature, Fault::kNone});
  Seal(2);
  auto refused = Release();
  ASSERT_FALSE(refused.ok());
  const std::string& m = refused.error().message();
  EXPECT_NE(m.find("domain 'web1' not released: 1 of 2 endorsements ("), std::string::npos) << m;
  EXPECT_NE(m.find(Endpoint(0) + ": released share fails the owner's commitment"), std::string::npos) << m;
  EXPECT_NE(m.find(Endpoint(1) + ": bad countersignature"), std::string::npos) << m;
}

TEST_F(ReleaseTest, AValidatorDownIsNamedAndTheOthersRelease) {
  StartValidators({Fault::kNone, Fault::kNone, Fault::kNone});
  Seal(2);
  validators_[0]->Stop();
  auto released = Release();
  ASSERT_TRUE(released.ok()) << released.error().ToString();
  EXPECT_TRUE(ConstantTimeEqual(released->key.Expose(), key_.Expose()));
  bool named = false;
  for (const std::string& f : released->failures) {
    named = named || f.find(Endpoint(0) + ": connection refused (is vouchd running?)") != std::string::npos;
  }
  EXPECT_TRUE(named) << ::testing::PrintToString(released->failures);

  validators_[1]->Stop();
  auto refused = Release();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("not released: 0 of 2 endorsements"), std::string::npos)
      << refused.error().message();
}

}  // namespace
}  // namespace vouch::host
