// vouch agent (DESIGN §2 "Run"): keeps re-attesting every running protected
// domain of this host at its policy's reattest_s, with --enforce semantics:
// a drift verdict (or a revoked host or launch credential) applies the
// policy's on_drift; validators that cannot be reached judge nothing.
// One line per re-attestation on stdout. Runs until SIGINT/SIGTERM, or one
// round with --once.
//
// What it does not do yet (DESIGN §2): talk to a guest shim over the
// virtio-serial channel, so a re-attestation covers the host and the live
// domain definition, not the guest's own measurements.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <thread>

#include "commands.h"
#include "flags.h"
#include "vouch/hook/hook_config.h"
#include "vouch/hook/reattest_run.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch agent [--config /etc/vouch/hook.conf] [--interval-s N] [--once]\n"
    "  re-attests every running protected domain at its policy's reattest_s (or\n"
    "  every N seconds with --interval-s) and applies on_drift on a drift verdict;\n"
    "  one line per re-attestation. --once: one round over the running domains.\n";

volatile sig_atomic_t stop_requested = 0;  // written only by the signal handler
void RequestStop(int) { stop_requested = 1; }

using Clock = std::chrono::steady_clock;

}  // namespace

int AgentCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {"config", "interval-s"}, {"help", "once"});
  if (!flags.ok() || flags->Has("help") || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string config_path = flags->GetOr("config", hook::kDefaultHookConfig);
  auto interval = flags->GetUint("interval-s", 0);
  auto config = hook::LoadHookConfig(config_path);
  if (!interval.ok() || !config.ok()) {
    std::fprintf(stderr, "vouch: %s\n",
                 (!interval.ok() ? interval.error() : config.error()).message().c_str());
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = RequestStop;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  qemu::LibvirtOptions options;
  options.call_timeout = config->libvirt_timeout;
  std::map<std::string, Clock::time_point> due;  // by domain name
  const bool once = flags->Has("once");
  int failures = 0;
  while (!stop_requested) {
    auto conn = qemu::Connect(config->libvirt_uri, options);
    auto names = conn.ok() ? conn->ActiveDomains() : Result<std::vector<std::string>>(conn.error());
    if (!names.ok()) {
      std::fprintf(stderr, "vouch agent: %s\n", names.error().message().c_str());
      ++failures;
    } else {
      std::map<std::string, Clock::time_point> next_due;
      for (const std::string& name : *names) {
        auto it = due.find(name);
        if (it != due.end() && Clock::now() < it->second) {
          next_due[name] = it->second;
          continue;
        }
        auto report = hook::ReattestDomain(config_path, name, /*enforce=*/true);
        uint64_t wait_s = *interval;
        if (!report.ok()) {
          std::printf("%lld %s: %s\n", static_cast<long long>(std::time(nullptr)), name.c_str(),
                      report.error().message().c_str());
          ++failures;
        } else if (!report->is_protected) {
          wait_s = wait_s ? wait_s : 60;  // look again in case it gets sealed
        } else {
          std::printf("%lld %s: re-endorsed by %zu of %zu validators (t = %zu)\n",
                      static_cast<long long>(std::time(nullptr)), name.c_str(),
                      report->endorsements, report->validators, report->threshold);
          if (wait_s == 0) wait_s = report->reattest_s;
        }
        std::fflush(stdout);
        next_due[name] = Clock::now() + std::chrono::seconds(wait_s ? wait_s : 60);
      }
      due = std::move(next_due);  // domains that stopped are forgotten
    }
    if (once) break;
    for (int i = 0; i < 10 && !stop_requested; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return once && failures > 0 ? 1 : 0;
}

}  // namespace vouch::cli
