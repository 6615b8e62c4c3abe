// Test-only: a real vouchd (the built binary) on a SQLite ledger, after
// known traffic, for the observability tests (metrics_promtool.sh,
// dashboard_browser.sh). No mock: the validator's keys come from
// `vouchd init`, the host is validator/testing's AttestWorld (a software AK
// whose quotes verify like a TPM's), the ledger is built with the ledger
// client, and every request goes over HTTP.
//
//   vouchd_traffic VOUCHD WORKDIR
//
// Served, in order: one approved attestation; one refused pcr-mismatch; one
// refused malformed whose reason quotes a Content-Type holding a <script>
// (the dashboard must show it as text); a 413 (body over the limit); a 404.
// The ledger also holds a revocation whose reason holds an <img onerror>.
// Then writes WORKDIR/info.json:
//   {"url", "did", "host", "head_index", "refusal_reason", "xss_reason",
//    "revoked", "revocation_reason", "approve_request_id", "refuse_request_id"}
// and serves until SIGTERM or SIGINT, then stops vouchd and exits 0 (1 with
// one line on stderr if anything fails; vouchd's stderr is WORKDIR/vouchd.log).
#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger-client/testing/ledger_world.h"
#include "testing/attest_world.h"
#include "vouch/core/cbor.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/validator/api.h"
#include "vouch/validator/validator_keys.h"

namespace vouch::validator {
namespace {

namespace lt = ::vouch::ledger::testing;
using testing::AttestWorld;
using testing::Scenario;

constexpr char kScript[] = "<script>window.__vouchXss = 1; document.title = 'owned'</script>";
constexpr char kImg[] = "<img src=x onerror=\"window.__vouchXss = 2\">";

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "vouchd_traffic: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what + ": " + r.error().ToString());
  return std::move(r).value();
}

template <typename T>
void MustOk(const Result<T>& r, const std::string& what) {
  if (!r.ok()) Fail(what + ": " + r.error().ToString());
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// The ledger of daemon_test's CertifiedLedger: a genesis, two validators and
// this one admitted, the world's host registered and certified by all three;
// then a revocation of a launch credential. Returns the writer.
std::unique_ptr<ledger::LedgerClient> BuildLedger(const std::string& path, const AttestWorld& world,
                                                  const lt::World& gov, std::string* genesis) {
  auto writer = Must(ledger::LedgerClient::Open(Must(
                         ledger::OpenLedger("sqlite://" + path, ledger::LedgerOptions{.create_if_missing = true}),
                         "ledger")),
                     "ledger client");
  int64_t t = Now() - 100;
  const Ed25519PrivateKey& ours = world.ours().signing_key();
  const std::vector<const Ed25519PrivateKey*> validators = {&gov.val[0], &gov.val[1], &ours};
  MustOk(writer->Append(gov.Genesis(2), gov.gov[0], t++), "genesis");
  for (const Ed25519PrivateKey* v : validators) {
    MustOk(writer->Append(lt::ValidatorRegistration(*v), *v, t++, {&gov.gov[0], &gov.gov[1]}), "validator");
  }
  ledger::DidRegisterBody reg;
  reg.did = world.host_did();
  reg.ak_public = world.ak().PublicArea();
  MustOk(writer->Append(reg, world.host_key(), t++), "host");
  for (const Ed25519PrivateKey* v : validators) {
    MustOk(writer->Append(lt::Certification(reg.did, reg.ak_public), *v, t++), "certification");
  }
  MustOk(writer->Append(lt::Revoke("cti:" + std::string(32, 'c'), StrCat("leaked VC ", kImg)), gov.gov[0], t++,
                        {&gov.gov[1]}),
         "revocation");
  *genesis = HexEncode(*writer->state().DigestAt(0));
  return writer;
}

// vouchd as a child: stdout read for its "listening on" line.
struct Child {
  pid_t pid = -1;
  int port = 0;
};

Child StartVouchd(const std::string& vouchd, const std::vector<std::string>& args, const std::string& log) {
  int out[2];
  if (::pipe(out) != 0) Fail("pipe");
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    ::dup2(out[1], 1);
    int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv = {const_cast<char*>(vouchd.c_str())};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(vouchd.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char ch;
  pollfd p{out[0], POLLIN, 0};
  while (::poll(&p, 1, 10000) > 0 && ::read(out[0], &ch, 1) == 1 && ch != '\n') line.push_back(ch);
  const std::string prefix = "vouchd: listening on 127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) Fail("vouchd did not start (see its log): '" + line + "'");
  c.port = std::stoi(line.substr(prefix.size()));
  return c;
}

struct Answer {
  int status = 0;
  std::string reason;      // of a refusal
  std::string request_id;  // X-Request-Id
};

Answer Attest(httplib::Client& client, AttestWorld& world, Scenario s, const char* type = kCborContentType) {
  auto challenge = client.Get(("/v1/challenge?host=" + world.host_did()).c_str());
  if (!challenge || challenge->status != 200) Fail("challenge");
  auto answer = Must(protocol::DecodeChallengeAnswer(AsBytes(challenge->body)), "challenge answer");
  s.our_nonce = answer.nonce;
  Bytes body = protocol::EncodeAttestRequest(world.Build(s, Now()).request);
  auto res = client.Post("/v1/attest", reinterpret_cast<const char*>(body.data()), body.size(), type);
  if (!res) Fail("attest: " + httplib::to_string(res.error()));
  Answer a{res->status, "", res->get_header_value("X-Request-Id")};
  if (res->status != 200) a.reason = Must(protocol::DecodeRefusal(AsBytes(res->body)), "refusal").reason;
  return a;
}

}  // namespace

int Main(int argc, char** argv) {
  if (argc != 3) Fail("usage: vouchd_traffic VOUCHD WORKDIR");
  const std::string vouchd = argv[1], dir = argv[2];
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // the child unblocks nothing: vouchd blocks them itself

  if (std::system(StrCat(vouchd, " init --dir ", dir, "/state > ", dir, "/init.txt").c_str()) != 0) Fail("vouchd init");
  AttestWorld world(Must(ValidatorKeys::Load(dir + "/state/validator.pem", dir + "/state/hpke.key"), "keys"));
  lt::World gov;
  std::string genesis;
  auto writer = BuildLedger(dir + "/ledger.db", world, gov, &genesis);
  Child child = StartVouchd(vouchd,
                            {"--listen", "127.0.0.1:0", "--state-dir", dir + "/state", "--ledger",
                             "sqlite://" + dir + "/ledger.db", "--genesis", genesis},
                            dir + "/vouchd.log");

  httplib::Client client("127.0.0.1", child.port);
  client.set_read_timeout(10);
  Answer approved = Attest(client, world, {});
  if (approved.status != 200) Fail(StrCat("the approval was refused: ", approved.status, " ", approved.reason));
  Scenario drift;
  drift.policy = [](OwnerPolicy& p) { p.reference_pcrs[7] = {Bytes(32, 0x7a)}; };
  Answer refused = Attest(client, world, drift);
  if (refused.status != 403) Fail(StrCat("expected 403 pcr-mismatch, got ", refused.status, " ", refused.reason));
  Answer xss = Attest(client, world, {}, kScript);
  if (xss.status != 415) Fail(StrCat("expected 415, got ", xss.status));
  auto too_large = client.Post("/v1/attest", std::string(kDefaultMaxBodyBytes + 1, 'x'), kCborContentType);
  if (!too_large || too_large->status != 413) Fail("expected 413");
  auto missing = client.Get("/v1/none");
  if (!missing || missing->status != 404) Fail("expected 404");

  nlohmann::json info = {{"url", StrCat("http://127.0.0.1:", child.port, "/")},
                         {"did", world.ours().did()},
                         {"host", world.host_did()},
                         {"head_index", writer->state().size() - 1},
                         {"refusal_reason", refused.reason},
                         {"xss_reason", xss.reason},
                         {"revoked", "cti:" + std::string(32, 'c')},
                         {"revocation_reason", StrCat("leaked VC ", kImg)},
                         {"approve_request_id", approved.request_id},
                         {"refuse_request_id", refused.request_id}};
  std::ofstream(dir + "/info.json.tmp") << info.dump(2) << "\n";
  std::rename((dir + "/info.json.tmp").c_str(), (dir + "/info.json").c_str());

  int signal = 0;
  sigwait(&stop, &signal);
  ::kill(child.pid, SIGTERM);
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

}  // namespace vouch::validator

int main(int argc, char** argv) { return vouch::validator::Main(argc, argv); }
