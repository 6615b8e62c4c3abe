// vouch policy explain: how a platform class judges a host's firmware event
// log, event by event — the rule that accepted each, or why none did — the
// same judgement a validator makes (measure/boot_appraisal.h).
#include <nlohmann/json.hpp>
#include <cstdio>

#include "command_exit.h"
#include "commands.h"
#include "ledger_command.h"
#include "ledger_pin.h"
#include "pcr_list.h"
#include "vouch/core/boot_reference.h"
#include "vouch/core/flags.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/measure/event_log.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch policy explain --from-eventlog FILE (--class CLASS... --ledger LOCATOR --genesis HEX\n"
    "                            | --fragment FILE...) [--pcrs LIST (the quoted PCRs, default 0-7)] [--json]\n"
    "  explain: judge the event log FILE (a host's binary_bios_measurements) as a validator would:\n"
    "  by each platform class CLASS as the ledger holds it now, or by the fragments in the files\n"
    "  ('vouch reference propose' wrote them) taken as one class; one line per event (the\n"
    "  fragment whose rule accepted it, not governed, or why no rule did), then the refusals.\n"
    "  Exit 0 when some class accepts the log, 1 when none does.\n";

int Usage(const std::string& problem) { return UsageError("vouch policy", problem, {kUsage}); }

std::string Short(const Bytes& digest) {
  return digest.empty() ? "none" : HexEncode(ByteView(digest).first(8)) + "…";
}

void PrintVerdicts(const PlatformClass& cls, const BootAppraisal& judged) {
  std::printf("platform class %s (%zu fragments): %s\n", cls.name.c_str(), cls.fragments.size(),
              judged.accepted() ? "accepted" : "refused");
  for (const EventVerdict& v : judged.events) {
    std::string what = StrCat("event ", v.number, ": PCR ", v.pcr, " ", EventTypeName(v.type),
                              v.variable.empty() ? "" : StrCat(" ", v.variable), " sha256 ", Short(v.sha256));
    std::string verdict = !v.governed            ? "not governed"
                          : !v.fragment.empty() ? StrCat("accepted by ", v.fragment)
                                                : StrCat("REFUSED: ", v.why);
    std::printf("  %s: %s\n", what.c_str(), verdict.c_str());
  }
  for (const std::string& r : judged.refusals) std::printf("  refused: %s\n", r.c_str());
}

nlohmann::json VerdictsJson(const PlatformClass& cls, const BootAppraisal& judged) {
  nlohmann::json events = nlohmann::json::array();
  for (const EventVerdict& v : judged.events) {
    nlohmann::json e = {{"number", v.number}, {"pcr", v.pcr}, {"type", EventTypeName(v.type)},
                        {"sha256", HexEncode(v.sha256)}, {"governed", v.governed}};
    if (!v.variable.empty()) e["variable"] = v.variable;
    if (v.governed) e[v.fragment.empty() ? "refused" : "accepted_by"] = v.fragment.empty() ? v.why : v.fragment;
    events.push_back(std::move(e));
  }
  return {{"class", cls.name}, {"accepted", judged.accepted()}, {"events", events}, {"refusals", judged.refusals}};
}

Result<std::vector<PlatformClass>> ClassesOf(const Flags& f) {
  std::vector<PlatformClass> out;
  if (f.Has("fragment")) {
    PlatformClass cls{"(fragments)", {}};
    for (const std::string& path : f.GetAll("fragment")) {
      VOUCH_ASSIGN_OR_RETURN(BootReference fragment, ReadBootReferenceFile(path));
      if (cls.fragments.empty()) cls.name = fragment.platform_class;
      cls.fragments.push_back(std::move(fragment));
    }
    out.push_back(std::move(cls));
    return out;
  }
  VOUCH_ASSIGN_OR_RETURN(std::string locator, f.Require("ledger"));
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(f, ""));
  VOUCH_ASSIGN_OR_RETURN(auto client, ledger::LedgerClient::Open(locator, options));
  for (const std::string& name : f.GetAll("class")) {
    VOUCH_RETURN_IF_ERROR(CheckPlatformClassName(name, "--class"));
    out.push_back(client->state().FindPlatformClass(name));
  }
  return out;
}

int Explain(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, WithLedgerAccessFlags({"from-eventlog", "class", "ledger", "genesis", "fragment", "pcrs"}),
                            {"json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (!flags->positional().empty()) return Usage("explain takes no positional arguments");
  if (!flags->Has("from-eventlog")) return Usage("explain needs --from-eventlog FILE");
  if (flags->Has("fragment") == (flags->Has("class") || flags->Has("ledger"))) {
    return Usage("explain takes --class CLASS... with --ledger LOCATOR, or --fragment FILE...");
  }
  if (flags->Has("ledger") != flags->Has("class")) return Usage("--class and --ledger go together");
  auto pcrs = ParsePcrList(flags->GetOr("pcrs", "0-7"));
  if (!pcrs.ok()) return Usage(pcrs.error().message());
  const std::string log_path = *flags->Get("from-eventlog");
  auto bytes = ReadFile(log_path);
  if (!bytes.ok()) return Fail(bytes.error().message());
  auto log = ParseEventLog(*bytes);
  if (!log.ok()) return Fail(StrCat("'", log_path, "' is not a valid event log: ", log.error().message()));
  auto classes = ClassesOf(*flags);
  if (!classes.ok()) return Fail(classes.error().message());
  bool accepted = false;
  nlohmann::json list = nlohmann::json::array();
  for (const PlatformClass& cls : *classes) {
    BootAppraisal judged = AppraiseBootLog(*log, cls, *pcrs);
    accepted = accepted || judged.accepted();
    if (flags->Has("json")) {
      list.push_back(VerdictsJson(cls, judged));
    } else {
      PrintVerdicts(cls, judged);
    }
  }
  if (flags->Has("json")) std::printf("%s\n", nlohmann::json{{"classes", list}, {"accepted", accepted}}.dump(2).c_str());
  return accepted ? 0 : 1;
}

}  // namespace

int PolicyCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("policy takes explain");
  if (AsksForHelp(args)) return PrintUsage({kUsage, kLedgerAccessUsage});
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "explain") return Explain(rest);
  return Usage(StrCat("unknown policy command '", args[0], "'"));
}

}  // namespace vouch::cli
