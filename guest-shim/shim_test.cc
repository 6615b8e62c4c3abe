// vouch-shim against a real swtpm as the guest vTPM, a socketpair as the
// channel, and the test playing the host agent with real endorsements made
// by validator keys it holds (core's countersignatures, as vouchd makes them).
#include "vouch/shim/shim.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "core/testing/sample_claims.h"
#include "measure/testing/swtpm_fixture.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/random.h"
#include "vouch/core/unique_fd.h"

namespace vouch::shim {
namespace {

using namespace guest_channel;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kDomain[] = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
constexpr int64_t kNow = 1764000100;

std::string Did(const Ed25519PrivateKey& k) { return DidKey::FromPublicKey(k.public_key()).did(); }

struct Keys {
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  std::vector<Ed25519PrivateKey> validators;
  Keys() {
    for (int i = 0; i < 3; ++i) validators.push_back(Ed25519PrivateKey::Generate());
  }
};

OwnerPolicy MakePolicy(const Keys& k, std::string domain = kDomain) {
  OwnerPolicy p;
  p.domain_uuid = std::move(domain);
  p.threshold = 2;
  for (size_t i = 0; i < k.validators.size(); ++i) {
    p.validators.push_back({Did(k.validators[i]), X25519PrivateKey::Generate().public_key(),
                            StrCat("http://127.0.0.1:", 7400 + i)});
    p.commit.push_back(RandomBytes(32));
  }
  p.pcrs = {0, 1, 7};
  p.kcv = RandomBytes(32);
  p.reattest_s = 10;
  p.grace = 3;
  GuestPolicy g;
  g.pcrs = {0, 9};
  g.boot_s = 60;
  g.action = "none";
  p.guest = g;
  return p;
}

Bytes EndorseVc(HostVc vc, const std::vector<const Ed25519PrivateKey*>& by, const PolicyDigest& digest,
               bool ok = true) {
  for (const Ed25519PrivateKey* key : by) {
    Verdict v{ok, kNow, Bytes(32, 0), ToBytes(digest.value)};
    auto e = Endorse(vc, *key, v);
    EXPECT_TRUE(e.ok());
    EXPECT_TRUE(AttachEndorsement(vc, *e).ok());
  }
  return vc.message().Encode();
}

// The agent's side of one round, bent by a test.
struct Agent {
  const Keys* keys;
  SignedPolicy policy;
  Bytes launch;
  std::function<void(HostVcClaims&)> bend_reattest = [](HostVcClaims&) {};
  std::function<std::vector<const Ed25519PrivateKey*>()> endorsers;
  bool silent = false;
  const Ed25519PrivateKey* reattest_signer = nullptr;  // another host than the launch's
  std::optional<std::string> refuse;                   // answer the evidence with refused
  std::vector<Bytes> nonces = {RandomBytes(32), RandomBytes(32), RandomBytes(32)};
  std::optional<GuestEvidence> received;

  void Serve(int fd) {
    FramedChannel ch(fd);
    auto deadline = steady_clock::now() + std::chrono::seconds(20);
    auto hello = ch.Read(deadline);
    if (!hello.ok() || silent) return;
    if (!ch.Write(PolicyOffer{policy.encoded(), launch}, deadline).ok()) return;
    auto round = ch.Read(deadline);
    if (!round.ok()) return;
    if (!ch.Write(Challenge{5, nonces}, deadline).ok()) return;
    auto ev = ch.Read(deadline);
    if (!ev.ok() || !std::holds_alternative<Evidence>(*ev)) return;
    received = std::get<Evidence>(*ev).guest;
    if (refuse) {
      (void)ch.Write(Refused{5, *refuse}, deadline);
      return;
    }
    HostVcClaims c = testing::SampleClaims(keys->host, RandomBytes(32));
    c.type = "reattest";
    c.domain_uuid = policy.policy().domain_uuid;
    c.issued_at = kNow;
    c.expires_at = kNow + 60;
    c.nonces = nonces;
    c.policy_digest = ToBytes(policy.digest().value);
    c.guest = *received;
    c.launch_cti = HostVc::Parse(launch)->claims().cti;
    bend_reattest(c);
    const Ed25519PrivateKey& signer = reattest_signer ? *reattest_signer : keys->host;
    c.issuer = Did(signer);
    auto vc = HostVc::Issue(c, signer);
    if (!vc.ok()) return;
    (void)ch.Write(Endorsed{5, EndorseVc(*vc, endorsers(), policy.digest())}, deadline);
  }
};

class ShimRoundTest : public testing::SwtpmTest {
 protected:
  void SetUp() override {
    SwtpmTest::SetUp();
    auto tpm = Tpm::Open(swtpm_->tcti());
    ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
    tpm_ = std::move(*tpm);
    config_.owner = Did(keys_.owner);
    config_.domain = kDomain;
    config_.state_dir = work_ / "state";
    config_.key_dir = work_ / "ak";
    auto ak = LoadOrCreateAk(*tpm_, config_.key_dir);
    ASSERT_TRUE(ak.ok()) << ak.error().ToString();
    ak_.emplace(std::move(*ak));
    std::ofstream(work_ / "eventlog") << "firmware event log bytes";
  }

  SignedPolicy Sign(const OwnerPolicy& p, const Ed25519PrivateKey& owner) {
    auto s = SignedPolicy::Sign(p, owner);
    EXPECT_TRUE(s.ok());
    return *s;
  }
  Bytes Launch(const SignedPolicy& policy, int endorsements = 2) {
    HostVcClaims c = testing::SampleClaims(keys_.host, RandomBytes(32));
    c.domain_uuid = policy.policy().domain_uuid;
    c.policy_digest = ToBytes(policy.digest().value);
    auto vc = HostVc::Issue(c, keys_.host);
    EXPECT_TRUE(vc.ok());
    std::vector<const Ed25519PrivateKey*> by;
    for (int i = 0; i < endorsements; ++i) by.push_back(&keys_.validators[i]);
    return EndorseVc(*vc, by, policy.digest());
  }
  Agent GoodAgent() {
    SignedPolicy p = Sign(MakePolicy(keys_), keys_.owner);
    Bytes launch = Launch(p);
    Agent a{&keys_, p, launch, {}, {}, false, nullptr, std::nullopt, {}, std::nullopt};
    a.bend_reattest = [](HostVcClaims&) {};
    a.nonces = {RandomBytes(32), RandomBytes(32), RandomBytes(32)};
    a.endorsers = [this] { return std::vector<const Ed25519PrivateKey*>{&keys_.validators[0], &keys_.validators[2]}; };
    return a;
  }

  Result<RoundResult> Run(Agent& agent, milliseconds timeout = milliseconds(20000)) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    UniqueFd ours(fds[0]), theirs(fds[1]);
    std::thread t([&] { agent.Serve(theirs.get()); });
    auto r = RunRound(config_, ours.get(), *tpm_, *ak_, work_ / "eventlog", kNow, steady_clock::now() + timeout);
    ours.Reset();  // a silent agent sees the close
    t.join();
    return r;
  }
  bool Exists(const char* file) { return std::filesystem::exists(StrCat(config_.state_dir, "/", file)); }

  Keys keys_;
  std::unique_ptr<Tpm> tpm_;
  std::optional<Ak> ak_;
  ShimConfig config_;
};

TEST_F(ShimRoundTest, GoodRoundWritesAnAttestationThatVerifies) {
  Agent agent = GoodAgent();
  auto r = Run(agent);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->endorsers.size(), 2u);
  EXPECT_EQ(r->attested_at, kNow);
  // What the agent received is a real quote by the guest AK over guest.pcrs.
  ASSERT_TRUE(agent.received.has_value());
  EXPECT_EQ(agent.received->ak, ak_->public_area().bytes());
  EXPECT_EQ(agent.received->pcrs.size(), 2u);
  EXPECT_EQ(agent.received->log, ToBytes(Sha256(AsBytes("firmware event log bytes"))));
  // attestation.cbor: a public proof (0644) that `vouch verify` accepts (the
  // same two checks: the host signature and every endorsement).
  std::string path = StrCat(config_.state_dir, "/", kAttestationFile);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  auto vc = HostVc::Parse(*ReadFile(path));
  ASSERT_TRUE(vc.ok()) << vc.error().ToString();
  auto checks = CheckEndorsements(*vc);
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 2u);
  for (const auto& c : *checks) EXPECT_TRUE(c.status.ok());
  auto state = LoadState(config_.state_dir);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state->pinned_policy, agent.policy.encoded());
  EXPECT_EQ(*state->attested_at, kNow);
}

TEST_F(ShimRoundTest, AkIsCreatedUnderMissingParentDirectories) {
  // A fresh guest has no /var/lib/vouch: the shim makes the parents itself.
  std::string nested = work_ / "var/lib/vouch/shim";
  auto ak = LoadOrCreateAk(*tpm_, nested);
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  auto again = LoadOrCreateAk(*tpm_, nested);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->public_area().bytes(), ak->public_area().bytes());
}

TEST_F(ShimRoundTest, AkPersistsAcrossRounds) {
  auto again = LoadOrCreateAk(*tpm_, config_.key_dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_area().bytes(), ak_->public_area().bytes());
  struct stat st;
  ASSERT_EQ(::stat((config_.key_dir + "/ak.priv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Agent first = GoodAgent();
  ASSERT_TRUE(Run(first).ok());
  Agent second = GoodAgent();
  second.policy = first.policy;
  second.launch = first.launch;
  ASSERT_TRUE(Run(second).ok());
  EXPECT_EQ(first.received->ak, second.received->ak);
}

TEST_F(ShimRoundTest, PolicyOfAnotherOwnerIsRefused) {
  Agent agent = GoodAgent();
  Ed25519PrivateKey mallory = Ed25519PrivateKey::Generate();
  agent.policy = Sign(MakePolicy(keys_), mallory);
  agent.launch = Launch(agent.policy);
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not by the owner in shim.conf"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kPolicyFile));
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, PolicyForAnotherDomainIsRefused) {
  Agent agent = GoodAgent();
  agent.policy = Sign(MakePolicy(keys_, "00000000-0000-4000-8000-000000000000"), keys_.owner);
  agent.launch = Launch(agent.policy);
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not for this guest's"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, SwappedPolicyAfterPinningIsRefused) {
  Agent first = GoodAgent();
  ASSERT_TRUE(Run(first).ok());
  Agent swapped = GoodAgent();  // same owner, a new policy
  auto before = ReadFile(StrCat(config_.state_dir, "/", kAttestationFile));
  auto r = Run(swapped);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("is not the policy pinned"), std::string::npos) << r.error().message();
  EXPECT_EQ(*ReadFile(StrCat(config_.state_dir, "/", kPolicyFile)), first.policy.encoded());
  EXPECT_EQ(*ReadFile(StrCat(config_.state_dir, "/", kAttestationFile)), *before);
}

TEST_F(ShimRoundTest, LaunchVcWithTooFewEndorsementsIsRefused) {
  Agent agent = GoodAgent();
  agent.launch = Launch(agent.policy, 1);
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("launch VC carries 1 valid endorsements"), std::string::npos)
      << r.error().message();
}

TEST_F(ShimRoundTest, ReattestWithFewerThanTCountersignaturesIsRefused) {
  Agent agent = GoodAgent();
  agent.endorsers = [this] { return std::vector<const Ed25519PrivateKey*>{&keys_.validators[1]}; };
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("reattest VC carries 1 valid"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, CountersignaturesByNonPolicyValidatorsDoNotCount) {
  Agent agent = GoodAgent();
  Ed25519PrivateKey a = Ed25519PrivateKey::Generate(), b = Ed25519PrivateKey::Generate();
  agent.endorsers = [&] { return std::vector<const Ed25519PrivateKey*>{&a, &b, &keys_.validators[0],
                                                                        &keys_.validators[0]}; };
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("carries 1 valid"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, VcWhoseGuestEvidenceDiffersIsRefused) {
  Agent agent = GoodAgent();
  agent.bend_reattest = [](HostVcClaims& c) { c.guest->pcrs[9] = Bytes(32, 0x99); };
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("vouch.guest is not the evidence"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, AnEndorsedRoundOfAnotherLaunchIsNotKept) {
  Agent agent = GoodAgent();
  agent.bend_reattest = [](HostVcClaims& c) { c.launch_cti = RandomBytes(kCtiSize); };
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("vouch.launch is"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, VcForOtherNoncesIsRefused) {
  Agent agent = GoodAgent();
  agent.bend_reattest = [](HostVcClaims& c) { c.nonces[1] = RandomBytes(32); };
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("eat_nonce"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, VcForAnotherDomainIsRefused) {
  Agent agent = GoodAgent();
  agent.bend_reattest = [](HostVcClaims& c) { c.domain_uuid = "00000000-0000-4000-8000-000000000000"; };
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("sub is"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, VcFromAnotherHostThanTheLaunchIsRefused) {
  Agent agent = GoodAgent();
  Ed25519PrivateKey stranger = Ed25519PrivateKey::Generate();
  agent.reattest_signer = &stranger;
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not by the launch host"), std::string::npos) << r.error().message();
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST_F(ShimRoundTest, RefusedRoundWritesNothing) {
  Agent agent = GoodAgent();
  agent.refuse = "2 of 3 validators answered drift";
  auto r = Run(agent);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "the agent refused the round: 2 of 3 validators answered drift");
  EXPECT_FALSE(Exists(kAttestationFile));
  EXPECT_FALSE(Exists(kAttestedAtFile));
}

TEST_F(ShimRoundTest, SilentAgentTimesOutWithinTheDeadline) {
  Agent agent = GoodAgent();
  agent.silent = true;
  auto start = steady_clock::now();
  auto r = Run(agent, milliseconds(500));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kTimeout);
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  EXPECT_FALSE(Exists(kAttestationFile));
}

TEST(GraceTest, DeadlinesFollowThePinnedPolicy) {
  ShimConfig config;
  config.grace = std::chrono::seconds(600);
  ShimState none;
  GraceDecision d = DecideGrace(config, none, 1000 + 600, 1000);
  EXPECT_EQ(d.deadline, 1600);
  EXPECT_FALSE(d.past);
  EXPECT_EQ(d.action, "poweroff");
  EXPECT_TRUE(DecideGrace(config, none, 1601, 1000).past);

  Keys k;
  OwnerPolicy p = MakePolicy(k);  // reattest_s 10, grace 3, boot_s 60
  p.guest->action = "exec:/bin/true";
  ShimState pinned;
  pinned.pinned_policy = SignedPolicy::Sign(p, k.owner)->encoded();
  d = DecideGrace(config, pinned, 1090, 1000);
  EXPECT_EQ(d.deadline, 1000 + 60 + 30);
  EXPECT_FALSE(d.past);
  EXPECT_EQ(d.action, "exec:/bin/true");
  pinned.attested_at = 5000;
  EXPECT_FALSE(DecideGrace(config, pinned, 5030, 1000).past);
  EXPECT_TRUE(DecideGrace(config, pinned, 5031, 1000).past);
}

TEST(GraceTest, ExecActionRunsWithTheReason) {
  testing::TempDir dir;
  std::string script = dir / "action.sh", marker = dir / "marker";
  std::ofstream(script) << "#!/bin/sh\necho \"$VOUCH_SHIM_REASON\" > " << marker << "\n";
  ::chmod(script.c_str(), 0755);
  ASSERT_TRUE(RunAction("none", "quiet").ok());
  EXPECT_FALSE(std::filesystem::exists(marker));
  ASSERT_TRUE(RunAction("exec:" + script, "missed the deadline").ok());
  std::ifstream in(marker);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "missed the deadline");
}

}  // namespace
}  // namespace vouch::shim

namespace vouch::shim {
namespace {

// The vouch-shim binary itself. Every config here sets a harmless action
// (exec of a marker script or none): the tests may run as root.
class ShimBinaryTest : public testing::SwtpmTest {
 protected:
  void SetUp() override {
    SwtpmTest::SetUp();
    marker_ = work_ / "marker";
    script_ = work_ / "action.sh";
    std::ofstream(script_) << "#!/bin/sh\necho \"$VOUCH_SHIM_REASON\" > " << marker_ << "\n";
    ::chmod(script_.c_str(), 0755);
  }
  void WriteConfig(const std::string& extra) {
    std::ofstream(work_ / "shim.conf") << "owner = " << Did(keys_.owner) << "\nstate_dir = " << (work_ / "state")
                                       << "\nkey_dir = " << (work_ / "ak") << "\naction = exec:" << script_
                                       << "\ntimeout = 2s\n" << extra;
  }
  // Runs vouch-shim with `args`; returns its exit code, stderr in err_.
  int Shim(const std::string& args) {
    std::string cmd = StrCat(VOUCH_SHIM_BINARY, " --config ", work_ / "shim.conf", " ", args, " 2>",
                             work_ / "stderr", " >", work_ / "stdout");
    int rc = std::system(cmd.c_str());
    err_ = ToString(ReadFile(work_ / "stderr").value());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  void PinPolicyAttestedAt(int64_t at) {
    OwnerPolicy p = MakePolicy(keys_);
    p.guest->action = "exec:" + script_;
    std::filesystem::create_directories(work_ / "state");
    ASSERT_TRUE(WriteFile(work_ / "state/policy.cbor", SignedPolicy::Sign(p, keys_.owner)->encoded()).ok());
    ASSERT_TRUE(WriteFile(work_ / "state/attested-at", ToBytes(StrCat(at, "\n"))).ok());
  }
  bool MarkerWritten() { return std::filesystem::exists(marker_); }

  Keys keys_;
  std::string marker_, script_, err_;
};

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

TEST_F(ShimBinaryTest, MissingTpmIsOneClearLine) {
  WriteConfig("tcti = device:/nonexistent/tpmrm0\ngrace = 100000\n");
  EXPECT_EQ(Shim("round"), 1);
  EXPECT_NE(err_.find("vouch-shim: round failed: no TPM at /nonexistent/tpmrm0 (does the domain have a <tpm> "
                      "device?)\n"),
            std::string::npos)
      << err_;
  EXPECT_FALSE(MarkerWritten());
}

TEST_F(ShimBinaryTest, MissingChannelIsOneClearLine) {
  WriteConfig(StrCat("tcti = ", swtpm_->tcti(), "\ngrace = 100000s\n"));
  EXPECT_EQ(Shim("round"), 1);
  EXPECT_NE(err_.find("vouch-shim: round failed: no virtio-serial port named org.vouch.attest.0 (is the "
                      "domain's <channel> defined?)\n"),
            std::string::npos)
      << err_;
  EXPECT_NE(err_.find("within the grace"), std::string::npos) << err_;
  EXPECT_FALSE(MarkerWritten());
}

TEST_F(ShimBinaryTest, ActionRunsPastTheGraceAndNotBefore) {
  WriteConfig("tcti = device:/nonexistent/tpmrm0\n");
  PinPolicyAttestedAt(Now() - 5);  // lease reattest_s 10 × grace 3 = 30 s
  EXPECT_EQ(Shim("round"), 1);
  EXPECT_FALSE(MarkerWritten()) << err_;
  EXPECT_NE(err_.find("within the grace"), std::string::npos) << err_;

  PinPolicyAttestedAt(Now() - 31);
  EXPECT_EQ(Shim("round"), 1);
  ASSERT_TRUE(MarkerWritten()) << err_;
  EXPECT_NE(err_.find("past the grace"), std::string::npos) << err_;
  EXPECT_NE(ToString(*ReadFile(marker_)).find("no verified endorsement since the deadline"), std::string::npos);
}

TEST_F(ShimBinaryTest, UnknownConfigKeyNamesFileAndLine) {
  WriteConfig("colour = red\n");
  EXPECT_EQ(Shim("round"), 2);
  EXPECT_NE(err_.find("shim.conf:6: unknown key 'colour'"), std::string::npos) << err_;
}

TEST_F(ShimBinaryTest, StatusPrintsTheNextDeadline) {
  WriteConfig("");
  PinPolicyAttestedAt(Now() - 5);
  EXPECT_EQ(Shim("status"), 0);
  std::string out = ToString(*ReadFile(work_ / "stdout"));
  EXPECT_NE(out.find("last attestation:"), std::string::npos) << out;
  EXPECT_NE(out.find("next deadline:"), std::string::npos) << out;
}

}  // namespace
}  // namespace vouch::shim

namespace vouch::shim {
namespace {

TEST(EventLogTest, DigestOfTheLogOrOfNothingWhenMissing) {
  testing::TempDir dir;
  std::ofstream(dir / "log") << "abc";
  bool missing = true;
  auto d = EventLogDigest(dir / "log", &missing);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(missing);
  EXPECT_EQ(*d, ToBytes(Sha256(AsBytes("abc"))));
  auto none = EventLogDigest(dir / "absent", &missing);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(missing);
  EXPECT_EQ(*none, ToBytes(Sha256(ByteView{})));
}

}  // namespace
}  // namespace vouch::shim
