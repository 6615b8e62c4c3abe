// `vouch status` as the host reads it back: libvirt's state through libvirt's
// own test driver, the audit store's VCs with each endorsement verified, the
// lease deadline by the policy's terms. The attacker here is a local user
// who can write the audit store: a countersignature pasted from another VC
// or a validator's refusal must not be shown as an endorsement.
#include "vouch/host/domain_status.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "core/testing/sample_claims.h"
#include "host/testing/sham_bundle.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/bytes.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"

namespace vouch::host {
namespace {

using testing::TempDir;

constexpr const char* kUuid = "5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a88";
constexpr const char* kPlainUuid = "5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a89";
constexpr int64_t kLaunchAt = 1764000000;

std::string TestDomain(const std::string& name, const std::string& uuid) {
  return StrCat("<domain type='test'><name>", name, "</name><uuid>", uuid,
                "</uuid><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>");
}

class DomainStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_ / "hook.conf";
    // libvirt's test driver: a real libvirt connection whose domains this file defines (running).
    ASSERT_TRUE(WriteFile(dir_ / "node.xml",
                          AsBytes(StrCat("<node>", TestDomain("web1", kUuid), TestDomain("plain", kPlainUuid),
                                         "</node>")),
                          0600)
                    .ok());
    ASSERT_TRUE(WriteFile(config_,
                          AsBytes(StrCat("state_dir = ", dir_ / "state", "\nbundle_dir = ", dir_ / "domains",
                                         "\naudit_dir = ", dir_ / "audit", "\nhost_key = ", dir_ / "host.pem",
                                         "\nlibvirt_uri = test://", dir_ / "node.xml", "\n")),
                          0600)
                    .ok());
    for (const char* d : {"state", "domains", "audit"}) ASSERT_EQ(::mkdir((dir_ / d).c_str(), 0700), 0);
    for (int i = 0; i < 3; ++i) {
      validator_keys_.push_back(Ed25519PrivateKey::Generate());
      validator_dids_.push_back(DidKey::FromPublicKey(validator_keys_.back().public_key()).did());
    }
  }

  // The bundle `vouch seal --reattest 60 --grace 5` writes for web1 (2 of 3).
  void Seal(std::optional<uint32_t> grace) {
    OwnerPolicy p;
    p.domain_uuid = kUuid;
    p.threshold = 2;
    p.reattest_s = 60;
    p.grace = grace;
    auto bundle = vouch::testing::ShamBundle(p, validator_dids_);
    ASSERT_TRUE(bundle.ok()) << bundle.error().ToString();
    ASSERT_TRUE(WriteFile(dir_ / StrCat("domains/", kUuid, ".bundle"), *bundle, 0600).ok());
  }

  // A VC of web1 as the audit store keeps it, endorsed by validator i with
  // verdict verdicts[i]; written `age` seconds of mtime before now.
  HostVc AuditVc(const std::string& type, int64_t issued_at, const std::vector<bool>& verdicts, int age) {
    HostVcClaims c = vouch::testing::SampleClaims(host_, Bytes(32, 5));
    c.domain_uuid = kUuid;
    c.type = type;
    c.issued_at = issued_at;
    c.expires_at = issued_at + 60;
    HostVc vc = HostVc::Issue(c, host_).value();
    for (size_t i = 0; i < verdicts.size(); ++i) {
      Verdict v{verdicts[i], issued_at + 1, Bytes(32, 0xab), RandomBytes(32)};
      EXPECT_TRUE(AttachEndorsement(vc, Endorse(vc, validator_keys_[i], v).value()).ok());
    }
    Keep(vc, age);
    return vc;
  }

  void Keep(const HostVc& vc, int age) {
    std::string path = dir_ / StrCat("audit/", kUuid, "-", HexEncode(vc.claims().cti), ".cbor");
    ASSERT_TRUE(WriteFile(path, vc.message().Encode(), 0644).ok());
    std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - std::chrono::seconds(age));
  }

  TempDir dir_;
  std::string config_;
  Ed25519PrivateKey host_ = Ed25519PrivateKey::Generate();
  std::vector<Ed25519PrivateKey> validator_keys_;
  std::vector<std::string> validator_dids_;
};

TEST_F(DomainStatusTest, NoSuchDomainIsNamed) {
  auto s = ReadDomainStatus(config_, "web9");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kNotFound) << s.error().ToString();
  EXPECT_NE(s.error().message().find("'web9'"), std::string::npos) << s.error().message();
}

TEST_F(DomainStatusTest, ADomainVouchDoesNotProtectIsSaidSo) {
  auto s = ReadDomainStatus(config_, "plain");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.error().message(), "domain 'plain': is not protected by vouch (no bundle)");
}

TEST_F(DomainStatusTest, ANeverStartedDomainHasNoLaunchAndNoDeadline) {
  Seal(5);
  auto s = ReadDomainStatus(config_, "web1");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->uuid, kUuid);
  EXPECT_EQ(s->state, "running");
  EXPECT_EQ(s->threshold, 2u);
  EXPECT_EQ(s->validators, 3u);
  EXPECT_FALSE(s->launch.has_value());
  EXPECT_FALSE(s->deadline.has_value());
  EXPECT_FALSE(s->launch_revocation.has_value());  // no ledger configured
}

TEST_F(DomainStatusTest, EachValidatorsVerdictIsVerifiedNotTakenFromTheFile) {
  Seal(5);
  HostVc launch = AuditVc("launch", kLaunchAt, {true, false}, 10);
  // A countersignature by the third validator over another VC, pasted on this one.
  HostVc other = HostVc::Issue(vouch::testing::SampleClaims(host_, Bytes(32, 6)), host_).value();
  Verdict ok{true, kLaunchAt, Bytes(32, 0xab), RandomBytes(32)};
  ASSERT_TRUE(AttachEndorsement(launch, Endorse(other, validator_keys_[2], ok).value()).ok());
  Keep(launch, 10);

  auto s = ReadDomainStatus(config_, "web1");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_TRUE(s->launch.has_value());
  EXPECT_EQ(s->launch->cti, HexEncode(launch.claims().cti));
  EXPECT_EQ(s->launch->issuer, DidKey::FromPublicKey(host_.public_key()).did());
  ASSERT_EQ(s->launch->endorsements.size(), 3u);
  EXPECT_EQ(s->launch->endorsements[0].did, validator_dids_[0]);
  EXPECT_TRUE(s->launch->endorsements[0].ok);
  EXPECT_EQ(s->launch->endorsements[0].at, kLaunchAt + 1);
  EXPECT_FALSE(s->launch->endorsements[1].ok);  // it refused
  EXPECT_FALSE(s->launch->endorsements[2].ok);  // not over this VC
  EXPECT_NE(s->launch->endorsements[2].error.find(validator_dids_[2]), std::string::npos)
      << s->launch->endorsements[2].error;
}

TEST_F(DomainStatusTest, TheDeadlineRunsFromTheLastEndorsedRoundOfThisLaunch) {
  Seal(5);
  AuditVc("reattest", kLaunchAt - 500, {true, true}, 30);  // a round of an earlier launch
  AuditVc("launch", kLaunchAt, {true, true}, 20);
  auto s = ReadDomainStatus(config_, "web1");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_FALSE(s->last_endorsed.has_value());
  ASSERT_TRUE(s->deadline.has_value());
  EXPECT_EQ(*s->deadline, kLaunchAt + 60 * 5);

  HostVc round = AuditVc("reattest", kLaunchAt + 120, {true, true}, 5);
  ASSERT_TRUE(WriteFile(dir_ / "audit/reattest.log",
                        AsBytes(StrCat("1764000120 domain=other uuid=", kPlainUuid, " refused\n",
                                       "1764000120 domain=web1 uuid=", kUuid, " endorsed cti=x\n",
                                       "1764000130 domain=other uuid=", kPlainUuid, " refused\n")),
                        0644)
                  .ok());
  s = ReadDomainStatus(config_, "web1");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_TRUE(s->last_endorsed.has_value());
  EXPECT_EQ(s->last_endorsed->cti, HexEncode(round.claims().cti));
  EXPECT_EQ(*s->deadline, kLaunchAt + 120 + 60 * 5);
  EXPECT_EQ(s->last_round, StrCat("1764000120 domain=web1 uuid=", kUuid, " endorsed cti=x"));
}

TEST_F(DomainStatusTest, APolicyWithoutGraceHasNoLease) {
  Seal(std::nullopt);
  AuditVc("launch", kLaunchAt, {true, true}, 20);
  auto s = ReadDomainStatus(config_, "web1");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_TRUE(s->launch.has_value());
  EXPECT_FALSE(s->deadline.has_value());
}

}  // namespace
}  // namespace vouch::host
