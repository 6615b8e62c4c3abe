// The vouchd binary end to end: `vouchd init`, then the daemon on port 0
// with a static host directory, driven over HTTP like a host would, and
// stopped with SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "ledger-client/testing/ledger_world.h"
#include "ledger-client/testing/raw_sqlite.h"
#include "measure/testing/temp_dir.h"
#include "testing/attest_world.h"
#include "vouch/core/cbor.h"
#include "vouch/core/countersign.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/stop_notice.h"
#include "vouch/core/version.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/validator/api.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::Scenario;
using ::vouch::testing::TempDir;

// A vouchd child process: stdout read through a pipe, stderr to a file.
class Vouchd {
 public:
  Vouchd(const std::vector<std::string>& args, const std::string& stderr_path,
         const std::string& binary = VOUCHD_PATH) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      ::close(out[0]);
      std::vector<char*> argv;
      std::string path = binary;
      argv.push_back(path.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(path.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
  }
  ~Vouchd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  // Reads stdout until a full line arrives (at most 10 s); "" on timeout/EOF.
  std::string ReadLine() {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c;
      if (::read(out_, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line.push_back(c);
    }
    return "";
  }

  void Signal(int signal) { ::kill(pid_, signal); }

  // SIGTERM, then the exit status (or -1).
  int Terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every stderr line of vouchd: "time=<RFC 3339 UTC> level=<info|warn|error> vouchd: …".
void ExpectStructuredLines(const std::string& log) {
  static const std::regex kLine(
      R"(time=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z level=(info|warn|error) vouchd: \S.*)");
  std::istringstream in(log);
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) EXPECT_TRUE(std::regex_match(line, kLine)) << line;
  EXPECT_GT(n, 0u);
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string init =
        StrCat(VOUCHD_PATH, " init --dir ", dir_ / "state", " > ", dir_ / "init.txt");
    ASSERT_EQ(std::system(init.c_str()), 0);
    auto keys = ValidatorKeys::Load(dir_ / "state/validator.pem", dir_ / "state/hpke.key");
    ASSERT_TRUE(keys.ok()) << keys.error().ToString();
    EXPECT_NE(ReadText(dir_ / "init.txt").find("did: " + keys->did()), std::string::npos);
    world_ = std::make_unique<AttestWorld>(std::move(keys).value());
    std::ofstream hosts(dir_ / "hosts");
    hosts << "# static host directory for this test\n"
          << "host " << world_->host_did() << " " << HexEncode(world_->ak().PublicArea())
          << " certified " << world_->ours().did() << "\n";
  }

  // Starts vouchd on the static host file with `extra` flags; returns its
  // port (0 on failure).
  int Start(std::vector<std::string> extra = {}, const std::string& binary = VOUCHD_PATH) {
    std::vector<std::string> args = {"--hosts", dir_ / "hosts"};
    args.insert(args.end(), extra.begin(), extra.end());
    return StartWith(args, dir_ / "stderr.txt", binary);
  }

  // Starts vouchd on 127.0.0.1 and the state dir with `args`, its stderr
  // to `err`; returns its port (0 on failure).
  int StartWith(std::vector<std::string> args, const std::string& err, const std::string& binary = VOUCHD_PATH) {
    args.insert(args.begin(), {"--listen", "127.0.0.1:0", "--state-dir", dir_ / "state"});
    vouchd_ = std::make_unique<Vouchd>(args, err, binary);
    std::string line = vouchd_->ReadLine();
    const std::string prefix = "vouchd: listening on 127.0.0.1:";
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << "stdout: '" << line << "' stderr: " << ReadText(err);
    return line.rfind(prefix, 0) == 0 ? std::stoi(line.substr(prefix.size())) : 0;
  }

  // Challenge then attest, as a host does; returns the attest response.
  httplib::Result RoundTrip(int port, Built* built, std::function<void(OwnerPolicy&)> policy = {}) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5);
    auto challenge = client.Get(("/v1/challenge?host=" + world_->host_did()).c_str());
    EXPECT_TRUE(challenge && challenge->status == 200);
    auto v = cbor::Decode(AsBytes(challenge ? challenge->body : std::string()));
    EXPECT_TRUE(v.ok());
    Scenario s;
    s.our_nonce = v.ok() && v->Find("nonce") ? v->Find("nonce")->bytes() : Bytes{};
    s.policy = std::move(policy);
    *built = world_->Build(s, static_cast<int64_t>(std::time(nullptr)));
    Bytes body = protocol::EncodeAttestRequest(built->request);
    return client.Post("/v1/attest", reinterpret_cast<const char*>(body.data()), body.size(),
                       "application/cbor");
  }

  // A SQLite ledger at `path`: a genesis (certify and revoke quorum 2), two
  // admitted validators and this vouchd's own, and the world's host
  // registered with its AK certified by all three (vouchd appraises only AKs
  // it certified itself). Returns the writer; `genesis` its digest in hex.
  std::unique_ptr<ledger::LedgerClient> CertifiedLedger(const std::string& path, std::string* genesis) {
    namespace lt = ::vouch::ledger::testing;
    auto opened = ledger::OpenLedger("sqlite://" + path, ledger::LedgerOptions{.create_if_missing = true});
    EXPECT_TRUE(opened.ok()) << opened.error().ToString();
    auto writer = ledger::LedgerClient::Open(std::move(opened).value());
    EXPECT_TRUE(writer.ok());
    const Ed25519PrivateKey& ours = world_->ours().signing_key();
    const std::vector<const Ed25519PrivateKey*> validators = {&gov_.val[0], &gov_.val[1], &ours};
    EXPECT_TRUE((*writer)->Append(gov_.Genesis(2), gov_.gov[0], t_++).ok());
    for (const Ed25519PrivateKey* v : validators) {
      EXPECT_TRUE((*writer)->Append(lt::ValidatorRegistration(*v), *v, t_++, {&gov_.gov[0], &gov_.gov[1]}).ok());
    }
    ledger::DidRegisterBody reg;
    reg.did = world_->host_did();
    reg.ak_public = world_->ak().PublicArea();
    EXPECT_TRUE((*writer)->Append(reg, world_->host_key(), t_++).ok());
    for (const Ed25519PrivateKey* v : validators) {
      EXPECT_TRUE((*writer)->Append(lt::Certification(reg.did, reg.ak_public), *v, t_++).ok());
    }
    *genesis = HexEncode(*(*writer)->state().DigestAt(0));
    return std::move(writer).value();
  }

  TempDir dir_;
  std::unique_ptr<AttestWorld> world_;
  std::unique_ptr<Vouchd> vouchd_;
  ::vouch::ledger::testing::World gov_;  // the ledger's governance and other validators
  int64_t t_ = ::vouch::ledger::testing::kT0;
};

TEST_F(DaemonTest, ServesChallengeAndAttestAndStopsOnSigterm) {
  int port = Start();
  ASSERT_NE(port, 0);
  Built b = world_->Build();
  auto res = RoundTrip(port, &b);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto v = cbor::Decode(AsBytes(res->body));
  ASSERT_TRUE(v.ok());
  auto vc = HostVc::Parse(b.vc);
  ASSERT_TRUE(vc.ok());
  auto share = OpenShareAsHost(b.ephemeral, b.claims.cti, vc->Digest(), v->Find("share")->bytes());
  ASSERT_TRUE(share.ok()) << share.error().ToString();
  EXPECT_TRUE(*share == world_->shares()[AttestWorld::kOurs]);
  auto cs = Countersignature::Parse(v->Find("endorsement")->bytes());
  ASSERT_TRUE(cs.ok());
  EXPECT_TRUE(VerifyEndorsement(*vc, *cs).ok());

  EXPECT_EQ(vouchd_->Terminate(), 0);
  std::string err = ReadText(dir_ / "stderr.txt");
  EXPECT_NE(err.find("vouchd: decision=approved host=" + world_->host_did()), std::string::npos)
      << err;
  EXPECT_NE(err.find("vouchd: stopping on SIGTERM"), std::string::npos) << err;
  ExpectStructuredLines(err);
}

// A deployed vouchd cannot be made Byzantine by a flag or a config line.
TEST_F(DaemonTest, TheRealVouchdRefusesFaultInjection) {
  std::string conf = dir_ / "vouchd.conf";
  std::ofstream(conf) << "fault = wrong-share\n";
  for (const std::string& how : {std::string("--fault=wrong-share"), StrCat("--config ", conf)}) {
    std::string cmd = StrCat(VOUCHD_PATH, " --state-dir ", dir_ / "state", " --hosts ", dir_ / "hosts", " ",
                             how, " 2> ", dir_ / "fault.txt");
    EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 2) << how;
    EXPECT_NE(ReadText(dir_ / "fault.txt")
                  .find("unknown flag --fault (fault injection exists only in the test binary vouchd-byzantine)"),
              std::string::npos)
        << ReadText(dir_ / "fault.txt");
  }
}

TEST_F(DaemonTest, RefuseAllFaultRefusesWithAReason) {
  int port = Start({"--fault=refuse-all"}, VOUCHD_BYZANTINE_PATH);
  ASSERT_NE(port, 0);
  Built b = world_->Build();
  auto res = RoundTrip(port, &b);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  auto v = cbor::Decode(AsBytes(res->body));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("code")->text(), "unavailable");
  EXPECT_EQ(vouchd_->Terminate(), 0);
  EXPECT_NE(
      ReadText(dir_ / "stderr.txt").find("WARNING fault injection active (--fault=refuse-all)"),
      std::string::npos);
}

// An operator starting vouchd twice on one state dir: the second refuses
// at once, naming the first, and the first keeps serving.
TEST_F(DaemonTest, ASecondVouchdOnTheSameStateDirIsRefused) {
  int port = Start();
  ASSERT_NE(port, 0);
  std::string cmd = StrCat(VOUCHD_PATH, " --listen 127.0.0.1:0 --state-dir ", dir_ / "state", " --hosts ",
                           dir_ / "hosts", " > /dev/null 2> ", dir_ / "second.txt");
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 1);
  std::string err = ReadText(dir_ / "second.txt");
  EXPECT_NE(err.find(StrCat("state dir '", dir_ / "state", "' is in use by another vouchd (pid ")), std::string::npos)
      << err;
  Built b = world_->Build();
  auto res = RoundTrip(port, &b);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(vouchd_->Terminate(), 0);
  // Once the first is gone, the state dir is free again.
  EXPECT_NE(Start(), 0);
}

// SIGHUP (a closed terminal, a reflexive "reload") does not stop it.
TEST_F(DaemonTest, SighupIsLoggedAndIgnored) {
  int port = Start();
  ASSERT_NE(port, 0);
  vouchd_->Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Built b = world_->Build();
  auto res = RoundTrip(port, &b);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(vouchd_->Terminate(), 0);
  EXPECT_NE(ReadText(dir_ / "stderr.txt").find("vouchd: SIGHUP ignored"), std::string::npos);
}

TEST_F(DaemonTest, BadFlagExitsTwoWithUsage) {
  std::string cmd = StrCat(VOUCHD_PATH, " --state-dir ", dir_ / "state", " --hosts ",
                           dir_ / "hosts", " --bogus 2> ", dir_ / "bad.txt");
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(ReadText(dir_ / "bad.txt").find("unknown flag --bogus"), std::string::npos);
}

TEST_F(DaemonTest, VersionAndHelpGoToStdoutWithExitZero) {
  for (const std::string& flag : {std::string("--version"), std::string("--help")}) {
    std::string cmd = StrCat(VOUCHD_PATH, " ", flag, " > ", dir_ / "out.txt", " 2> ", dir_ / "err.txt");
    EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0) << flag;
    EXPECT_EQ(ReadText(dir_ / "err.txt"), "") << flag;
    EXPECT_NE(ReadText(dir_ / "out.txt").find(flag == "--version" ? StrCat("vouchd ", kVersion, "\n") : "usage: vouchd"),
              std::string::npos)
        << ReadText(dir_ / "out.txt");
  }
}

TEST_F(DaemonTest, ReadsHostsFromTheLedgerAndEnforcesItsRevocations) {
  namespace lt = ::vouch::ledger::testing;
  std::string path = dir_ / "ledger.db";
  std::string genesis;
  std::unique_ptr<ledger::LedgerClient> writer = CertifiedLedger(path, &genesis);
  if (HasFailure()) return;
  vouchd_ = std::make_unique<Vouchd>(
      std::vector<std::string>{"--listen", "127.0.0.1:0", "--state-dir", dir_ / "state", "--ledger",
                               "sqlite://" + path, "--genesis", genesis},
      dir_ / "stderr.txt");
  std::string line = vouchd_->ReadLine();
  ASSERT_EQ(line.rfind("vouchd: listening on 127.0.0.1:", 0), 0u) << ReadText(dir_ / "stderr.txt");
  int port = std::stoi(line.substr(line.rfind(':') + 1));

  Built b = world_->Build();
  auto approved = RoundTrip(port, &b);
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->status, 200) << approved->body;

  // Junk at the next index (whoever can write the backend): appraisals go
  // on, the junk is logged once with its index, and honest appends continue.
  const uint64_t junk_index = writer->state().size();
  ledger::testing::RawSqlite(path).Put(static_cast<int64_t>(junk_index), ToBytes("x"));
  for (int i = 0; i < 2; ++i) {
    auto still = RoundTrip(port, &b);
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 200) << still->body;
  }
  std::string log = ReadText(dir_ / "stderr.txt");
  std::string warning = StrCat("vouchd: warning: skipped ledger entry ", junk_index, ": ");
  EXPECT_NE(log.find(warning), std::string::npos) << log;
  EXPECT_EQ(log.find(warning), log.rfind(warning)) << "reported once: " << log;
  EXPECT_EQ(log.find("is not an active validator"), std::string::npos) << log;
  // Registered as http://127.0.0.1:7NN (ledger_world.h), listening on a
  // picked port: the operator hears that hosts dial the wrong port.
  EXPECT_NE(log.find(StrCat("vouchd: WARNING the ledger's endpoint for ", world_->ours().did(), " is 'http://127.0.0.1:")),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(StrCat("vouchd listens on port ", port, "; hosts will not reach this validator")),
            std::string::npos)
      << log;

  ASSERT_TRUE(writer->Append(lt::Revoke(world_->host_did(), "TPM replaced"), world_->host_key(), t_++).ok());
  auto refused = RoundTrip(port, &b);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  auto v = cbor::Decode(AsBytes(refused->body));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("code")->text(), "revoked");
  EXPECT_NE(v->Find("reason")->text().find("TPM replaced"), std::string::npos);
  EXPECT_EQ(vouchd_->Terminate(), 0);

  // Whoever can write the ledger's file replaces it with a chain of their
  // own (their governance, an admitted validator of theirs): vouchd
  // restarted on it refuses to start, naming both digests.
  std::remove(path.c_str());
  auto forged_ledger =
      ledger::OpenLedger("sqlite://" + path, ledger::LedgerOptions{.create_if_missing = true});
  ASSERT_TRUE(forged_ledger.ok());
  auto forger = ledger::LedgerClient::Open(std::move(forged_ledger).value());
  ASSERT_TRUE(forger.ok());
  lt::World attacker;
  ASSERT_TRUE((*forger)->Append(attacker.Genesis(1, 1, 1), attacker.gov[0], lt::kT0).ok());
  const std::string forged = HexEncode(*(*forger)->state().DigestAt(0));
  std::string cmd = StrCat(VOUCHD_PATH, " --state-dir ", dir_ / "state", " --ledger sqlite://", path,
                           " --genesis ", genesis, " 2> ", dir_ / "forged.txt");
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 1);
  // One line, at level error.
  std::string err = ReadText(dir_ / "forged.txt");
  ExpectStructuredLines(err);
  const std::string refusal = StrCat(" level=error vouchd: ledger 'sqlite://", path, "': genesis ", forged,
                                  " is not the pinned genesis ", genesis,
                                  " (another ledger, or this one rewritten): refusing to trust it\n");
  ASSERT_GE(err.size(), refusal.size());
  EXPECT_EQ(err.substr(err.size() - refusal.size()), refusal) << err;
  EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
}

// The attacker: a host that launches under a policy with a lease, then
// never re-attests — and hopes a validator restart forgets the deadline.
// The lease is on disk (0600); the restarted vouchd reports the missed
// deadline on the ledger.
TEST_F(DaemonTest, AMissedDeadlineIsReportedEvenAcrossARestart) {
  std::string path = dir_ / "ledger.db";
  std::string genesis;
  std::unique_ptr<ledger::LedgerClient> writer = CertifiedLedger(path, &genesis);
  if (HasFailure()) return;
  const std::vector<std::string> args = {"--ledger", "sqlite://" + path, "--genesis", genesis};
  int port = StartWith(args, dir_ / "stderr.txt");
  ASSERT_NE(port, 0);
  Built b = world_->Build();
  auto approved = RoundTrip(port, &b, [](OwnerPolicy& p) {
    p.reattest_s = 2;
    p.grace = 2;  // due within 4 s
  });
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "state/leases.sqlite").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  vouchd_.reset();  // SIGKILL: nothing is flushed on the way out

  const std::string subject = StrCat("cti:", HexEncode(b.claims.cti));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // past the deadline while vouchd is down
  ASSERT_NE(StartWith(args, dir_ / "stderr2.txt"), 0);
  std::vector<std::string> reporters;
  for (int i = 0; i < 100 && reporters.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto reader = ledger::OpenLedger("sqlite://" + path, {});
    ASSERT_TRUE(reader.ok());
    auto client = ledger::LedgerClient::Open(std::move(reader).value());
    ASSERT_TRUE(client.ok());
    reporters = (*client)->state().PendingReports(subject);
  }
  ASSERT_EQ(reporters.size(), 1u) << ReadText(dir_ / "stderr2.txt");
  EXPECT_EQ(reporters[0], world_->ours().did());
  EXPECT_EQ(vouchd_->Terminate(), 0);
  EXPECT_NE(ReadText(dir_ / "stderr2.txt").find("missed re-attestation deadlines: 1 reported to the ledger"),
            std::string::npos)
      << ReadText(dir_ / "stderr2.txt");
}

// A domain stopped on purpose: the host's signed notice ends the lease, and
// nothing is reported once its deadline has passed.
TEST_F(DaemonTest, AStoppedDomainsLeaseEndsWithoutAReport) {
  std::string path = dir_ / "ledger.db";
  std::string genesis;
  std::unique_ptr<ledger::LedgerClient> writer = CertifiedLedger(path, &genesis);
  if (HasFailure()) return;
  int port = StartWith({"--ledger", "sqlite://" + path, "--genesis", genesis}, dir_ / "stderr.txt");
  ASSERT_NE(port, 0);
  Built b = world_->Build();
  auto approved = RoundTrip(port, &b, [](OwnerPolicy& p) {
    p.reattest_s = 2;
    p.grace = 2;
  });
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;

  Bytes notice = EncodeStopNotice(SignStopNotice(world_->host_key(), b.claims.cti, std::time(nullptr)));
  httplib::Client client("127.0.0.1", port);
  auto stopped = client.Post("/v1/stop", reinterpret_cast<const char*>(notice.data()), notice.size(),
                             kCborContentType);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->status, 204) << stopped->body;
  std::this_thread::sleep_for(std::chrono::seconds(5));  // past the deadline the lease had
  auto reader = ledger::OpenLedger("sqlite://" + path, {});
  ASSERT_TRUE(reader.ok());
  auto state = ledger::LedgerClient::Open(std::move(reader).value());
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE((*state)->state().PendingReports(StrCat("cti:", HexEncode(b.claims.cti))).empty());
  EXPECT_EQ(vouchd_->Terminate(), 0);
  const std::string log = ReadText(dir_ / "stderr.txt");
  EXPECT_NE(log.find(StrCat("vouchd: stop host=", world_->host_did(), " launch=cti:")), std::string::npos) << log;
  EXPECT_EQ(log.find("missed re-attestation deadline"), std::string::npos) << log;
}

// A vouchd whose DID the ledger never admitted starts (it may be waiting
// for governance), but says so: no seal will pick it.
TEST_F(DaemonTest, AVouchdThatIsNotAnAdmittedValidatorSaysSo) {
  namespace lt = ::vouch::ledger::testing;
  std::string path = dir_ / "ledger.db";
  auto opened = ledger::OpenLedger("sqlite://" + path, ledger::LedgerOptions{.create_if_missing = true});
  ASSERT_TRUE(opened.ok());
  auto writer = ledger::LedgerClient::Open(std::move(opened).value());
  ASSERT_TRUE(writer.ok());
  lt::World w;
  ASSERT_TRUE((*writer)->Append(w.Genesis(2), w.gov[0], lt::kT0).ok());
  const std::string genesis = HexEncode(*(*writer)->state().DigestAt(0));
  vouchd_ = std::make_unique<Vouchd>(
      std::vector<std::string>{"--listen", "127.0.0.1:0", "--state-dir", dir_ / "state", "--ledger",
                               "sqlite://" + path, "--genesis", genesis},
      dir_ / "stderr.txt");
  ASSERT_EQ(vouchd_->ReadLine().rfind("vouchd: listening on", 0), 0u) << ReadText(dir_ / "stderr.txt");
  EXPECT_EQ(vouchd_->Terminate(), 0);
  EXPECT_NE(ReadText(dir_ / "stderr.txt")
                .find(StrCat("vouchd: warning: ", world_->ours().did(), " is not an active validator of ledger")),
            std::string::npos)
      << ReadText(dir_ / "stderr.txt");
}

// The same ledger cut back below what vouchd verified before (its head file
// in the state dir): refused at start.
TEST_F(DaemonTest, ALedgerTruncatedBehindVouchdsBackIsRefusedAtStart) {
  namespace lt = ::vouch::ledger::testing;
  std::string path = dir_ / "ledger.db";
  auto opened =
      ledger::OpenLedger("sqlite://" + path, ledger::LedgerOptions{.create_if_missing = true});
  ASSERT_TRUE(opened.ok());
  auto writer = ledger::LedgerClient::Open(std::move(opened).value());
  ASSERT_TRUE(writer.ok());
  lt::World w;
  ASSERT_TRUE((*writer)->Append(w.Genesis(2), w.gov[0], lt::kT0).ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE((*writer)->Append(lt::ValidatorRegistration(w.val[i]), w.val[i], lt::kT0, {&w.gov[0], &w.gov[1]}).ok());
  }
  const std::string genesis = HexEncode(*(*writer)->state().DigestAt(0));
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--state-dir", dir_ / "state", "--init",
                                   "--ledger", "sqlite://" + path, "--genesis", genesis};
  vouchd_ = std::make_unique<Vouchd>(args, dir_ / "stderr.txt");
  ASSERT_EQ(vouchd_->ReadLine().rfind("vouchd: listening on", 0), 0u) << ReadText(dir_ / "stderr.txt");
  EXPECT_EQ(vouchd_->Terminate(), 0);

  ledger::testing::RawSqlite(path).Exec("DELETE FROM entries WHERE idx = 2");
  std::string cmd = StrCat(VOUCHD_PATH, " --state-dir ", dir_ / "state", " --ledger sqlite://", path,
                           " --genesis ", genesis, " 2> ", dir_ / "truncated.txt");
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 1);
  EXPECT_NE(ReadText(dir_ / "truncated.txt").find("it ends at entry 1, but this reader verified entry 2 before"),
            std::string::npos)
      << ReadText(dir_ / "truncated.txt");
}

// Metrics, status, dashboard and log of a vouchd on a ledger that served an
// approval and refusals: the ledger's head and revocations as the ledger
// holds them, kept current by vouchd's own syncs while no host asks.
TEST_F(DaemonTest, MetricsStatusDashboardAndLogFollowTheLedgerAndTheRefusals) {
  namespace lt = ::vouch::ledger::testing;
  std::string path = dir_ / "ledger.db";
  std::string genesis;
  std::unique_ptr<ledger::LedgerClient> writer = CertifiedLedger(path, &genesis);
  if (HasFailure()) return;
  int port = StartWith({"--ledger", "sqlite://" + path, "--genesis", genesis}, dir_ / "stderr.txt");
  ASSERT_NE(port, 0);
  Built b = world_->Build();
  auto approved = RoundTrip(port, &b);
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  auto refused = RoundTrip(port, &b, [](OwnerPolicy& p) { p.reference_pcrs[7] = {RandomBytes(32)}; });
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 403);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5);
  std::string big(300 * 1024, 'x');
  auto too_large = client.Post("/v1/attest", big, "application/cbor");
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);

  // A revocation appended behind vouchd's back shows within a refresh.
  const std::string cti = "cti:" + std::string(32, 'c');
  ASSERT_TRUE(writer->Append(lt::Revoke(cti, "leaked VC"), gov_.gov[0], t_++, {&gov_.gov[1]}).ok());
  const uint64_t head = writer->state().size() - 1;
  std::string metrics;
  for (int i = 0; i < 100 && metrics.find(StrCat("vouchd_ledger_head_index ", head, "\n")) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto m = client.Get("/metrics");
    metrics = m ? m->body : "";
  }
  for (const std::string& line :
       {StrCat("vouchd_ledger_head_index ", head, "\n"), std::string("vouchd_ledger_synced 1\n"),
        std::string("vouchd_ledger_revocations 1\n"), StrCat("vouchd_build_info{version=\"", kVersion, "\"} 1\n"),
        std::string("vouchd_http_refusals_total{endpoint=\"attest\",status=\"413\"} 1\n"),
        std::string("vouchd_http_refusals_total{endpoint=\"attest\",status=\"403\"} 1\n"),
        std::string("vouchd_refusals_total{code=\"pcr-mismatch\"} 1\n"), std::string("vouchd_approvals_total 1\n")}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << " in\n" << metrics;
  }
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  for (const std::string& part : {world_->ours().did(), StrCat("<span id=\"ledger-head\">", head, "</span>"),
                                  std::string("<span class=\"ok\">synced</span>"), cti, std::string("leaked VC"),
                                  std::string("PCR 7 differs from reference"), world_->host_did()}) {
    EXPECT_NE(page->body.find(part), std::string::npos) << part;
  }

  EXPECT_EQ(vouchd_->Terminate(), 0);
  std::string log = ReadText(dir_ / "stderr.txt");
  ExpectStructuredLines(log);
  EXPECT_NE(log.find(StrCat(" level=warn vouchd: decision=refused code=pcr-mismatch host=", world_->host_did())),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(StrCat("request_id=", refused->get_header_value("X-Request-Id"), " reason=")), std::string::npos)
      << log;
  EXPECT_NE(log.find(StrCat("vouchd: refused status=413 endpoint=attest method=POST path=/v1/attest code=malformed "
                            "peer=127.0.0.1 request_id=",
                            too_large->get_header_value("X-Request-Id"))),
            std::string::npos)
      << log;
}

TEST_F(DaemonTest, MissingLedgerExitsOneNamingIt) {
  std::string cmd = StrCat(VOUCHD_PATH, " --state-dir ", dir_ / "state", " --ledger sqlite://",
                           dir_ / "none.db", " --genesis ", std::string(64, '0'), " 2> ", dir_ / "ledger.txt");
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(ReadText(dir_ / "ledger.txt").find("none.db"), std::string::npos)
      << ReadText(dir_ / "ledger.txt");
}

}  // namespace
}  // namespace vouch::validator
