// vouch start DOMAIN (DESIGN §5): the launch gate without a call-back into
// libvirt from inside its hook. The key is released first (the same steps
// the prepare hook runs), its secrets defined, the release marked for the
// hook, and only then is libvirt asked to start the domain. The secrets are
// undefined again once the domain runs (QEMU has opened the disk) or the
// start failed.
#include <chrono>
#include <cstdio>
#include <ctime>

#include "commands.h"
#include "vouch/core/flags.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/hook_run.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch start DOMAIN [--config /etc/vouch/hook.conf] [--timeout DURATION (1s..1h, default 60s)]\n"
    "  releases DOMAIN's image key from the validators (as the libvirt hook would),\n"
    "  then starts it through libvirt (the config's libvirt_uri). An installed vouch\n"
    "  hook sees the fresh release and does not attest again. --timeout bounds the start\n"
    "  (DURATION: 500ms, 30s, 5m; a bare number is seconds).\n";

Status Start(const std::string& name, const Flags& f) {
  VOUCH_ASSIGN_OR_RETURN(std::chrono::milliseconds timeout,
                         f.GetDuration("timeout", std::chrono::seconds(60), std::chrono::seconds(1), std::chrono::hours(1)));
  std::string config_path = f.GetOr("config", host::kDefaultHookConfig);
  VOUCH_ASSIGN_OR_RETURN(host::HookConfig config, host::LoadHookConfig(config_path));
  qemu::LibvirtOptions options;
  options.call_timeout = config.libvirt_timeout;
  VOUCH_ASSIGN_OR_RETURN(qemu::LibvirtConnection conn, qemu::Connect(config.libvirt_uri, options));
  VOUCH_ASSIGN_OR_RETURN(std::string xml, conn.DomainXml(name, /*inactive=*/true));
  VOUCH_ASSIGN_OR_RETURN(qemu::DomainConfig domain, qemu::ParseDomainXml(xml));

  auto t0 = std::chrono::steady_clock::now();
  VOUCH_ASSIGN_OR_RETURN(bool released, host::ReleaseKey(config, name, xml, std::time(nullptr)));
  auto t1 = std::chrono::steady_clock::now();
  if (!released) {
    VOUCH_RETURN_IF_ERROR(conn.StartDomain(name, timeout));
    std::printf("domain '%s' started (not protected by vouch: no key to release)\n", name.c_str());
    return Ok();
  }
  if (Status marked = host::MarkFreshRelease(config, domain.uuid, qemu::ConfigDigestOf(domain), std::time(nullptr));
      !marked.ok()) {
    (void)host::CleanupSecrets(config, xml);
    return marked.error();
  }
  Status started = conn.StartDomain(name, timeout);
  // Running or not, the secrets are no longer needed.
  Status cleaned = host::CleanupSecrets(config, xml);
  if (!started.ok()) return started.error();
  if (!cleaned.ok()) {
    std::fprintf(stderr, "vouch: warning: domain '%s' started but its secrets were not undefined: %s\n",
                 name.c_str(), cleaned.error().message().c_str());
  }
  std::printf("domain '%s' started (key released by the validators in %.2f s)\n", name.c_str(),
              std::chrono::duration<double>(t1 - t0).count());
  return Ok();
}

}  // namespace

int StartCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {"config", "timeout"}, {"help"}, {{"timeout-ms", "timeout", "ms"}});
  if (!flags.ok() || flags->Has("help") || flags->positional().size() != 1) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (Status s = Start(flags->positional()[0], *flags); !s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace vouch::cli
