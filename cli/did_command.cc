// vouch did resolve: the W3C DID document of a did:key (DESIGN §3 "JSON forms
// (W3C)"), for parties outside vouch that resolve DIDs with their own tools;
// with --ledger, the resolution result with what the ledger says
// (did_resolution.h).
#include <cstdio>
#include <memory>

#include "command_exit.h"
#include "commands.h"
#include "did_resolution.h"
#include "ledger_pin.h"
#include "vouch/core/did_document.h"
#include "vouch/core/did_key.h"
#include "vouch/core/flags.h"
#include "vouch/core/jcs.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch did resolve DID [--jcs] [--json] [--ledger LOCATOR --genesis HEX]\n"
    "  resolve: the W3C DID document of an Ed25519 did:key (the did:key method's Multikey form:\n"
    "           one verification method, the DID's key, for authentication, assertionMethod,\n"
    "           capabilityInvocation and capabilityDelegation; no keyAgreement), as JSON on stdout\n"
    "           (--json is the default; --jcs prints its RFC 8785 canonical form on one line).\n"
    "           The document comes from the DID alone. With --ledger: a W3C DID resolution result\n"
    "           {didDocument, didDocumentMetadata, didResolutionMetadata} whose document adds, for a host\n"
    "           on the ledger, its TPM AK (attestationKey: TPM2B_PUBLIC, TPM name), its certification\n"
    "           (certification: by which validators, at which entry and time) and its status (hostStatus:\n"
    "           active, revoked with reason and entry, quarantined for which domains), in the vouch\n"
    "           context; a revoked DID's metadata says deactivated: true.\n";

int Usage(const std::string& problem) { return UsageError("vouch", problem, {kUsage, kLedgerAccessUsage}); }

Result<std::unique_ptr<ledger::LedgerClient>> OpenLedger(const std::string& locator, const Flags& flags) {
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(flags, ""));
  return ledger::LedgerClient::Open(locator, options);
}

int Resolve(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, WithLedgerAccessFlags({"ledger", "genesis"}), {"jcs", "json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("did resolve takes one DID");
  if (flags->Has("jcs") && flags->Has("json")) return Usage("--jcs and --json exclude each other");
  Result<DidKey> did = DidKey::Parse(flags->positional()[0]);
  if (!did.ok()) {
    std::fprintf(stderr, "vouch: %s\n", did.error().message().c_str());
    return 1;
  }
  nlohmann::json document = DidKeyDocument(*did);
  if (auto locator = flags->Get("ledger")) {
    auto client = OpenLedger(*locator, *flags);
    if (!client.ok()) {
      std::fprintf(stderr, "vouch: %s\n", client.error().message().c_str());
      return 1;
    }
    document = LedgerDidResolution(*did, (*client)->state());
  }
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
  if (AsksForHelp(args)) return PrintUsage({kUsage, kLedgerAccessUsage});
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "resolve") return Resolve(rest);
  return Usage(StrCat("unknown did command '", args[0], "'"));
}

}  // namespace vouch::cli
