// vouch reference propose|show|list: boot reference values for platform
// classes (DESIGN §3 "Boot references", §6). An operator proposes a fragment
// from a known-good boot's event log; governance puts it on the ledger
// (`vouch ledger draft … reference --fragment FILE`, cosign, submit).
#include <algorithm>
#include <cstdio>
#include <optional>

#include "command_exit.h"
#include "boot_reference_text.h"
#include "commands.h"
#include "ledger_command.h"
#include "ledger_pin.h"
#include "pcr_list.h"
#include "staged_file.h"
#include "vouch/core/boot_reference.h"
#include "vouch/core/cbor.h"
#include "vouch/core/flags.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/measure/event_log.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch reference <command> …\n"
    "  propose --from-eventlog FILE --class CLASS --name NAME [--pcrs LIST] --out FILE [--force] [--json]\n"
    "          [--ledger LOCATOR --genesis HEX [ledger access flags]]\n"
    "      a fragment of platform class CLASS that allows exactly the events FILE (a TCG event log,\n"
    "      binary_bios_measurements of a known-good boot) holds on LIST (default: every PCR it\n"
    "      extends): one rule per kind of event (PCR, type, EFI variable), each required, EFI\n"
    "      variable events by the digest of their data; written as CBOR to --out (not replaced\n"
    "      unless --force), for 'vouch ledger draft LOCATOR reference --fragment FILE'; with --ledger,\n"
    "      what it changes in the class as the ledger holds it: each value no fragment allows yet\n"
    "      (+), and each value the fragment of the same name allowed that this one drops (-)\n"
    "  show FILE [--json]\n"
    "      the fragment in FILE, one line per rule\n"
    "  list LOCATOR --genesis HEX [--class CLASS] [--json] [ledger access flags]\n"
    "      the platform classes the ledger holds now (as 'vouch ledger show LOCATOR --references')\n"
    "  (CLASS and NAME: 1..64 of a-z 0-9 . _ -, starting with a letter or digit)\n";

int Usage(const std::string& problem) { return UsageError("vouch reference", problem, {kUsage}); }

Result<BootReference> ReadFragment(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path));
  auto value = cbor::Decode(bytes);
  if (!value.ok()) return value.error().WithContext(StrCat("'", path, "'"));
  auto fragment = BootReferenceFromCbor(*value);
  if (!fragment.ok()) return fragment.error().WithContext(StrCat("'", path, "'"));
  return fragment;
}

Result<PlatformClass> ClassOnLedger(const Flags& f, const std::string& name) {
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(f, ""));
  VOUCH_ASSIGN_OR_RETURN(auto client, ledger::LedgerClient::Open(*f.Get("ledger"), options));
  return client->state().FindPlatformClass(name);
}

bool SameKind(const BootRule& a, const BootRule& b) {
  return a.pcr == b.pcr && a.event_type == b.event_type && a.vendor == b.vendor && a.variable == b.variable;
}

bool Lists(const BootRule& rule, const Bytes& value) {
  return std::find(rule.sha256.begin(), rule.sha256.end(), value) != rule.sha256.end();
}

// What `proposed` changes in `current`: its values no fragment of the class
// allows yet (+), and the values the fragment it replaces (same name)
// allowed that it no longer does (-).
void PrintChanges(const PlatformClass& current, const BootReference& proposed) {
  std::printf("against platform class %s as the ledger holds it (%zu fragments):\n", current.name.c_str(),
              current.fragments.size());
  size_t changes = 0;
  for (const BootRule& rule : proposed.rules) {
    for (const Bytes& value : rule.sha256) {
      bool allowed = false;
      for (const BootReference& f : current.fragments) {
        for (const BootRule& r : f.rules) allowed = allowed || (SameKind(r, rule) && Lists(r, value));
      }
      if (allowed) continue;
      ++changes;
      std::printf("  + %s %s\n", BootRuleKind(rule).c_str(), HexEncode(value).c_str());
    }
  }
  for (const BootReference& f : current.fragments) {
    if (f.name != proposed.name) continue;
    for (const BootRule& r : f.rules) {
      for (const Bytes& value : r.sha256) {
        bool kept = false;
        for (const BootRule& rule : proposed.rules) kept = kept || (SameKind(r, rule) && Lists(rule, value));
        if (kept) continue;
        ++changes;
        std::printf("  - %s %s (fragment %s allowed it)\n", BootRuleKind(r).c_str(), HexEncode(value).c_str(),
                    f.name.c_str());
      }
    }
  }
  if (changes == 0) std::printf("  no change: the class allows all of it already\n");
}

int Propose(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, WithLedgerAccessFlags({"from-eventlog", "class", "name", "pcrs", "out", "ledger", "genesis"}),
                            {"force", "json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (!flags->positional().empty()) return Usage("propose takes no positional arguments");
  for (const char* required : {"from-eventlog", "class", "name", "out"}) {
    if (!flags->Has(required)) return Usage(StrCat("propose needs --", required));
  }
  std::vector<uint32_t> pcrs;
  if (flags->Has("pcrs")) {
    auto parsed = ParsePcrList(*flags->Get("pcrs"));
    if (!parsed.ok()) return Usage(parsed.error().message());
    pcrs = *parsed;
  }
  const std::string log_path = *flags->Get("from-eventlog");
  auto bytes = ReadFile(log_path);
  if (!bytes.ok()) return Fail(bytes.error().message());
  auto log = ParseEventLog(*bytes);
  if (!log.ok()) return Fail(StrCat("'", log_path, "' is not a valid event log: ", log.error().message()));
  auto fragment = ProposeBootReference(*log, *flags->Get("class"), *flags->Get("name"), pcrs);
  if (!fragment.ok()) return Fail(StrCat("'", log_path, "': ", fragment.error().message()));

  std::optional<PlatformClass> current;
  if (flags->Has("ledger")) {
    auto cls = ClassOnLedger(*flags, fragment->platform_class);
    if (!cls.ok()) return Fail(cls.error().message());
    current = std::move(*cls);
  }
  const std::string out = *flags->Get("out");
  auto staged = StagedFile::Create(out);
  if (!staged.ok()) return Fail(staged.error().message());
  Status written = staged->Write(cbor::Encode(BootReferenceToCbor(*fragment)), 0644);
  if (written.ok()) written = staged->Commit(flags->Has("force"));
  if (!written.ok()) return Fail(written.error().message());
  if (flags->Has("json")) {
    std::printf("%s\n", BootReferenceJson(*fragment).dump(2).c_str());
  } else {
    PrintBootReference(*fragment);
    if (current) PrintChanges(*current, *fragment);
    std::printf("wrote %s; governance puts it on the ledger with 'vouch ledger draft LOCATOR reference "
                "--fragment %s --key KEY.pem --out DRAFT', 'vouch ledger cosign DRAFT', 'vouch ledger submit'\n",
                out.c_str(), out.c_str());
  }
  return 0;
}

int Show(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {}, {"json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("show takes one FILE");
  auto fragment = ReadFragment(flags->positional()[0]);
  if (!fragment.ok()) return Fail(fragment.error().message());
  if (flags->Has("json")) {
    std::printf("%s\n", BootReferenceJson(*fragment).dump(2).c_str());
  } else {
    PrintBootReference(*fragment);
  }
  return 0;
}

}  // namespace

Result<BootReference> ReadBootReferenceFile(const std::string& path) { return ReadFragment(path); }

int ReferenceCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("reference takes propose, show or list");
  if (AsksForHelp(args)) return PrintUsage({kUsage, kLedgerAccessUsage});
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "propose") return Propose(rest);
  if (args[0] == "show") return Show(rest);
  if (args[0] == "list") {
    std::vector<std::string> show = {"show"};
    show.insert(show.end(), rest.begin(), rest.end());
    show.push_back("--references");
    return LedgerCommand(show);
  }
  return Usage(StrCat("unknown reference command '", args[0], "'"));
}

}  // namespace vouch::cli
