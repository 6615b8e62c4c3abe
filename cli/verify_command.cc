// vouch verify FILE: offline check of a host VC or endorsed VC.
#include <cstdio>
#include <ctime>

#include "commands.h"
#include "utc.h"
#include "vouch/core/endorsement.h"

namespace vouch::cli {

int VerifyCommand(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fputs("usage: vouch verify FILE\n", stderr);
    return 2;
  }
  const std::string& path = args[0];
  auto data = ReadFile(path);
  if (!data.ok()) {
    std::fprintf(stderr, "vouch: %s\n", data.error().message().c_str());
    return 1;
  }
  auto vc = HostVc::Parse(*data);
  if (!vc.ok()) {
    std::fprintf(stderr, "vouch: '%s' is not a valid host VC: %s\n", path.c_str(),
                 vc.error().message().c_str());
    return 1;
  }
  auto checks = CheckEndorsements(*vc);
  if (!checks.ok()) {
    std::fprintf(stderr, "vouch: '%s': %s\n", path.c_str(), checks.error().message().c_str());
    return 1;
  }
  const HostVcClaims& c = vc->claims();
  std::printf("host VC (%s) for domain %s\n", c.type.c_str(), c.domain_uuid.c_str());
  std::printf("  signed by host %s: ok\n", vc->issuer().did().c_str());
  std::printf("  vc digest %s (what the ledger's attested entry names)\n",
              HexEncode(vc->Digest().bytes()).c_str());
  std::printf("  issued %s, expires %s, %zu PCRs quoted, boot hash %s\n", Utc(c.issued_at).c_str(),
              Utc(c.expires_at).c_str(), c.tpm.pcrs.size(), HexEncode(c.boot_hash).c_str());
  size_t good = 0;
  std::string first_failure;
  for (const auto& check : *checks) {
    if (check.status.ok()) {
      ++good;
      std::printf("  endorsed by %s: ok (verdict %s at %s)\n", check.validator_did.c_str(),
                  check.verdict.ok ? "ok" : "refused", Utc(check.verdict.at).c_str());
    } else {
      std::printf("  endorsement by %s: FAILED: %s\n",
                  check.validator_did.empty() ? "(unreadable)" : check.validator_did.c_str(),
                  check.status.error().message().c_str());
      if (first_failure.empty()) first_failure = check.status.error().message();
    }
  }
  std::printf("%zu of %zu endorsements verify\n", good, checks->size());
  if (!first_failure.empty()) {
    std::fprintf(stderr, "vouch: '%s': %s\n", path.c_str(), first_failure.c_str());
    return 1;
  }
  return 0;
}

}  // namespace vouch::cli
