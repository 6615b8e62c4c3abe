// vouch bundle show (FILE | --domain NAME [--connect URI]) [--json]: what a
// protection bundle lets happen — the owner's signed policy (checked), the
// validators and threshold, hosts, PCRs, limits, the lease and the guest
// section — read from a --bundle-out file or a domain's <metadata>.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "pcr_list.h"
#include "vouch/core/duration.h"
#include "vouch/core/flags.h"
#include "vouch/core/owner_policy.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: vouch bundle show (BUNDLE | --domain NAME [--connect qemu:///system]) [--json]\n"
    "  prints a protection bundle's owner policy (its owner signature checked): who must\n"
    "  agree to release the key (t of the validators), to which hosts, on which PCR\n"
    "  values, the domain limits, the re-attestation lease and the guest section.\n"
    "  BUNDLE is a 'vouch seal --bundle-out' file; --domain reads the domain's metadata.\n"
    "  Exit 0 when the bundle is sound, 1 when it is not (one line naming what).\n";

std::vector<std::string> HexList(const std::vector<Bytes>& values) {
  std::vector<std::string> out;
  for (const Bytes& v : values) out.push_back(HexEncode(v));
  return out;
}

json PcrValues(const std::map<uint32_t, std::vector<Bytes>>& reference) {
  json out = json::object();
  for (const auto& [index, values] : reference) out[std::to_string(index)] = HexList(values);
  return out;
}

json BootJson(const PolicyBoot& b) {
  return {{"firmware", b.firmware}, {"loader", b.loader}, {"nvram_template", b.nvram_template},
          {"kernel", b.kernel},     {"initrd", b.initrd}, {"cmdline", b.cmdline}};
}

template <typename T>
json Optional(const std::optional<T>& v) {
  return v ? json(*v) : json();
}

json PolicyJson(const SignedPolicy& signed_policy, size_t sealed_shares) {
  const OwnerPolicy& p = signed_policy.policy();
  json validators = json::array();
  for (const PolicyValidator& v : p.validators) {
    validators.push_back({{"did", v.did}, {"endpoint", v.endpoint}, {"hpke_public_key", HexEncode(v.hpke_public_key)}});
  }
  json boots;
  if (p.rt.boot_allowed) {
    boots = json::array();
    for (const PolicyBoot& b : *p.rt.boot_allowed) boots.push_back(BootJson(b));
  }
  json out = {{"domain", p.domain_uuid},
              {"owner", signed_policy.owner_did()},
              {"policy_digest", HexEncode(signed_policy.digest().bytes())},
              {"threshold", p.threshold},
              {"validators", validators},
              {"sealed_shares", sealed_shares},
              {"hosts", p.hosts ? json(*p.hosts) : json("any")},
              {"pcrs", p.pcrs},
              {"reference_pcrs", PcrValues(p.reference_pcrs)},
              {"reference_boot", HexList(p.reference_boot)},
              {"platforms", p.platforms},
              {"hv_min", p.hv_min},
              {"vc_ttl_s", p.vc_ttl},
              {"reattest_s", p.reattest_s},
              {"grace", Optional(p.grace)},
              {"on_drift", p.on_drift},
              {"runtime",
               {{"memory_kib_max", p.rt.memory_kib_max},
                {"vcpus_max", p.rt.vcpus_max},
                {"nets_allowed", p.rt.nets_allowed},
                {"devices_allowed", Optional(p.rt.devices_allowed)},
                {"disks_allowed", Optional(p.rt.disks_allowed)},
                {"boot_allowed", boots},
                {"emulators_allowed", Optional(p.rt.emulators_allowed)},
                {"qemu_args", p.rt.qemu_args},
                {"qemu_passthrough", p.rt.qemu_passthrough}}}};
  if (p.guest) {
    out["guest"] = {{"pcrs", p.guest->pcrs},
                    {"reference", PcrValues(p.guest->reference)},
                    {"boot_s", p.guest->boot_s},
                    {"action", p.guest->action}};
  } else {
    out["guest"] = nullptr;
  }
  return out;
}

std::string Joined(const std::vector<std::string>& items, const char* none) {
  if (items.empty()) return none;
  std::string out;
  for (const std::string& i : items) out += StrCat(out.empty() ? "" : ", ", i);
  return out;
}

void PrintText(const SignedPolicy& signed_policy, size_t sealed_shares) {
  const OwnerPolicy& p = signed_policy.policy();
  std::printf("bundle for domain %s, policy %s\n", p.domain_uuid.c_str(),
              HexEncode(signed_policy.digest().bytes()).c_str());
  std::printf("  signed by owner %s: ok\n", signed_policy.owner_did().c_str());
  std::printf("  release: %u of %zu validators (%zu sealed shares)\n", p.threshold, p.validators.size(), sealed_shares);
  for (size_t i = 0; i < p.validators.size(); ++i) {
    std::printf("    %zu. %s %s\n", i + 1, p.validators[i].did.c_str(), p.validators[i].endpoint.c_str());
  }
  std::printf("  hosts: %s\n", p.hosts ? Joined(*p.hosts, "none").c_str() : "any certified host");
  std::printf("  PCRs %s (sha256); reference values for %zu of them, %zu boot hashes%s\n", JoinPcrs(p.pcrs).c_str(),
              p.reference_pcrs.size(), p.reference_boot.size(),
              p.reference_pcrs.empty() && p.reference_boot.empty() && p.platforms.empty() ? " (any boot state)" : "");
  if (!p.platforms.empty()) {
    std::printf("  boot: the event log meets platform class %s, as the ledger holds it at each start\n",
                Joined(p.platforms, "").c_str());
  }
  for (const auto& [component, version] : p.hv_min) {
    std::printf("  %s >= %s\n", component.c_str(), version.c_str());
  }
  const std::chrono::seconds every(p.reattest_s);
  std::printf("  host VCs live %s; on drift: %s; re-attest every %s", FormatDuration(std::chrono::seconds(p.vc_ttl)).c_str(),
              p.on_drift.c_str(), FormatDuration(every).c_str());
  if (p.grace) {
    std::printf(", lease: silent for %s is reported\n", FormatDuration(every * *p.grace).c_str());
  } else {
    std::printf(", no lease\n");
  }
  std::printf("  runtime: memory <= %llu KiB, vcpus <= %llu, networks %s, %zu QEMU args\n",
              static_cast<unsigned long long>(p.rt.memory_kib_max), static_cast<unsigned long long>(p.rt.vcpus_max),
              Joined(p.rt.nets_allowed, "none").c_str(), p.rt.qemu_args.size());
  if (p.guest) {
    std::printf("  guest: vTPM PCRs %s, first report within %s, past the grace: %s\n",
                JoinPcrs(p.guest->pcrs).c_str(), FormatDuration(std::chrono::seconds(p.guest->boot_s)).c_str(),
                p.guest->action.c_str());
  } else {
    std::printf("  guest: no guest evidence\n");
  }
}

Result<Bytes> BundleBytes(const Flags& f) {
  if (auto domain = f.Get("domain")) {
    VOUCH_ASSIGN_OR_RETURN(auto conn, qemu::Connect(f.GetOr("connect", "qemu:///system")));
    return conn.GetProtectionMetadata(*domain);
  }
  return ReadFile(f.positional()[0]);
}

int Show(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {"domain", "connect"}, {"json"});
  if (!flags.ok() || flags->positional().size() != (flags->Has("domain") ? 0u : 1u)) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto bytes = BundleBytes(*flags);
  if (!bytes.ok()) {
    std::fprintf(stderr, "vouch: %s\n", bytes.error().message().c_str());
    return 1;
  }
  const std::string source = flags->Has("domain") ? StrCat("domain '", *flags->Get("domain"), "'")
                                                  : StrCat("'", flags->positional()[0], "'");
  auto bundle = DecodeBundle(*bytes);
  auto policy = bundle.ok() ? SignedPolicy::Parse(bundle->policy) : Result<SignedPolicy>(bundle.error());
  if (!policy.ok()) {
    std::fprintf(stderr, "vouch: %s: not a sound protection bundle: %s\n", source.c_str(),
                 policy.error().message().c_str());
    return 1;
  }
  if (bundle->sealed_shares.size() != policy->policy().validators.size()) {
    std::fprintf(stderr, "vouch: %s: %zu sealed shares for %zu validators\n", source.c_str(),
                 bundle->sealed_shares.size(), policy->policy().validators.size());
    return 1;
  }
  if (flags->Has("json")) {
    std::printf("%s\n", PolicyJson(*policy, bundle->sealed_shares.size()).dump(2).c_str());
  } else {
    PrintText(*policy, bundle->sealed_shares.size());
  }
  return 0;
}

}  // namespace

int BundleCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  if (args.empty() || args[0] != "show") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  return Show({args.begin() + 1, args.end()});
}

}  // namespace vouch::cli
