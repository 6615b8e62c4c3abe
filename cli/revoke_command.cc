// vouch revoke host|credential and vouch reinstate (DESIGN §2 "Revoke",
// "Quarantine"): the ledger's revocation verbs, stated the way an operator
// or governance thinks of them, appended by `vouch ledger append` (one code
// path for the entry, its signatures and the report of whether it took
// effect):
//   revoke host DID          a host: every validator refuses its next attest
//                            and re-attest, every agent on it applies on_drift;
//   revoke credential cti:HEX|FILE  a launch credential; given as an endorsed
//                            launch VC (the audit store's <uuid>-<cti>.cbor) it
//                            also names its host and domain, so the revocation
//                            quarantines that host for that domain;
//   reinstate DID UUID|FILE  lifts that quarantine.
// Who may revoke: the host itself (its own DID, at once), governance (--key
// plus --cosign up to admit_quorum, at once), the domain's owner (its own
// launch, given with --policy: the proof that the launch is its domain's; at
// once), or an admitted validator (a report, effective at revoke_quorum);
// reinstate: the owner the quarantine names, or governance at admit_quorum.
// The ledger's rules decide; a refusal is one line naming the rule.
#include <cstdio>
#include <optional>
#include <set>

#include "commands.h"
#include "ledger_command.h"
#include "ledger_pin.h"
#include "vouch/core/did_key.h"
#include "vouch/core/flags.h"
#include "vouch/core/host_vc.h"
#include "vouch/ledger/entry_body.h"

namespace vouch::cli {
namespace {

constexpr const char* kRevokeUsage =
    "usage: vouch revoke host DID --reason TEXT --ledger LOCATOR --genesis HEX --key KEY.pem [--cosign KEY.pem]...\n"
    "       vouch revoke credential (cti:HEX | LAUNCH_VC.cbor) --reason TEXT --ledger LOCATOR --genesis HEX\n"
    "                    --key KEY.pem [--cosign KEY.pem]...\n"
    "       vouch revoke credential LAUNCH_VC.cbor --policy BUNDLE --reason TEXT --ledger LOCATOR --genesis HEX\n"
    "                    --key OWNER_KEY.pem\n"
    "  revokes a host, or one launch credential of a protected domain (given as the endorsed launch VC\n"
    "  it also quarantines that host for that domain); KEY is the host's own key, a governance key\n"
    "  (with --cosign for admit_quorum in all) or a validator's (a report, effective at revoke_quorum);\n"
    "  the domain's owner revokes its own launch with its key and --policy (the bundle `vouch seal`\n"
    "  wrote, or its policy), which proves the launch is its domain's; the owner may then reinstate;\n"
    "  --ledger-append validators: through a validator (an owner or host whose etcd access only reads)\n";

constexpr const char* kReinstateUsage =
    "usage: vouch reinstate (HOST_DID DOMAIN_UUID | LAUNCH_VC.cbor) --reason TEXT --ledger LOCATOR --genesis HEX\n"
    "                       --key KEY.pem [--cosign KEY.pem]...\n"
    "  lifts the quarantine of a host for a domain (given as the revoked launch VC: its host and domain),\n"
    "  so the host may launch the domain again; KEY is the domain owner's key (the owner the quarantine\n"
    "  names: `vouch status`), or KEY and the --cosign keys are governance keys, admit_quorum in all\n"
    "  (the revoked launch stays revoked); --ledger-append validators: through a validator (an owner)\n";

int Usage(const char* usage, const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "vouch: %s\n", problem.c_str());
  std::fputs(usage, stderr);
  return 2;
}

// The endorsed launch VC in `path`, read for `what`.
Result<HostVc> ReadLaunchVc(const std::string& path, const std::string& what) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error().WithContext(StrCat(what, " '", path, "'"));
  auto vc = HostVc::Parse(*bytes);
  if (!vc.ok()) return vc.error().WithContext(StrCat(what, " '", path, "' (a launch VC file)"));
  if (vc->claims().type != "launch") {
    return Error(Code::kInvalidArgument, StrCat(what, " '", path, "' is a ", vc->claims().type,
                                                " VC; give the domain's launch VC"));
  }
  return vc;
}

// The revoke fields for `what` ("host" or "credential") and its argument;
// `policy` (an owner's bundle or policy file) makes it the owner's revoke.
Result<std::vector<std::string>> RevokeFields(const std::string& what, const std::string& target,
                                              const std::optional<std::string>& policy) {
  if (policy && (what != "credential" || target.rfind("cti:", 0) == 0)) {
    return Error(Code::kInvalidArgument,
                 "--policy is for an owner revoking a launch, given as its launch VC file (not a host or a cti:)");
  }
  if (what == "host") {
    if (auto did = DidKey::Parse(target); !did.ok()) {
      return Error(Code::kInvalidArgument, StrCat("host '", target, "' is not a did:key (", did.error().message(), ")"));
    }
    return std::vector<std::string>{"--subject", target};
  }
  if (ledger::IsCtiSubject(target)) return std::vector<std::string>{"--subject", target};
  if (target.rfind("cti:", 0) == 0) {
    return Error(Code::kInvalidArgument, StrCat("credential '", target, "' must be cti: and 32 lower-case hex digits"));
  }
  VOUCH_ASSIGN_OR_RETURN(HostVc vc, ReadLaunchVc(target, "credential"));
  const HostVcClaims& c = vc.claims();
  std::vector<std::string> fields = {"--subject", StrCat("cti:", HexEncode(c.cti)), "--host", c.issuer, "--domain",
                                     c.domain_uuid, "--evidence", HexEncode(vc.Digest().bytes())};
  if (policy) fields.insert(fields.end(), {"--launch-vc", target, "--policy", *policy});
  return fields;
}

// The reinstate fields for `targets`: HOST_DID DOMAIN_UUID, or a launch VC.
Result<std::vector<std::string>> ReinstateFields(const std::vector<std::string>& targets) {
  if (targets.size() == 1) {
    VOUCH_ASSIGN_OR_RETURN(HostVc vc, ReadLaunchVc(targets[0], "launch VC"));
    return std::vector<std::string>{"--host", vc.claims().issuer, "--domain", vc.claims().domain_uuid};
  }
  if (auto did = DidKey::Parse(targets[0]); !did.ok()) {
    return Error(Code::kInvalidArgument,
                 StrCat("host '", targets[0], "' is not a did:key (", did.error().message(), ")"));
  }
  return std::vector<std::string>{"--host", targets[0], "--domain", targets[1]};
}

// `vouch ledger append … TYPE --reason R FIELDS` with the common flags.
int AppendEntry(const Flags& flags, const std::string& type, const std::vector<std::string>& fields) {
  std::vector<std::string> append = {"append", *flags.Get("ledger"), "--genesis", *flags.Get("genesis"),
                                     "--key",  *flags.Get("key"),    type,        "--reason",
                                     *flags.Get("reason")};
  append.insert(append.end(), fields.begin(), fields.end());
  for (const std::string& cosigner : flags.GetAll("cosign")) append.insert(append.end(), {"--cosign", cosigner});
  if (auto via = flags.Get("ledger-append")) append.insert(append.end(), {"--ledger-append", *via});
  for (const std::string& access : kLedgerAccessFlags) {
    for (const std::string& value : flags.GetAll(access)) append.insert(append.end(), {"--" + access, value});
  }
  return LedgerCommand(append);
}

// The parsed flags of `args` with the common ones required; nullopt after
// printing usage (`*exit` holds the exit code).
std::optional<Flags> ParseCommon(const std::vector<std::string>& args, const char* usage, int* exit,
                                 std::set<std::string> own_flags = {}) {
  own_flags.insert({"reason", "ledger", "genesis", "key", "cosign", "ledger-append"});
  auto flags = Flags::Parse(args, WithLedgerAccessFlags(own_flags), {"help"});
  if (!flags.ok()) {
    *exit = Usage(usage, flags.error().message());
    return std::nullopt;
  }
  if (flags->Has("help")) {
    std::fputs(usage, stdout);
    *exit = 0;
    return std::nullopt;
  }
  for (const char* required : {"reason", "ledger", "genesis", "key"}) {
    if (!flags->Get(required) || flags->Get(required)->empty()) {
      *exit = Usage(usage, StrCat("--", required, " is required"));
      return std::nullopt;
    }
  }
  return std::move(*flags);
}

}  // namespace

int RevokeCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kRevokeUsage});
  int exit = 0;
  std::optional<Flags> flags = ParseCommon(args, kRevokeUsage, &exit, {"policy"});
  if (!flags) return exit;
  const auto& pos = flags->positional();
  if (pos.size() != 2 || (pos[0] != "host" && pos[0] != "credential")) {
    return Usage(kRevokeUsage, "revoke takes 'host DID' or 'credential cti:HEX|LAUNCH_VC.cbor'");
  }
  auto fields = RevokeFields(pos[0], pos[1], flags->Get("policy"));
  if (!fields.ok()) {
    std::fprintf(stderr, "vouch: %s\n", fields.error().message().c_str());
    return 1;
  }
  return AppendEntry(*flags, "revoke", *fields);
}

int ReinstateCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kReinstateUsage});
  int exit = 0;
  std::optional<Flags> flags = ParseCommon(args, kReinstateUsage, &exit);
  if (!flags) return exit;
  const auto& pos = flags->positional();
  if (pos.size() != 1 && pos.size() != 2) {
    return Usage(kReinstateUsage, "reinstate takes 'HOST_DID DOMAIN_UUID' or 'LAUNCH_VC.cbor'");
  }
  auto fields = ReinstateFields(pos);
  if (!fields.ok()) {
    std::fprintf(stderr, "vouch: %s\n", fields.error().message().c_str());
    return 1;
  }
  return AppendEntry(*flags, "reinstate", *fields);
}

}  // namespace vouch::cli
