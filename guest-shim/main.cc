// vouch-shim: re-attestation from inside a protected guest (DESIGN §2 "Guest
// shim"). Commands: round | loop --interval DURATION | status; --config PATH.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vouch/core/duration.h"
#include "vouch/core/endorsement_quorum.h"
#include "vouch/core/unique_fd.h"
#include "vouch/shim/config.h"
#include "vouch/shim/shim.h"

namespace vouch::shim {
namespace {

constexpr char kUsage[] =
    "usage: vouch-shim [--config PATH] round | loop --interval DURATION | status\n"
    "  round    one re-attestation round over the virtio-serial port org.vouch.attest.0\n"
    "  loop     rounds forever, one every DURATION (1s..24h: 500ms, 30s, 5m; a bare number\n"
    "           is seconds), for guests without systemd\n"
    "  status   the last attestation's time, its validators and the next deadline\n"
    "  config   " "/etc/vouch/shim.conf (owner = did:key:…, see DESIGN §2 \"Guest shim\")\n";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// One decision, one line: stderr and syslog.
void Say(const std::string& line) {
  std::fprintf(stderr, "vouch-shim: %s\n", line.c_str());
  syslog(LOG_NOTICE, "%s", line.c_str());
}

Result<UniqueFd> OpenChannel(const ShimConfig& config) {
  std::string path = config.channel;
  if (path.empty()) {
    VOUCH_ASSIGN_OR_RETURN(path, FindChannel());
  }
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Error(Code::kUnavailable, StrCat("cannot open the channel ", path, ": ", std::strerror(errno),
                                            " (is the domain's <channel> defined?)"));
  }
  return UniqueFd(fd);
}

Result<std::unique_ptr<Tpm>> OpenTpm(const ShimConfig& config) {
  if (config.tcti.rfind("device:", 0) == 0) {
    std::string dev = config.tcti.substr(7);
    struct stat st;
    if (::stat(dev.c_str(), &st) != 0) {
      return Error(Code::kUnavailable, StrCat("no TPM at ", dev, " (does the domain have a <tpm> device?)"));
    }
  }
  return Tpm::Open(config.tcti);
}

// One round; Ok only with a verified endorsement written.
Status Round(const ShimConfig& config) {
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<Tpm> tpm, OpenTpm(config));
  VOUCH_ASSIGN_OR_RETURN(Ak ak, LoadOrCreateAk(*tpm, config.key_dir));
  VOUCH_ASSIGN_OR_RETURN(UniqueFd fd, OpenChannel(config));
  auto deadline = std::chrono::steady_clock::now() + config.timeout;
  VOUCH_ASSIGN_OR_RETURN(RoundResult r, RunRound(config, fd.get(), *tpm, ak, kEventLogPath, Now(), deadline));
  std::string who;
  for (const auto& d : r.endorsers) who += (who.empty() ? "" : ", ") + d;
  Say(StrCat("attested: endorsed by ", r.endorsers.size(), " validators (", who, ")"));
  return Ok();
}

// After a failed round: the grace rule and, past it, the action.
void AfterFailure(const ShimConfig& config, const Error& why) {
  Say(StrCat("round failed: ", why.message()));
  auto state = LoadState(config.state_dir);
  if (!state.ok()) {
    Say(StrCat("cannot read the state: ", state.error().message()));
    return;
  }
  int64_t now = Now();
  GraceDecision d = DecideGrace(config, *state, now, BootTime(now));
  if (!d.past) {
    Say(StrCat("within the grace (", d.rule, "): ", d.deadline - now, " s left, no action"));
    return;
  }
  std::string reason = StrCat("no verified endorsement since the deadline ", d.deadline, " (", d.rule,
                              "); last failure: ", why.message());
  Say(StrCat("past the grace by ", now - d.deadline, " s: action ", d.action, ": ", reason));
  Status s = RunAction(d.action, reason);
  if (!s.ok()) Say(StrCat("action ", d.action, " failed: ", s.error().message()));
}

int Status_(const ShimConfig& config) {
  auto state = LoadState(config.state_dir);
  if (!state.ok()) {
    Say(state.error().message());
    return 1;
  }
  int64_t now = Now();
  GraceDecision d = DecideGrace(config, *state, now, BootTime(now));
  if (!state->attested_at) {
    std::printf("no attestation yet\n");
  } else {
    std::printf("last attestation: %lld (%lld s ago), %s/%s\n", static_cast<long long>(*state->attested_at),
                static_cast<long long>(now - *state->attested_at), config.state_dir.c_str(), kAttestationFile);
    auto vc = ReadFile(StrCat(config.state_dir, "/", kAttestationFile));
    if (vc.ok() && state->pinned_policy) {
      auto parsed = HostVc::Parse(*vc);
      auto policy = SignedPolicy::Parse(*state->pinned_policy);
      if (parsed.ok() && policy.ok()) {
        auto endorsers = QuorumEndorsers(*parsed, *policy);
        if (endorsers.ok()) {
          for (const auto& did : *endorsers) std::printf("  endorsed by %s\n", did.c_str());
        }
      }
    }
  }
  std::printf("next deadline: %lld (in %lld s; %s), then action %s\n", static_cast<long long>(d.deadline),
              static_cast<long long>(d.deadline - now), d.rule.c_str(), d.action.c_str());
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string config_path = kDefaultConfigPath;
  std::string command;
  std::optional<std::chrono::milliseconds> interval;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version") {
      std::printf("vouch-shim %s\n", VOUCH_VERSION);
      return 0;
    } else if (a == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (a == "--interval" && i + 1 < args.size()) {
      auto d = ParseDurationIn("--interval", args[++i], std::chrono::seconds(1), std::chrono::hours(24));
      if (!d.ok()) {
        std::fprintf(stderr, "vouch-shim: %s\n", d.error().message().c_str());
        return 2;
      }
      interval = *d;
    } else if (command.empty() && (a == "round" || a == "loop" || a == "status")) {
      command = a;
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (command.empty() || (command == "loop" && !interval)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  openlog("vouch-shim", LOG_PID, LOG_DAEMON);
  ::signal(SIGPIPE, SIG_IGN);  // a host that closes the channel is an error value, not a signal
  auto config = LoadShimConfig(config_path);
  if (!config.ok()) {
    Say(config.error().message());
    return 2;
  }
  if (command == "status") return Status_(*config);
  for (;;) {
    Status s = Round(*config);
    if (!s.ok()) AfterFailure(*config, s.error());
    if (command == "round") return s.ok() ? 0 : 1;
    std::this_thread::sleep_for(*interval);
  }
}

}  // namespace
}  // namespace vouch::shim

int main(int argc, char** argv) { return vouch::shim::Main(argc, argv); }
