// vouch did resolve: the W3C DID document of a did:key (DESIGN §3 "JSON forms
// (W3C)"), for parties outside vouch that resolve DIDs with their own tools.
#include <cstdio>

#include "commands.h"
#include "vouch/core/did_document.h"
#include "vouch/core/did_key.h"
#include "vouch/core/flags.h"
#include "vouch/core/jcs.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch did resolve DID [--jcs] [--json]\n"
    "  resolve: the W3C DID document of an Ed25519 did:key (the did:key method's Multikey form:\n"
    "           one verification method, the DID's key, for authentication, assertionMethod,\n"
    "           capabilityInvocation and capabilityDelegation; no keyAgreement), as JSON on stdout\n"
    "           (--json is the default; --jcs prints its RFC 8785 canonical form on one line).\n"
    "           The document comes from the DID alone; what the ledger says about it (TPM AK,\n"
    "           certification, status) is not added yet: 'vouch ledger show LOCATOR --did DID'.\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "vouch: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

int Resolve(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {}, {"jcs", "json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("did resolve takes one DID");
  if (flags->Has("jcs") && flags->Has("json")) return Usage("--jcs and --json exclude each other");
  Result<DidKey> did = DidKey::Parse(flags->positional()[0]);
  if (!did.ok()) {
    std::fprintf(stderr, "vouch: %s\n", did.error().message().c_str());
    return 1;
  }
  const nlohmann::json document = DidKeyDocument(*did);
  if (flags->Has("jcs")) {
    Result<std::string> canonical = CanonicalJson(document);
    if (!canonical.ok()) {  // a DID document is plain ASCII: cannot happen
      std::fprintf(stderr, "vouch: %s\n", canonical.error().message().c_str());
      return 1;
    }
    std::printf("%s\n", canonical->c_str());
  } else {
    std::printf("%s\n", document.dump(2).c_str());
  }
  return 0;
}

}  // namespace

int DidCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("did takes resolve");
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "resolve") return Resolve(rest);
  return Usage(StrCat("unknown did command '", args[0], "'"));
}

}  // namespace vouch::cli
