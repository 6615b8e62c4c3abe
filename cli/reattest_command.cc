// vouch reattest DOMAIN (DESIGN §2 "Run"): one re-attestation of a running
// protected domain by its policy's validators; host/reattest_run.h has the
// steps. Exit 0 if re-endorsed by t, 1 if not (the message names every
// validator's reason and, with --enforce, what on_drift did), 2 for usage.
#include <cstdio>

#include "commands.h"
#include "vouch/core/flags.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/reattest_run.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch reattest DOMAIN [--config /etc/vouch/hook.conf] [--enforce]\n"
    "  re-attests the running DOMAIN: a fresh TPM quote and the live domain XML,\n"
    "  judged by the policy's validators against the domain's launch VC (the\n"
    "  baseline in the config's audit_dir). With --enforce, a drift verdict applies\n"
    "  the policy's on_drift (pause | destroy | alert); validators that cannot be\n"
    "  reached judge nothing and are never enforced.\n";

}  // namespace

int ReattestCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {"config"}, {"help", "enforce"});
  if (!flags.ok() || flags->Has("help") || flags->positional().size() != 1) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& name = flags->positional()[0];
  auto config = host::LoadHookConfig(flags->GetOr("config", host::kDefaultHookConfig));
  auto report = config.ok() ? host::ReattestDomain(*config, name, flags->Has("enforce"))
                            : Result<host::ReattestReport>(config.error());
  if (!report.ok()) {
    std::fprintf(stderr, "vouch: %s\n", report.error().message().c_str());
    return 1;
  }
  if (!report->is_protected) {
    std::fprintf(stderr, "vouch: domain '%s' is not protected by vouch (no bundle in its metadata or the bundle directory)\n",
                 name.c_str());
    return 1;
  }
  std::printf("domain '%s' re-endorsed by %zu of %zu validators (t = %zu)\n", name.c_str(),
              report->endorsements, report->validators, report->threshold);
  for (const std::string& f : report->failures) std::printf("  not endorsed: %s\n", f.c_str());
  for (const std::string& e : report->write_errors) std::fprintf(stderr, "vouch: warning: %s\n", e.c_str());
  return 0;
}

}  // namespace vouch::cli
