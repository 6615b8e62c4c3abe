// The agent's guest relay (guest_relay.h) end to end in one process: the real
// vouch-shim round code (guest-shim/shim.h) with a swtpm as the guest's vTPM
// on one end of a socketpair, ServeGuestChannel on the other with a swtpm as
// the host TPM, three real validator servers (validator/server.h) judging
// the rounds, and libvirt's test driver holding the running domain. It plays
// the guest whose measured state drifts (a guest PCR extended) and the agent
// restarted between rounds (no false drift from a lost baseline). Then
// vouch-agent (agent.h) on the test driver's events.
#include "vouch/host/guest_relay.h"
#include "vouch/host/agent.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "measure/testing/swtpm_process.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/random.h"
#include "vouch/core/unique_fd.h"
#include "vouch/host/reattest_run.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/host/release.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"
#include "vouch/shim/shim.h"
#include "vouch/core/cbor.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/fault.h"
#include "vouch/validator/server.h"
#include "vouch/validator/static_host_directory.h"
#include "validator/testing/in_process_validator.h"

namespace vouch::host {
namespace {

using testing::SwtpmProcess;
using testing::TempDir;

constexpr const char* kUuid = "6a1d3b4e-8b1d-4c6e-9a7f-3e2d1c0b9a77";

using Validator = validator::testing::InProcessValidator;

class GuestRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"state", "domains", "audit", "host-ak", "guest-ak", "guest-state"}) {
      ASSERT_EQ(::mkdir((dir_ / d).c_str(), 0700), 0);
    }
    auto host_tpm = SwtpmProcess::Start(dir_ / "host-tpm");
    auto guest_tpm = SwtpmProcess::Start(dir_ / "guest-tpm");
    ASSERT_TRUE(host_tpm.ok() && guest_tpm.ok());
    host_tpm_ = std::move(host_tpm).value();
    guest_tpm_ = std::move(guest_tpm).value();
    CreateAk(host_tpm_->tcti(), dir_ / "host-ak", &host_ak_public_);
    CreateAk(guest_tpm_->tcti(), dir_ / "guest-ak", nullptr);
    ASSERT_TRUE(host_key_.SavePem(dir_ / "host.pem").ok());

    for (auto& v : validators_) v = std::make_unique<Validator>();
    std::set<std::string> certifiers;
    for (auto& v : validators_) certifiers.insert(v->keys.did());
    for (auto& v : validators_) StartValidator(*v, certifiers);

    ASSERT_TRUE(WriteFile(dir_ / "node.xml", AsBytes(StrCat("<node>", DomainXml(), "</node>")), 0600).ok());
    ASSERT_TRUE(WriteFile(dir_ / "hook.conf",
                          AsBytes(StrCat("tcti = ", host_tpm_->tcti(), "\nhost_key = ", dir_ / "host.pem",
                                         "\nak_dir = ", dir_ / "host-ak", "\nstate_dir = ", dir_ / "state",
                                         "\nbundle_dir = ", dir_ / "domains", "\naudit_dir = ", dir_ / "audit",
                                         "\nlibvirt_uri = test://", dir_ / "node.xml", "\n")),
                          0600)
                    .ok());
    auto config = LoadHookConfig(dir_ / "hook.conf");
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    config_ = *config;
    SealAndLaunch();
  }

  void TearDown() override {
    for (auto& v : validators_) v->Stop();
  }

  static void CreateAk(const std::string& tcti, const std::string& dir, Bytes* public_area) {
    auto tpm = Tpm::Open(tcti);
    ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
    auto ak = shim::LoadOrCreateAk(**tpm, dir);
    ASSERT_TRUE(ak.ok()) << ak.error().ToString();
    if (public_area != nullptr) *public_area = ak->public_area().bytes();
  }

  void StartValidator(Validator& v, const std::set<std::string>& certifiers,
                      validator::AppraisalOptions appraisal = {}) {
    Status started = v.Start(host_did_, host_ak_public_, certifiers, appraisal);
    ASSERT_TRUE(started.ok()) << started.error().ToString();
  }

  std::set<std::string> Certifiers() const {
    std::set<std::string> dids;
    for (const auto& v : validators_) dids.insert(v->keys.did());
    return dids;
  }

  static std::string DomainXml() {
    return StrCat("<domain type='test'><name>web1</name><uuid>", kUuid,
                  "</uuid><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>");
  }

  // The owner's policy (2 of 3, pause on drift, a guest section over guest
  // PCRs 0 and 9) in bundle_dir, and the launch VC endorsed by validators 0
  // and 2 in the audit store, as a release leaves them.
  void SealAndLaunch(const std::string& name = "web1") {
    OwnerPolicy p;
    p.domain_uuid = kUuid;
    p.threshold = 2;
    ProtectionBundle bundle;
    for (auto& v : validators_) {
      p.validators.push_back({v->keys.did(), v->keys.hpke_key().public_key(), v->endpoint()});
      p.commit.push_back(RandomBytes(32));
      bundle.sealed_shares.push_back(RandomBytes(64));
    }
    p.pcrs = {0, 7};
    p.rt.memory_kib_max = 1048576;
    p.rt.vcpus_max = 2;
    p.vc_ttl = 120;
    p.reattest_s = 10;
    p.grace = 3;
    p.on_drift = "pause";
    p.kcv = RandomBytes(32);
    GuestPolicy g;
    g.pcrs = {0, 9};
    g.boot_s = 60;
    g.action = "none";
    p.guest = g;
    auto policy = SignedPolicy::Sign(p, owner_);
    ASSERT_TRUE(policy.ok()) << policy.error().ToString();
    policy_ = std::make_unique<SignedPolicy>(*policy);
    bundle.policy = policy_->encoded();
    ASSERT_TRUE(WriteFile(dir_ / StrCat("domains/", kUuid, ".bundle"), EncodeBundle(bundle), 0600).ok());

    // The launch saw the domain as libvirt runs it (its live XML).
    auto conn = qemu::Connect(config_.libvirt_uri);
    ASSERT_TRUE(conn.ok()) << conn.error().ToString();
    auto live = conn->DomainXml(name, /*inactive=*/false);
    ASSERT_TRUE(live.ok()) << live.error().ToString();
    auto domain = qemu::ParseDomainXml(*live);
    ASSERT_TRUE(domain.ok()) << domain.error().ToString();
    auto identity = LoadHostIdentity(config_);
    ASSERT_TRUE(identity.ok()) << identity.error().ToString();
    HostContext host{&identity->key, identity->tpm.get(), &identity->ak, {"9.0.0", "7.2.0", "6.1.0", ""}, {}};
    ReleaseRequest request;
    request.policy = policy_.get();
    request.domain_config = qemu::CanonicalConfigBytes(*domain);
    auto claims = LaunchClaims(request, host, {RandomBytes(32)}, X25519PrivateKey::Generate().public_key());
    ASSERT_TRUE(claims.ok()) << claims.error().ToString();
    auto vc = HostVc::Issue(*claims, host_key_);
    ASSERT_TRUE(vc.ok()) << vc.error().ToString();
    for (size_t i : {0, 2}) {
      Verdict verdict{true, std::time(nullptr), Bytes(32, 0), ToBytes(policy_->digest().value)};
      auto e = Endorse(*vc, validators_[i]->keys.signing_key(), verdict);
      ASSERT_TRUE(e.ok() && AttachEndorsement(*vc, *e).ok());
    }
    launch_cti_ = vc->claims().cti;
    ASSERT_TRUE(WriteFile(dir_ / StrCat("audit/", kUuid, "-", HexEncode(launch_cti_), ".cbor"),
                          vc->message().Encode(), 0644)
                    .ok());
  }

  // One shim round on `fd` (the guest's end of the channel).
  Result<shim::RoundResult> ShimRound(int fd) {
    shim::ShimConfig shim_config;
    shim_config.owner = DidKey::FromPublicKey(owner_.public_key()).did();
    shim_config.domain = kUuid;
    shim_config.state_dir = dir_ / "guest-state";
    shim_config.key_dir = dir_ / "guest-ak";
    auto tpm = Tpm::Open(guest_tpm_->tcti());
    if (!tpm.ok()) return tpm.error();
    auto ak = Ak::Load(dir_ / "guest-ak");
    if (!ak.ok()) return ak.error();
    std::ofstream(dir_ / "eventlog") << "the guest firmware's event log";
    return shim::RunRound(shim_config, fd, **tpm, *ak, dir_ / "eventlog", std::time(nullptr),
                          std::chrono::steady_clock::now() + std::chrono::seconds(30));
  }

  // One shim round against a relay that lives for this round only (an
  // agent restarted between rounds).
  Result<shim::RoundResult> GuestRound() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return Error(Code::kIo, "socketpair");
    UniqueFd agent_end(fds[0]), guest_end(fds[1]);
    GuestRelayOptions options;
    options.config = config_;
    options.domain = "web1";
    options.log = [this](const std::string& line) { relay_log_.push_back(line); };
    std::atomic<bool> stop{false};
    std::thread relay([&] { (void)ServeGuestChannel(agent_end.get(), options, stop); });

    auto round = ShimRound(guest_end.get());
    stop = true;
    relay.join();
    return round;
  }

  TempDir dir_;
  std::unique_ptr<SwtpmProcess> host_tpm_, guest_tpm_;
  Bytes host_ak_public_;
  Ed25519PrivateKey host_key_ = Ed25519PrivateKey::Generate();
  std::string host_did_ = DidKey::FromPublicKey(host_key_.public_key()).did();
  Ed25519PrivateKey owner_ = Ed25519PrivateKey::Generate();
  std::array<std::unique_ptr<Validator>, 3> validators_;
  HookConfig config_;
  std::unique_ptr<SignedPolicy> policy_;
  Bytes launch_cti_;
  std::vector<std::string> relay_log_;
};

// hook.conf event_log is read with the identity every exchange loads (its
// bytes go into each VC, LaunchClaims); one no VC can carry is refused here.
TEST_F(GuestRelayTest, TheHookConfsEventLogIsReadWithTheHostIdentity) {
  {
    auto none = LoadHostIdentity(config_);
    ASSERT_TRUE(none.ok()) << none.error().ToString();
    EXPECT_TRUE(none->event_log.empty());
  }
  HookConfig config = config_;
  config.event_log = dir_ / "binary_bios_measurements";
  Bytes log = RandomBytes(20000);
  ASSERT_TRUE(WriteFile(config.event_log, log, 0600).ok());
  {
    auto loaded = LoadHostIdentity(config);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    EXPECT_EQ(loaded->event_log, log);
  }
  ASSERT_TRUE(WriteFile(config.event_log, Bytes(kMaxVcEventLogSize + 1, 0), 0600).ok());
  {
    auto big = LoadHostIdentity(config);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code(), Code::kInvalidArgument);
    EXPECT_NE(big.error().message().find("65537 bytes, a host sends 1..65536 (hook.conf event_log"),
              std::string::npos)
        << big.error().message();
  }
  config.event_log = dir_ / "absent";
  auto absent = LoadHostIdentity(config);
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.error().message().find("event log (hook.conf event_log)"), std::string::npos)
      << absent.error().message();
}

TEST_F(GuestRelayTest, RoundsAreEndorsedAndTheFirstBecomesTheGuestBaseline) {
  auto first = GuestRound();
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_GE(first->endorsers.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "guest-state/attestation.cbor"));
  auto baseline = ReadFile(GuestBaselinePath(config_, kUuid));
  ASSERT_TRUE(baseline.ok()) << baseline.error().ToString();
  auto kept = HostVc::Parse(*baseline);
  ASSERT_TRUE(kept.ok()) << kept.error().ToString();
  ASSERT_TRUE(kept->claims().guest.has_value());
  EXPECT_EQ(kept->claims().launch_cti, launch_cti_);

  // A restarted relay finds the baseline, and the unchanged guest passes it.
  auto second = GuestRound();
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(ReadFile(GuestBaselinePath(config_, kUuid)).value(), *baseline);  // the first stays
  ASSERT_EQ(relay_log_.size(), 2u);
  EXPECT_NE(relay_log_[1].find("re-endorsed by 3 of 3"), std::string::npos) << relay_log_[1];
}

TEST_F(GuestRelayTest, AGuestPcrExtendedInsideTheGuestIsDriftAndThePolicyPausesTheDomain) {
  ASSERT_TRUE(GuestRound().ok());
  auto extended = guest_tpm_->RunTpm2Tool({"tpm2_pcrextend", StrCat("9:sha256=", HexEncode(Bytes(32, 0x5a)))});
  ASSERT_TRUE(extended.ok() && extended->exit_code == 0);

  auto drifted = GuestRound();
  ASSERT_FALSE(drifted.ok());
  EXPECT_NE(drifted.error().message().find("guest PCR 9 changed since the first report"), std::string::npos)
      << drifted.error().message();
  EXPECT_FALSE(relay_log_.empty());
  EXPECT_NE(relay_log_.back().find("on_drift=pause: domain paused"), std::string::npos) << relay_log_.back();
  // libvirt suspended it (the test driver keeps a file URI's state per
  // connection, so the e2e on the real libvirtd checks the state itself).
  auto log = ReadFile(dir_ / "audit/reattest.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(ToString(*log).find("verdict=drift on_drift=pause"), std::string::npos) << ToString(*log);
}

TEST_F(GuestRelayTest, EvidenceForARoundTheAgentDidNotBeginIsRefused) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd agent_end(fds[0]), guest_end(fds[1]);
  GuestRelayOptions options;
  options.config = config_;
  options.domain = "web1";
  std::atomic<bool> stop{false};
  std::thread relay([&] { (void)ServeGuestChannel(agent_end.get(), options, stop); });
  guest_channel::FramedChannel ch(guest_end.get());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  GuestEvidence made_up{RandomBytes(100), RandomBytes(70), RandomBytes(32), {{9, RandomBytes(32)}}, RandomBytes(90)};
  ASSERT_TRUE(ch.Write(guest_channel::Evidence{7, made_up}, deadline).ok());
  auto answer = ch.Read(deadline);
  stop = true;
  relay.join();
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  ASSERT_TRUE(std::holds_alternative<guest_channel::Refused>(*answer));
  EXPECT_NE(std::get<guest_channel::Refused>(*answer).reason.find("round 7 was not begun"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(GuestBaselinePath(config_, kUuid)));
}

// A stand-in for validator 0 that forges what a network attacker could: a
// challenge, then a "drift" refusal of every re-attestation with no signed
// verdict (a fake, for a fault the real vouchd never produces).
class ForgedDriftValidator {
 public:
  explicit ForgedDriftValidator(std::string did) {
    server_.Get("/v1/challenge", [did](const httplib::Request&, httplib::Response& res) {
      Bytes body = cbor::Encode(cbor::Value::Map({{"nonce", cbor::Value(RandomBytes(32))}, {"validator", did}}));
      res.set_content(std::string(body.begin(), body.end()), "application/cbor");
    });
    server_.Post("/v1/reattest", [](const httplib::Request&, httplib::Response& res) {
      Bytes body = cbor::Encode(cbor::Value::Map(
          {{"code", "drift"}, {"reason", "forged: PCR 9 changed since the first report"}}));
      res.status = 403;
      res.set_content(std::string(body.begin(), body.end()), "application/cbor");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ForgedDriftValidator() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(GuestRelayTest, OneByzantineDriftVerdictAndAForgedRefusalDoNotStopTheGuest) {
  // Validator 0 is replaced by the forger, validator 1 turns Byzantine (a
  // signed drift verdict for every round), validator 2 stays honest; the
  // owner seals again over these endpoints.
  ForgedDriftValidator forger(validators_[0]->keys.did());
  validators_[0]->Stop();
  validators_[0]->port = forger.port();
  validator::AppraisalOptions byzantine;
  byzantine.fault = validator::Fault::kDriftAll;
  StartValidator(*validators_[1], Certifiers(), byzantine);
  SealAndLaunch();

  auto round = GuestRound();
  ASSERT_FALSE(round.ok());
  ASSERT_FALSE(relay_log_.empty());
  const std::string& line = relay_log_.back();
  EXPECT_NE(line.find("1 of 2 endorsements"), std::string::npos) << line;
  EXPECT_NE(line.find("not enforced: 1 signed drift verdicts, 2 needed (1 unsigned refusals ignored)"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("on_drift=pause"), std::string::npos) << line;
  auto log = ReadFile(dir_ / "audit/reattest.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(ToString(*log).find("verdict=unavailable enforced=no"), std::string::npos) << ToString(*log);
  EXPECT_EQ(ToString(*log).find("verdict=drift"), std::string::npos) << ToString(*log);
}

// The agent's log lines, as its log callback (any thread) leaves them.
class AgentLog {
 public:
  std::function<void(const std::string&)> Sink() {
    return [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu_);
      all_ += line + "\n";
    };
  }
  std::string All() {
    std::lock_guard<std::mutex> lock(mu_);
    return all_;
  }

 private:
  std::mutex mu_;
  std::string all_;
};

// vouch-agent (agent.h) on libvirt's test driver, whose connections to
// test:///default share their domains and events in one process: the agent
// attaches to a protected domain when libvirt says it started, serves its
// guest channel (a unix socket this test listens on, as QEMU would), and
// detaches when it stops.
class AgentTest : public GuestRelayTest {
 protected:
  void SetUp() override {
    GuestRelayTest::SetUp();
    if (HasFatalFailure()) return;
    socket_path_ = dir_ / "chan.sock";
    listener_ = Listen(socket_path_);
    ASSERT_GE(listener_.get(), 0);
    config_.libvirt_uri = "test:///default";
    auto conn = qemu::Connect(config_.libvirt_uri);
    ASSERT_TRUE(conn.ok()) << conn.error().ToString();
    conn_ = std::make_unique<qemu::LibvirtConnection>(std::move(conn).value());
  }

  void TearDown() override {
    if (conn_ != nullptr) {
      if (auto* d = virDomainLookupByName(conn_->get(), kAgentDomain)) {
        virDomainDestroy(d);
        virDomainFree(d);
      }
    }
    GuestRelayTest::TearDown();
  }

  static UniqueFd Listen(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(fd.get(), 4) != 0) {
      return UniqueFd(-1);
    }
    return fd;
  }

  // Starts the protected domain on the test driver (transient, with the
  // guest channel at socket_path_) and records its launch.
  void StartDomain() {
    std::string xml = StrCat("<domain type='test'><name>", kAgentDomain, "</name><uuid>", kUuid,
                             "</uuid><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type>hvm</type></os>"
                             "<devices><channel type='unix'><source mode='bind' path='",
                             socket_path_, "'/><target type='virtio' name='org.vouch.attest.0'/></channel>"
                             "</devices></domain>");
    virDomainPtr d = virDomainCreateXML(conn_->get(), xml.c_str(), 0);
    ASSERT_NE(d, nullptr) << virGetLastErrorMessage();
    virDomainFree(d);
    SealAndLaunch(kAgentDomain);
  }

  // Waits up to 10 s for `want` to hold.
  template <typename Condition>
  static bool Eventually(Condition want) {
    for (int i = 0; i < 100; ++i) {
      if (want()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return want();
  }

  static constexpr const char* kAgentDomain = "vouch-agent-test";
  std::string socket_path_;
  UniqueFd listener_{-1};
  std::unique_ptr<qemu::LibvirtConnection> conn_;
};

TEST_F(AgentTest, AttachesOnStartRelaysTheShimsRoundsAndDetachesOnStop) {
  AgentOptions options;
  options.config = config_;
  AgentLog lines;
  options.log = lines.Sink();
  auto agent = Agent::Start(options);
  ASSERT_TRUE(agent.ok()) << agent.error().ToString();
  EXPECT_TRUE((*agent)->Attached().empty());

  StartDomain();
  ASSERT_TRUE(Eventually([&] { return (*agent)->Attached() == std::vector<std::string>{kAgentDomain}; }));
  // The agent connects to the channel socket, as to QEMU's; the guest's
  // shim drives two rounds over the one connection.
  pollfd p{listener_.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  UniqueFd guest(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_GE(guest.get(), 0);
  for (int round = 0; round < 2; ++round) {
    auto r = ShimRound(guest.get());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_GE(r->endorsers.size(), 2u);
  }
  EXPECT_TRUE(std::filesystem::exists(GuestBaselinePath(config_, kUuid)));

  virDomainPtr d = virDomainLookupByName(conn_->get(), kAgentDomain);
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(virDomainDestroy(d), 0);
  virDomainFree(d);
  EXPECT_TRUE(Eventually([&] { return (*agent)->Attached().empty(); }));
  agent->reset();
  const std::string all = lines.All();
  EXPECT_NE(all.find(StrCat("domain '", kAgentDomain, "' attached: guest relay on ", socket_path_)), std::string::npos)
      << all;
  EXPECT_NE(all.find("guest round 2 re-endorsed by"), std::string::npos) << all;
  EXPECT_NE(all.find(StrCat("domain '", kAgentDomain, "' stopped: detached")), std::string::npos) << all;
}

TEST_F(AgentTest, ReattachesToADomainAlreadyRunningWithoutAFalseDrift) {
  StartDomain();
  {
    // A first agent's relay makes the guest's baseline, then the agent stops.
    AgentOptions options;
    options.config = config_;
    auto agent = Agent::Start(options);
    ASSERT_TRUE(agent.ok()) << agent.error().ToString();
    pollfd p{listener_.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 10000), 1);
    UniqueFd guest(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    auto r = ShimRound(guest.get());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }
  // Restarted while the domain runs: it attaches at start, not by an event,
  // and the guest's next round passes against the kept baseline.
  AgentOptions options;
  options.config = config_;
  auto agent = Agent::Start(options);
  ASSERT_TRUE(agent.ok()) << agent.error().ToString();
  EXPECT_EQ((*agent)->Attached(), std::vector<std::string>{kAgentDomain});
  pollfd p{listener_.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  UniqueFd guest(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  auto r = ShimRound(guest.get());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
}

TEST_F(AgentTest, AnUnprotectedDomainIsLeftAlone) {
  AgentOptions options;
  options.config = config_;
  auto agent = Agent::Start(options);
  ASSERT_TRUE(agent.ok()) << agent.error().ToString();
  // test:///default's own domain "test" runs and carries no bundle.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE((*agent)->Attached().empty());
}

TEST_F(AgentTest, ARevocationOnTheLedgerIsEnforcedWithinSecondsNotAtTheNextRound) {
  // A SQLite ledger whose one governance key revokes at once (admit_quorum 1).
  Ed25519PrivateKey governance = Ed25519PrivateKey::Generate();
  const std::string locator = StrCat("sqlite://", dir_ / "ledger.db");
  ledger::LedgerOptions create;
  create.create_if_missing = true;
  auto backend = ledger::OpenLedger(locator, create);
  ASSERT_TRUE(backend.ok()) << backend.error().ToString();
  auto writer = ledger::LedgerClient::Open(std::move(backend).value());
  ASSERT_TRUE(writer.ok()) << writer.error().ToString();
  ledger::GenesisBody genesis;
  genesis.governance = {DidKey::FromPublicKey(governance.public_key()).did()};
  genesis.revoke_quorum = 2;
  auto first = (*writer)->Append(genesis, governance, std::time(nullptr));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  config_.ledger = locator;
  config_.genesis = first->digest();

  StartDomain();
  AgentOptions options;
  options.config = config_;
  AgentLog lines;
  options.log = lines.Sink();
  auto agent = Agent::Start(options);
  ASSERT_TRUE(agent.ok()) << agent.error().ToString();
  ASSERT_EQ((*agent)->Attached(), std::vector<std::string>{kAgentDomain});

  // No guest round runs (nobody answers on the channel): only the ledger
  // can stop this domain.
  const std::string subject = StrCat("cti:", HexEncode(launch_cti_));
  auto revoked = (*writer)->Append(ledger::RevokeBody{subject, "the owner withdrew this launch", RandomBytes(32)},
                                   governance, std::time(nullptr));
  ASSERT_TRUE(revoked.ok()) << revoked.error().ToString();
  auto t0 = std::chrono::steady_clock::now();
  auto paused = [&] {
    virDomainPtr d = virDomainLookupByName(conn_->get(), kAgentDomain);
    int state = 0, reason = 0;
    bool is_paused = d != nullptr && virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED;
    if (d != nullptr) virDomainFree(d);
    return is_paused;
  };
  ASSERT_TRUE(Eventually(paused));
  std::printf("revocation enforced %.1f s after it reached the ledger\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  agent->reset();
  const std::string all = lines.All();
  EXPECT_NE(all.find(StrCat("launch ", subject, " is revoked on the ledger; on_drift=pause: domain paused")),
            std::string::npos)
      << all;
  auto log = ReadFile(dir_ / "audit/reattest.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(ToString(*log).find("verdict=revoked on_drift=pause enforced=\"domain paused\""), std::string::npos)
      << ToString(*log);
}

}  // namespace
}  // namespace vouch::host
