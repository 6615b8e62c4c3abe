// vouch revoke host|credential (DESIGN §2 "Revoke"): a revocation on the
// ledger, stated the way an operator or governance thinks of it, appended
// by `vouch ledger append … revoke` (one code path for the entry, its
// signatures and the report of whether it took effect):
//   host DID                 a host: every validator refuses its next attest
//                            and re-attest, every agent on it applies on_drift;
//   credential cti:HEX|FILE  a launch credential; given as an endorsed launch
//                            VC (the audit store's <uuid>-<cti>.cbor) it also
//                            names its host and domain, so the revocation
//                            quarantines that host for that domain.
// Who may: the host itself (its own DID, at once), governance (--key plus
// --cosign up to admit_quorum, at once), or an admitted validator (a report,
// effective at revoke_quorum). The ledger's rules decide; a refusal is one
// line naming the rule.
#include <cctype>
#include <cstdio>

#include "commands.h"
#include "flags.h"
#include "ledger_command.h"
#include "ledger_pin.h"
#include "vouch/core/did_key.h"
#include "vouch/core/host_vc.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch revoke host DID --reason TEXT --ledger LOCATOR --genesis HEX --key KEY.pem [--cosign KEY.pem]...\n"
    "       vouch revoke credential (cti:HEX | LAUNCH_VC.cbor) --reason TEXT --ledger LOCATOR --genesis HEX\n"
    "                    --key KEY.pem [--cosign KEY.pem]...\n"
    "  revokes a host, or one launch credential of a protected domain (given as the endorsed launch VC\n"
    "  it also quarantines that host for that domain); KEY is the host's own key, a governance key\n"
    "  (with --cosign for admit_quorum in all) or a validator's (a report, effective at revoke_quorum)\n";

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "vouch: %s\n", problem.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

bool IsCtiSubject(const std::string& s) {
  if (s.rfind("cti:", 0) != 0 || s.size() != 4 + 2 * kCtiSize) return false;
  for (size_t i = 4; i < s.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i])) || std::isupper(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

// The revoke fields for `what` ("host" or "credential") and its argument.
Result<std::vector<std::string>> RevokeFields(const std::string& what, const std::string& target) {
  if (what == "host") {
    if (auto did = DidKey::Parse(target); !did.ok()) {
      return Error(Code::kInvalidArgument, StrCat("host '", target, "' is not a did:key (", did.error().message(), ")"));
    }
    return std::vector<std::string>{"--subject", target};
  }
  if (IsCtiSubject(target)) return std::vector<std::string>{"--subject", target};
  if (target.rfind("cti:", 0) == 0) {
    return Error(Code::kInvalidArgument, StrCat("credential '", target, "' must be cti: and 32 lower-case hex digits"));
  }
  auto bytes = ReadFile(target);
  if (!bytes.ok()) return bytes.error().WithContext(StrCat("credential '", target, "'"));
  auto vc = HostVc::Parse(*bytes);
  if (!vc.ok()) return vc.error().WithContext(StrCat("credential '", target, "' (a launch VC file)"));
  const HostVcClaims& c = vc->claims();
  if (c.type != "launch") {
    return Error(Code::kInvalidArgument, StrCat("credential '", target, "' is a ", c.type,
                                                " VC; give the domain's launch VC (its launch is what is revoked)"));
  }
  return std::vector<std::string>{"--subject", StrCat("cti:", HexEncode(c.cti)), "--host", c.issuer, "--domain",
                                  c.domain_uuid, "--evidence", HexEncode(vc->Digest().bytes())};
}

}  // namespace

int RevokeCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, WithLedgerAccessFlags({"reason", "ledger", "genesis", "key", "cosign"}), {"help"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->Has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const auto& pos = flags->positional();
  if (pos.size() != 2 || (pos[0] != "host" && pos[0] != "credential")) {
    return Usage("revoke takes 'host DID' or 'credential cti:HEX|LAUNCH_VC.cbor'");
  }
  for (const char* required : {"reason", "ledger", "genesis", "key"}) {
    if (!flags->Get(required) || flags->Get(required)->empty()) return Usage(StrCat("--", required, " is required"));
  }
  auto fields = RevokeFields(pos[0], pos[1]);
  if (!fields.ok()) {
    std::fprintf(stderr, "vouch: %s\n", fields.error().message().c_str());
    return 1;
  }
  std::vector<std::string> append = {"append", *flags->Get("ledger"), "--genesis", *flags->Get("genesis"),
                                     "--key", *flags->Get("key"), "revoke", "--reason", *flags->Get("reason")};
  append.insert(append.end(), fields->begin(), fields->end());
  for (const std::string& cosigner : flags->GetAll("cosign")) {
    append.insert(append.end(), {"--cosign", cosigner});
  }
  for (const std::string& access : kLedgerAccessFlags) {
    for (const std::string& value : flags->GetAll(access)) append.insert(append.end(), {"--" + access, value});
  }
  return LedgerCommand(append);
}

}  // namespace vouch::cli
