// vouch agent / vouch-agent (DESIGN §2 "Run"): the host daemon. It follows
// libvirt's domain events and keeps every running protected domain
// re-attested (host/agent.h): through the guest shim over the domain's
// channel when the policy has a guest section, host-only every reattest_s
// otherwise; a drift verdict applies the policy's on_drift. One line per
// event and round on stderr, each with its RFC 3339 time. Runs until SIGINT
// or SIGTERM; SIGHUP is logged and ignored.
//
// --once instead makes one host-only round over the running protected
// domains now (one line each on stdout) and exits: 0 if every one was
// re-endorsed.
#include <signal.h>

#include <cstdio>
#include <ctime>

#include "commands.h"
#include "utc.h"
#include "vouch/core/flags.h"
#include "vouch/host/agent.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/metrics_server.h"
#include "vouch/host/reattest_run.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch agent [--config /etc/vouch/hook.conf] [--once]\n"
    "       (the same as: vouch-agent [--config FILE] [--once])\n"
    "  follows libvirt's domain events and keeps every running protected domain\n"
    "  re-attested: through the guest shim on its channel org.vouch.attest.0 when\n"
    "  its policy has a guest section, host-only every reattest_s otherwise; a\n"
    "  drift verdict applies the policy's on_drift. Runs until SIGINT/SIGTERM.\n"
    "  --once: one host-only round over the running protected domains, then exit.\n";

int OnceOverRunningDomains(const host::HookConfig& config) {
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  auto conn = qemu::Connect(config.libvirt_uri, options);
  auto names = conn.ok() ? conn->ActiveDomains() : Result<std::vector<std::string>>(conn.error());
  if (!names.ok()) {
    std::fprintf(stderr, "vouch agent: %s\n", names.error().message().c_str());
    return 1;
  }
  int failures = 0;
  for (const std::string& name : *names) {
    auto report = host::ReattestDomain(config, name, /*enforce=*/true);
    if (!report.ok()) {
      std::printf("%lld %s: %s\n", static_cast<long long>(std::time(nullptr)), name.c_str(),
                  report.error().message().c_str());
      ++failures;
    } else if (report->is_protected) {
      std::printf("%lld %s: re-endorsed by %zu of %zu validators (t = %zu)\n",
                  static_cast<long long>(std::time(nullptr)), name.c_str(), report->endorsements,
                  report->validators, report->threshold);
    }
  }
  return failures > 0 ? 1 : 0;
}

int RunUntilSignalled(const host::HookConfig& config) {
  // Blocked before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  host::AgentOptions options;
  options.config = config;
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "%s vouch-agent: %s\n", Utc(std::time(nullptr)).c_str(), line.c_str());
  };
  host::AgentMetrics metrics;
  std::unique_ptr<host::MetricsServer> metrics_server;
  if (!config.metrics_listen.empty()) {
    auto server = host::MetricsServer::Start(config.metrics_listen, [&metrics] { return metrics.RenderPrometheus(); });
    if (!server.ok()) {
      std::fprintf(stderr, "vouch-agent: %s\n", server.error().message().c_str());
      return 1;
    }
    metrics_server = std::move(server).value();
    options.metrics = &metrics;
    options.log(StrCat("metrics on http://", metrics_server->address(), "/metrics"));
  }
  auto agent = host::Agent::Start(options);
  if (!agent.ok()) {
    std::fprintf(stderr, "vouch-agent: %s\n", agent.error().message().c_str());
    return 1;
  }
  options.log("running; SIGTERM or SIGINT stops it");
  for (;;) {
    int received = 0;
    if (sigwait(&signals, &received) != 0) continue;
    if (received == SIGHUP) {
      options.log("SIGHUP ignored (nothing to reload: hook.conf is read at start)");
      continue;
    }
    options.log(received == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
    break;
  }
  agent->reset();
  return 0;
}

}  // namespace

int AgentCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {"config"}, {"help", "once"});
  if (!flags.ok() || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string config_path = flags->GetOr("config", host::kDefaultHookConfig);
  auto config = host::LoadHookConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "vouch: %s\n", config.error().message().c_str());
    return 1;
  }
  if (flags->Has("once")) return OnceOverRunningDomains(*config);
  return RunUntilSignalled(*config);
}

}  // namespace vouch::cli
