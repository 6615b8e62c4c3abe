// The prepare hook's two guards around a released key, played as the party
// who can redefine or define domains between `vouch start`'s release and
// QEMU's start: the release mark is honoured only for the attested config,
// and a secret vouch defined for one domain cannot be named by another.
#include "vouch/host/hook_run.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "host/testing/sham_bundle.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/bytes.h"
#include "vouch/core/did_key.h"
#include "vouch/core/hpke.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/launch_policy.h"

namespace vouch::host {
namespace {

using testing::TempDir;

constexpr const char* kUuid = "5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a88";
constexpr const char* kSecret = "9e6a4b28-7c3f-4d52-8a1e-0f6b2d9c4e71";

std::string DomainXml(const std::string& name, const std::string& uuid, const std::string& extra = "") {
  return StrCat("<domain type='qemu'><name>", name, "</name><uuid>", uuid,
                "</uuid><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                "<os><type>hvm</type><kernel>/var/lib/vouch/vmlinuz</kernel></os><devices>"
                "<disk type='file'><source file='/var/lib/vouch/web1.luks'><encryption format='luks'>"
                "<secret type='passphrase' uuid='",
                kSecret, "'/></encryption></source><target dev='vda' bus='virtio'/></disk>", extra,
                "</devices></domain>");
}

class HookRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_ / "hook.conf";
    ASSERT_TRUE(WriteFile(config_,
                          AsBytes(StrCat("state_dir = ", dir_ / "state", "\nbundle_dir = ", dir_ / "domains",
                                         "\naudit_dir = ", dir_ / "audit", "\nhost_key = ", dir_ / "host.pem",
                                         "\n")),
                          0600)
                    .ok());
    ASSERT_EQ(::mkdir((dir_ / "state").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((dir_ / "domains").c_str(), 0700), 0);
  }

  // The bundle `vouch seal` would write for the domain of `xml`: a policy
  // that pins it (the shares are never opened here).
  void Seal(const std::string& xml) {
    OwnerPolicy p;
    auto domain = qemu::ParseDomainXml(xml);
    ASSERT_TRUE(domain.ok()) << domain.error().ToString();
    p.domain_uuid = domain->uuid;
    p.rt = qemu::PinnedLimitsOf(*domain);
    p.threshold = 2;
    auto bundle = vouch::testing::ShamBundle(p, vouch::testing::FreshValidatorDids(2));
    ASSERT_TRUE(bundle.ok()) << bundle.error().ToString();
    ASSERT_TRUE(WriteFile(dir_ / StrCat("domains/", p.domain_uuid, ".bundle"), *bundle, 0600).ok());
  }

  HookConfig Config() const {
    auto config = LoadHookConfig(config_);
    EXPECT_TRUE(config.ok()) << config.error().ToString();
    return config.ok() ? *config : HookConfig{};
  }

  // What `vouch start` leaves after releasing the key for `xml` at `at`.
  void Released(const std::string& xml, int64_t at = kNow) {
    ASSERT_TRUE(WriteFile(dir_ / StrCat("state/", kUuid, ".secrets"), AsBytes(StrCat(kSecret, "\n")), 0600).ok());
    auto digest = qemu::ConfigDigestOfXml(xml);
    ASSERT_TRUE(digest.ok());
    ASSERT_TRUE(MarkFreshRelease(Config(), kUuid, *digest, at).ok());
  }

  Status Prepare(const std::string& name, const std::string& xml, int64_t now = kNow) {
    return RunHook(config_, name, "prepare", "begin", xml, now);
  }

  static constexpr int64_t kNow = 1764000000;

  TempDir dir_;
  std::string config_;
};

TEST_F(HookRunTest, AFreshReleaseOfTheSameConfigIsNotAttestedAgain) {
  std::string xml = DomainXml("web1", kUuid);
  Seal(xml);
  Released(xml);
  // No host key, TPM or validator exists here: only the mark can let it pass.
  Status s = Prepare("web1", xml);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  // The mark is single-use: the next prepare attests (and fails here).
  EXPECT_FALSE(Prepare("web1", xml).ok());
}

// The mark is honoured for kFreshReleaseSeconds after the release, by the
// clock the hook is given; an older one (or one from the future) is not.
TEST_F(HookRunTest, AnOldReleaseMarkIsNotHonoured) {
  std::string xml = DomainXml("web1", kUuid);
  Seal(xml);
  Released(xml, kNow - kFreshReleaseSeconds - 1);
  Status s = Prepare("web1", xml);
  ASSERT_FALSE(s.ok());  // attested: the host key is missing here
  EXPECT_NE(s.error().message().find("host key: cannot open"), std::string::npos) << s.error().message();
  Released(xml, kNow + 60);
  EXPECT_FALSE(Prepare("web1", xml).ok());
  Released(xml, kNow - kFreshReleaseSeconds + 1);
  EXPECT_TRUE(Prepare("web1", xml).ok());
}

TEST_F(HookRunTest, ADomainRedefinedAfterItsReleaseIsAttestedAgainAndRefused) {
  std::string sealed = DomainXml("web1", kUuid);
  Seal(sealed);
  Released(sealed);
  std::string redefined =
      DomainXml("web1", kUuid, "<disk type='file'><source file='/tmp/copy.img'/><target dev='vdb'/></disk>");
  Status s = Prepare("web1", redefined);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("disk 'disk:vdb:none:/tmp/copy.img' is not in the policy's disks_allowed"),
            std::string::npos)
      << s.error().message();
}

TEST_F(HookRunTest, AMarkForAnotherConfigDoesNotSkipTheAttestation) {
  std::string xml = DomainXml("web1", kUuid);
  Seal(xml);
  Released(DomainXml("web1", kUuid, "<graphics type='vnc'/>"));
  Status s = Prepare("web1", xml);
  ASSERT_FALSE(s.ok());  // attested: the host key is missing here
  EXPECT_NE(s.error().message().find("host key: cannot open"), std::string::npos) << s.error().message();
}

TEST_F(HookRunTest, ADomainNamingAnotherDomainsReleasedSecretIsRefused) {
  Released(DomainXml("web1", kUuid));
  Status s = Prepare("thief", DomainXml("thief", "0b6d1f7e-2a4c-4e8b-9d3f-5c7a9e1b3d55"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kConfig);
  EXPECT_EQ(s.error().message(),
            StrCat("domain 'thief' not started: its disk vda names the libvirt secret ", kSecret,
                   ", which vouch released for domain ", kUuid));
  // Its own secret, or none released: nothing to refuse (it is unprotected here).
  EXPECT_TRUE(RefuseForeignSecrets(Config(), "web1", DomainXml("web1", kUuid)).ok());
  ASSERT_EQ(::unlink((dir_ / StrCat("state/", kUuid, ".secrets")).c_str()), 0);
  EXPECT_TRUE(Prepare("thief", DomainXml("thief", "0b6d1f7e-2a4c-4e8b-9d3f-5c7a9e1b3d55")).ok());
}

// The same through the installed front (vouch-hook), which must hand such a
// domain over although nothing marks it as protected.
TEST_F(HookRunTest, TheHookFrontHandsADomainNamingAReleasedSecretOver) {
  Released(DomainXml("web1", kUuid));
  std::string xml = dir_ / "thief.xml", err = dir_ / "stderr";
  ASSERT_TRUE(WriteFile(xml, AsBytes(DomainXml("thief", "0b6d1f7e-2a4c-4e8b-9d3f-5c7a9e1b3d55")), 0600).ok());
  std::string run = StrCat(VOUCH_HOOK_FRONT, " --config ", config_, " thief prepare begin - <", xml, " 2>", err);
  int status = std::system(run.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  auto text = ReadFile(err);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(ToString(*text).find("names the libvirt secret"), std::string::npos) << ToString(*text);
  // Without a released secret it exits 0 at once.
  ASSERT_EQ(::unlink((dir_ / StrCat("state/", kUuid, ".secrets")).c_str()), 0);
  EXPECT_EQ(std::system(run.c_str()), 0);
}

// A stop of a domain released under a policy with a lease: the front hands
// it over, the notice goes to each validator once (the mark is consumed),
// and validators that did not hear of it are named in one line and in the
// audit log.
TEST_F(HookRunTest, AStopOfALeasedLaunchTellsItsValidatorsOnce) {
  const std::string domain_xml = DomainXml("web1", kUuid);
  Seal(domain_xml);
  ASSERT_TRUE(Ed25519PrivateKey::Generate().SavePem(dir_ / "host.pem").ok());
  const std::string cti = HexEncode(RandomBytes(16));
  ASSERT_TRUE(WriteFile(dir_ / StrCat("state/", kUuid, ".lease"), AsBytes(cti + "\n"), 0600).ok());
  ASSERT_EQ(::mkdir((dir_ / "audit").c_str(), 0755), 0);
  std::string xml = dir_ / "web1.xml", err = dir_ / "stderr";
  ASSERT_TRUE(WriteFile(xml, AsBytes(domain_xml), 0600).ok());
  std::string run = StrCat(VOUCH_HOOK_FRONT, " --config ", config_, " web1 stopped end - <", xml, " 2>", err);
  int status = std::system(run.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string said = ToString(ReadFile(err).value());
  EXPECT_EQ(said.rfind("vouch: domain 'web1' stopped, but its validators' leases were not ended: 127.0.0.1:9: ", 0),
            0u)
      << said;
  EXPECT_NE(said.find("127.0.0.1:10: "), std::string::npos) << said;
  EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << said;
  const std::string audit = ToString(ReadFile(dir_ / "audit/stops.log").value());
  EXPECT_NE(audit.find(StrCat(" domain=web1 uuid=", kUuid, " cti=", cti, " stopped leases_ended_by= not_held= failed=\"")),
            std::string::npos)
      << audit;
  struct stat st;
  EXPECT_NE(::stat((dir_ / StrCat("state/", kUuid, ".lease")).c_str(), &st), 0);
  // release end follows: nothing left to send, and the front does not even hand over.
  EXPECT_EQ(std::system(StrCat(VOUCH_HOOK_FRONT, " --config ", config_, " web1 release end - <", xml).c_str()), 0);
  EXPECT_TRUE(RunHook(config_, "web1", "release", "end", domain_xml, kNow).ok());
}

}  // namespace
}  // namespace vouch::host
