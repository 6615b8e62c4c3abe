// vouch verify FILE [--json]: offline check of a host VC or endorsed VC.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "utc.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/flags.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch verify FILE [--json]\n"
    "  checks a host VC or an endorsed VC offline: the host's signature and each\n"
    "  validator's countersignature; prints who signed it. Exit 0 when every\n"
    "  signature verifies, 1 otherwise. --json: one JSON object on stdout\n"
    "  {\"file\", \"type\", \"domain\", \"host\", \"digest\", \"issued_at\", \"expires_at\",\n"
    "   \"pcrs\", \"boot_hash\", \"endorsements\": [{\"validator\", \"ok\", \"verdict\", \"at\", \"error\"}],\n"
    "   \"verified\"}\n";

void PrintText(const HostVc& vc, const std::vector<EndorsementCheck>& checks) {
  const HostVcClaims& c = vc.claims();
  std::printf("host VC (%s) for domain %s\n", c.type.c_str(), c.domain_uuid.c_str());
  std::printf("  signed by host %s: ok\n", vc.issuer().did().c_str());
  std::printf("  vc digest %s (what the ledger's attested entry names)\n", HexEncode(vc.Digest().bytes()).c_str());
  std::printf("  issued %s, expires %s, %zu PCRs quoted, boot hash %s\n", Utc(c.issued_at).c_str(),
              Utc(c.expires_at).c_str(), c.tpm.pcrs.size(), HexEncode(c.boot_hash).c_str());
  size_t good = 0;
  for (const auto& check : checks) {
    if (check.status.ok()) {
      ++good;
      std::printf("  endorsed by %s: ok (verdict %s at %s)\n", check.validator_did.c_str(),
                  check.verdict.ok ? "ok" : "refused", Utc(check.verdict.at).c_str());
    } else {
      std::printf("  endorsement by %s: FAILED: %s\n",
                  check.validator_did.empty() ? "(unreadable)" : check.validator_did.c_str(),
                  check.status.error().message().c_str());
    }
  }
  std::printf("%zu of %zu endorsements verify\n", good, checks.size());
}

void PrintJson(const std::string& path, const HostVc& vc, const std::vector<EndorsementCheck>& checks) {
  const HostVcClaims& c = vc.claims();
  nlohmann::json endorsements = nlohmann::json::array();
  bool all_ok = true;
  for (const auto& check : checks) {
    nlohmann::json e = {{"validator", check.validator_did}, {"ok", check.status.ok()}};
    if (check.status.ok()) {
      e["verdict"] = check.verdict.ok ? "ok" : "refused";
      e["at"] = Utc(check.verdict.at);
    } else {
      e["error"] = check.status.error().message();
      all_ok = false;
    }
    endorsements.push_back(std::move(e));
  }
  nlohmann::json pcrs = nlohmann::json::object();
  for (const auto& [index, value] : c.tpm.pcrs) pcrs[std::to_string(index)] = HexEncode(value);
  nlohmann::json out = {{"file", path},
                        {"type", c.type},
                        {"domain", c.domain_uuid},
                        {"host", vc.issuer().did()},
                        {"digest", HexEncode(vc.Digest().bytes())},
                        {"issued_at", Utc(c.issued_at)},
                        {"expires_at", Utc(c.expires_at)},
                        {"pcrs", pcrs},
                        {"boot_hash", HexEncode(c.boot_hash)},
                        {"endorsements", endorsements},
                        {"verified", all_ok}};
  std::printf("%s\n", out.dump(2).c_str());
}

}  // namespace

int VerifyCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {}, {"json"});
  if (!flags.ok() || flags->positional().size() != 1) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& path = flags->positional()[0];
  auto data = ReadFile(path);
  if (!data.ok()) {
    std::fprintf(stderr, "vouch: %s\n", data.error().message().c_str());
    return 1;
  }
  auto vc = HostVc::Parse(*data);
  if (!vc.ok()) {
    std::fprintf(stderr, "vouch: '%s' is not a valid host VC: %s\n", path.c_str(), vc.error().message().c_str());
    return 1;
  }
  auto checks = CheckEndorsements(*vc);
  if (!checks.ok()) {
    std::fprintf(stderr, "vouch: '%s': %s\n", path.c_str(), checks.error().message().c_str());
    return 1;
  }
  if (flags->Has("json")) {
    PrintJson(path, *vc, *checks);
  } else {
    PrintText(*vc, *checks);
  }
  for (const auto& check : *checks) {
    if (!check.status.ok()) {
      std::fprintf(stderr, "vouch: '%s': %s\n", path.c_str(), check.status.error().message().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace vouch::cli
