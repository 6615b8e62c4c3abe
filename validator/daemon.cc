#include "vouch/validator/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <condition_variable>

#include "vouch/core/flags.h"
#include "vouch/core/unique_fd.h"
#include "vouch/core/version.h"
#include "vouch/ledger/checkpoint.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/challenge.h"
#include "vouch/validator/endpoint_check.h"
#include "vouch/validator/lease_store.h"
#include "vouch/validator/lease_sweeper.h"
#include "vouch/validator/ledger_host_directory.h"
#include "vouch/validator/logger.h"
#include "vouch/validator/metrics.h"
#include "vouch/validator/replay_cache.h"
#include "vouch/validator/server.h"
#include "vouch/validator/static_host_directory.h"
#include "vouch/validator/validator_keys.h"

namespace vouch::validator {
namespace {

// How often vouchd syncs the ledger while no lookup does (LedgerHealth's lag).
constexpr std::chrono::seconds kLedgerRefreshInterval{5};

constexpr char kUsage[] =
    "usage: vouchd init --dir DIR          (vouchd --version)\n"
    "       vouchd register (--state-dir DIR | --key FILE --hpke-key FILE) --ledger LOCATOR\n"
    "              --genesis HEX --endpoint URL --operator NAME --region NAME --out DRAFT [LEDGER ACCESS]\n"
    "       vouchd [--listen HOST:PORT] [--state-dir DIR] [--key FILE] [--hpke-key FILE] [--init]\n"
    "              (--ledger LOCATOR --genesis HEX [LEDGER ACCESS] | --hosts FILE) [--nonce-validity DURATION]\n"
    "              [--max-body BYTES] [--threads N] [--timeout DURATION] [--queue N] [--peer-connections N]\n"
    "              [--request-deadline DURATION] [--keep-alive DURATION] [--challenge-rate N]\n"
    "              [--challenge-burst N] [--host-challenges N] [--host-vcs N] [--config FILE]\n"
    "  DURATION: a whole number with ms, s, m or h (500ms, 30s, 5m); a bare number is seconds\n"
    "  LEDGER ACCESS, for an etcds:// ledger (TLS and etcd auth): --ledger-ca FILE --ledger-cert FILE\n"
    "              --ledger-key FILE --ledger-user NAME --ledger-password-file FILE (key and password 0600)\n";

Status MakePrivateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error(Code::kIo, StrCat("cannot create directory '", dir, "': ", std::strerror(errno)));
  }
  return Ok();
}

// The host directory; for a ledger-backed one also its CertificationLedger
// view (enrollment needs the ledger).
struct Directory {
  std::unique_ptr<HostDirectory> hosts;
  CertificationLedger* certification = nullptr;
  CheckpointSource* checkpoints = nullptr;  // GET /v1/checkpoint, on a ledger
  LedgerHostDirectory* ledger = nullptr;    // the same, as itself
  RevocationReporter* reporter = nullptr;  // drift reports, on a ledger
  HostEntryLedger* host_entries = nullptr; // POST /v1/ledger/append, on a ledger
  std::optional<std::string> warning;      // a lab ledger (SingleOperatorWarning)
};

Result<Directory> OpenDirectory(const VouchdConfig& config, Metrics& metrics, const Logger& log) {
  Directory out;
  if (!config.hosts_file.empty()) {
    VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<StaticHostDirectory> d,
                           StaticHostDirectory::LoadFile(config.hosts_file));
    out.hosts = std::move(d);
    return out;
  }
  ledger::LedgerClientOptions options;
  options.pinned_genesis = config.genesis;
  options.access = config.ledger_access;
  if (!config.state_dir.empty()) options.head_file = config.state_dir + "/" + kLedgerHeadFile;
  // Junk on the ledger is passed over, once, loudly (DESIGN §6).
  options.on_skipped = [&metrics, log](uint64_t index, const std::string& reason) {
    metrics.CountSkippedLedgerEntry();
    log.Warn(StrCat("vouchd: warning: skipped ledger entry ", index, ": ", reason));
  };
  // A first start (no head file yet) checks the ledger against its peers'
  // checkpoints.
  options.checkpoint_timeout = ledger::kReaderCheckpointTimeout;
  options.on_warning = [log](const std::string& line) { log.Warn("vouchd: warning: " + line); };
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<LedgerHostDirectory> d,
                         LedgerHostDirectory::Open(config.ledger, options));
  std::optional<ledger::GenesisBody> genesis = d->Genesis();
  if (genesis) out.warning = ledger::SingleOperatorWarning(*genesis);
  out.certification = d.get();
  out.checkpoints = d.get();
  out.ledger = d.get();
  out.reporter = d.get();
  out.host_entries = d.get();
  out.hosts = std::move(d);
  return out;
}

// One vouchd per state dir (or key file): two would race on the head file
// and answer as one validator with two replay caches. An exclusive flock,
// released by the kernel whatever way the process ends; the holder's pid
// goes in the lock file for the message.
Result<UniqueFd> LockInstance(const VouchdConfig& config) {
  const bool in_dir = !config.state_dir.empty();
  const std::string path = in_dir ? config.state_dir + "/vouchd.lock" : config.key_file;
  UniqueFd fd(in_dir ? ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)
                     : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Error(Code::kIo, StrCat("cannot open '", path, "' to lock it: ", std::strerror(errno)));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    std::string holder;
    char buf[24] = {};
    if (in_dir && ::pread(fd.get(), buf, sizeof(buf) - 1, 0) > 0) {
      holder = StrCat(" (pid ", std::strtoll(buf, nullptr, 10), ")");
    }
    return Error(Code::kUnavailable, StrCat(in_dir ? "state dir '" : "key '", in_dir ? config.state_dir : path,
                                            "' is in use by another vouchd", holder,
                                            ": one validator runs as one process"));
  }
  if (in_dir) {
    std::string pid = StrCat(::getpid(), "\n");
    if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), pid.data(), pid.size(), 0) < 0) {
      return Error(Code::kIo, StrCat("cannot write '", path, "': ", std::strerror(errno)));
    }
  }
  return fd;
}

int64_t SystemSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int RunInit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (AsksForHelp(args)) {
    out << kUsage;
    return 0;
  }
  auto flags = Flags::Parse(args, {"dir"});
  if (!flags.ok() || !flags->positional().empty()) {
    err << "vouchd init: "
        << (flags.ok() ? StrCat("unexpected argument '", flags->positional()[0], "'") : flags.error().message())
        << " (usage: vouchd init --dir DIR)\n";
    return 2;
  }
  const std::string dir = flags->GetOr("dir", "");
  if (dir.empty()) {
    err << "vouchd init: --dir DIR is required\n";
    return 2;
  }
  if (Status s = MakePrivateDir(dir); !s.ok()) {
    err << "vouchd init: " << s.error().message() << "\n";
    return 1;
  }
  std::string key = dir + "/" + kDefaultKeyFile;
  std::string hpke = dir + "/" + kDefaultHpkeKeyFile;
  auto keys = ValidatorKeys::Create(key, hpke);
  if (!keys.ok()) {
    err << "vouchd init: " << keys.error().message() << "\n";
    return 1;
  }
  out << "did: " << keys->did() << "\n"
      << "hpke_public_key: " << HexEncode(keys->hpke_key().public_key()) << "\n"
      << "key: " << key << "\n"
      << "hpke_key: " << hpke << "\n";
  return 0;
}

int RunRegister(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (AsksForHelp(args)) {
    out << kUsage;
    return 0;
  }
  static const std::set<std::string> kNames = {
      "state-dir", "key",       "hpke-key",   "ledger",     "genesis",    "endpoint",
      "operator",  "region",    "out",        "ledger-ca",  "ledger-cert", "ledger-key",
      "ledger-user", "ledger-password-file"};
  auto flags = Flags::Parse(args, kNames);
  if (!flags.ok() || !flags->positional().empty()) {
    err << "vouchd register: "
        << (flags.ok() ? StrCat("unexpected argument '", flags->positional()[0], "'") : flags.error().message())
        << " (vouchd register --help shows the usage)\n";
    return 2;
  }
  std::map<std::string, std::string> v;
  for (const std::string& name : kNames) {
    if (auto value = flags->Get(name); value && !value->empty()) v[name] = *value;
  }
  for (const char* required : {"ledger", "genesis", "endpoint", "operator", "region", "out"}) {
    if (v.count(required) == 0) {
      err << "vouchd register: --" << required << " is required (vouchd register --help shows the usage)\n";
      return 2;
    }
  }
  std::string key = v.count("key") ? v["key"] : v["state-dir"] + "/" + kDefaultKeyFile;
  std::string hpke = v.count("hpke-key") ? v["hpke-key"] : v["state-dir"] + "/" + kDefaultHpkeKeyFile;
  if (!v.count("key") && !v.count("state-dir")) {
    err << "vouchd register: give --state-dir or --key and --hpke-key\n";
    return 2;
  }
  auto fail = [&err](const Error& e) {
    err << "vouchd register: " << e.message() << "\n";
    return 1;
  };
  auto keys = ValidatorKeys::Load(key, hpke);
  if (!keys.ok()) return fail(keys.error());
  auto genesis = ledger::ParseGenesisPin("--genesis", v["genesis"]);
  if (!genesis.ok()) return fail(genesis.error());
  ledger::LedgerClientOptions options;
  options.pinned_genesis = *genesis;
  if (v.count("state-dir")) options.head_file = v["state-dir"] + "/" + kLedgerHeadFile;
  options.checkpoint_timeout = ledger::kReaderCheckpointTimeout;
  options.on_warning = [&err](const std::string& line) { err << "vouchd register: warning: " << line << "\n"; };
  for (const auto& [name, value] : v) {
    if (name.rfind("ledger-", 0) == 0) *ledger::LedgerAccessField(options.access, name.substr(7)) = value;
  }
  auto client = ledger::LedgerClient::Open(v["ledger"], options);
  if (!client.ok()) return fail(client.error());
  ledger::ValidatorRegisterBody body;
  body.did = keys->did();
  body.hpke_pk = keys->hpke_key().public_key();
  body.endpoint = v["endpoint"];
  body.operator_name = v["operator"];
  body.region = v["region"];
  auto draft = (*client)->Draft(body, keys->signing_key(), SystemSeconds());
  if (!draft.ok()) return fail(draft.error());
  if (Status w = WriteFile(v["out"], draft->encoded(), 0644); !w.ok()) return fail(w.error());
  out << "draft validator-register of " << keys->did() << " (entry " << draft->index() << ") in "
      << v["out"] << "\n"
      << "admission needs admit_quorum governance countersignatures: each governance key runs\n"
      << "  vouch ledger cosign " << v["out"] << " --key GOVERNANCE_KEY.pem\n"
      << "then: vouch ledger submit " << v["ledger"] << " " << v["out"] << "\n";
  return 0;
}

namespace {

// Runs `step` every `interval` until stopped.
std::jthread Periodically(std::chrono::seconds interval, std::function<void()> step) {
  return std::jthread([interval, step = std::move(step)](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      step();
      std::unique_lock<std::mutex> lock(mu);
      wake.wait_for(lock, stop, interval, [] { return false; });
    }
  });
}

// Sweeps missed leases once a second (lease_sweeper.h), logging each pass
// that reported or failed.
std::jthread StartLeaseSweeper(LeaseStore& leases, RevocationReporter& reporter,
                               const Ed25519PrivateKey& key, const Logger& log) {
  auto sweeper = std::make_shared<LeaseSweeper>(leases, reporter, key);
  return Periodically(std::chrono::seconds(1), [sweeper, log] {
    auto outcome = sweeper->SweepOnce(SystemSeconds());
    if (!outcome.ok()) {
      log.Error("vouchd: lease sweep failed: " + outcome.error().message());
    } else if (outcome->reported + outcome->refused > 0) {
      log.Warn(StrCat("vouchd: missed re-attestation deadlines: ", outcome->reported, " reported to the ledger, ",
                      outcome->refused, " refused by it (already revoked or reported)"));
    }
  });
}

// Syncs the ledger every kLedgerRefreshInterval, so the dashboard's head
// and lag are current while no host asks; logs when syncing starts to fail
// and when it verifies again (not every failed pass).
std::jthread StartLedgerRefresher(LedgerHostDirectory& ledger, const Logger& log) {
  return Periodically(kLedgerRefreshInterval, [&ledger, log, failing = false]() mutable {
    Status synced = ledger.Refresh();
    if (!synced.ok() && !failing) {
      log.Error(StrCat("vouchd: ", synced.error().message(), " (every appraisal is refused until it verifies)"));
    } else if (synced.ok() && failing) {
      log.Info("vouchd: the ledger verifies again");
    }
    failing = !synced.ok();
  });
}

}  // namespace

int RunDaemon(const VouchdConfig& config, std::ostream& out, std::ostream& err) {
  const Logger log = Logger::ToStream(err);
  auto fail = [&log](const Error& e) {
    log.Error("vouchd: " + e.message());
    return 1;
  };
  // Block the stop signals before any thread starts so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // taken, not fatal: see the wait below
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (config.init && !config.state_dir.empty()) {
    if (Status s = MakePrivateDir(config.state_dir); !s.ok()) return fail(s.error());
  }
  struct stat st;
  bool have_keys = ::stat(config.key_file.c_str(), &st) == 0;
  auto keys = config.init && !have_keys
                  ? ValidatorKeys::Create(config.key_file, config.hpke_key_file)
                  : ValidatorKeys::Load(config.key_file, config.hpke_key_file);
  if (!keys.ok()) return fail(keys.error());
  auto instance = LockInstance(config);
  if (!instance.ok()) return fail(instance.error());
  Metrics metrics;
  auto directory = OpenDirectory(config, metrics, log);
  if (!directory.ok()) return fail(directory.error());
  // A lab genesis (a quorum of 1) is allowed, but never silently.
  if (directory->warning) log.Warn("vouchd: warning: " + *directory->warning);
  if (directory->ledger != nullptr && !directory->ledger->IsActiveValidator(keys->did())) {
    log.Warn(StrCat("vouchd: warning: ", keys->did(), " is not an active validator of ledger '", config.ledger,
                    "' (not registered, not yet admitted by admit_quorum governance keys, or revoked): no seal "
                    "picks it and readers ignore its checkpoints; see 'vouchd register'"));
  }

  ChallengeOptions challenge_options;
  challenge_options.validity_s = config.nonce_validity.count();
  challenge_options.answered_per_host = config.host_challenges;
  ChallengeIssuer challenges(challenge_options);
  ReplayCache replay(ReplayCache::kDefaultCapacity, config.host_vcs);
  AppraisalOptions appraisal_options;
  appraisal_options.fault = config.fault;
  appraisal_options.reporter = directory->reporter;
  // Leases need a place that outlives a restart: the state dir.
  std::unique_ptr<LeaseStore> leases;
  if (!config.state_dir.empty()) {
    auto opened = LeaseStore::Open(config.state_dir + "/leases.sqlite");
    if (!opened.ok()) return fail(opened.error());
    leases = std::move(opened).value();
    appraisal_options.leases = leases.get();
  }
  Appraiser appraiser(*keys, *directory->hosts, challenges, replay, appraisal_options);
  std::unique_ptr<Enroller> enroller;
  if (directory->certification != nullptr) {
    enroller = std::make_unique<Enroller>(*directory->certification, keys->signing_key(),
                                          keys->did(), SystemSeconds);
  }
  std::unique_ptr<LedgerAppender> ledger_append;
  if (directory->host_entries != nullptr) ledger_append = std::make_unique<LedgerAppender>(*directory->host_entries);

  ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.max_body_bytes = config.max_body_bytes;
  options.threads = config.threads;
  options.read_timeout = config.timeout;
  options.write_timeout = config.timeout;
  options.max_queue = config.max_queue;
  options.max_peer_connections = config.peer_connections;
  options.request_timeout = config.request_deadline;
  options.keep_alive_timeout = config.keep_alive;
  options.challenge_rate = static_cast<double>(config.challenge_rate);
  options.challenge_burst = config.challenge_burst;
  options.fault_name = std::string(FaultName(config.fault));
  options.logger = log;
  auto server = Server::Start(options, ServerParts{&appraiser, &challenges, &metrics, &replay, enroller.get(),
                                                   ledger_append.get(), directory->checkpoints, leases.get(),
                                                   directory->ledger, directory->ledger});
  if (!server.ok()) return fail(server.error());

  log.Info(StrCat("vouchd: validator ", keys->did(), " hpke_public_key ", HexEncode(keys->hpke_key().public_key()),
                  " version ", kVersion));
  if (config.fault != Fault::kNone) {
    log.Warn(StrCat("vouchd: WARNING fault injection active (--fault=", FaultName(config.fault),
                    "): this validator misbehaves on purpose; for tests only"));
  }
  if (directory->ledger != nullptr) {
    if (auto endpoint = directory->ledger->RegisteredEndpoint(keys->did())) {
      if (auto why = EndpointMismatch(*endpoint, config.host, (*server)->port())) {
        log.Warn(StrCat("vouchd: WARNING the ledger's endpoint for ", keys->did(), " is '", *endpoint,
                        "' but vouchd listens on ", (*server)->address(), ": ", *why,
                        "; hosts will not reach this validator (set listen, or register the endpoint again)"));
      }
    }
  }
  out << "vouchd: listening on " << (*server)->address() << std::endl;
  std::jthread sweeper;
  if (leases != nullptr && directory->reporter != nullptr) {
    sweeper = StartLeaseSweeper(*leases, *directory->reporter, keys->signing_key(), log);
  }
  std::jthread refresher;
  if (directory->ledger != nullptr) refresher = StartLedgerRefresher(*directory->ledger, log);

  int signal = 0;
  for (;;) {
    sigwait(&stop_signals, &signal);
    if (signal != SIGHUP) break;
    // A terminal hang-up or a reflexive "reload" must not take a validator down.
    log.Warn("vouchd: SIGHUP ignored: nothing is reloaded; restart vouchd to change its configuration");
  }
  for (std::jthread* t : {&sweeper, &refresher}) {
    if (t->joinable()) {
      t->request_stop();
      t->join();
    }
  }
  log.Info(StrCat("vouchd: stopping on ", signal == SIGINT ? "SIGINT" : "SIGTERM"));
  (*server)->Stop();
  return 0;
}

int VouchdMain(int argc, char** argv, const VouchdFlagOptions& options) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "help") args[0] = "--help";
  if (!args.empty() && args[0] == "register") {
    return RunRegister(std::vector<std::string>(args.begin() + 1, args.end()), std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "init") {
    return RunInit(std::vector<std::string>(args.begin() + 1, args.end()), std::cout, std::cerr);
  }
  if (AsksForHelp(args)) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.empty() && args[0] == "--version") {
    std::cout << "vouchd " << kVersion << "\n";
    return 0;
  }
  auto config = ParseVouchdFlags(args, options);
  if (!config.ok()) {
    // A config file that does not read is a failure (1); a bad command line a usage error (2).
    bool file = config.error().code() == Code::kConfig;
    Logger::ToStream(std::cerr)
        .Error("vouchd: " + config.error().message() + (file ? "" : " (vouchd --help shows the usage)"));
    return file ? 1 : 2;
  }
  return RunDaemon(*config, std::cout, std::cerr);
}

}  // namespace vouch::validator
