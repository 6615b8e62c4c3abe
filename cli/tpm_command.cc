// vouch tpm eventlog: a firmware event log, parsed and replayed.
#include "tpm_command.h"

#include <cstdio>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/measure/event_log.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch tpm eventlog FILE [--json]\n"
    "\n"
    "  eventlog FILE   parse a firmware event log (binary_bios_measurements) and replay it;\n"
    "                  --json prints only the replayed PCRs:\n"
    "                  {\"pcrs\": {\"sha256\": {\"0\": \"<hex>\", ...}, ...}}\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "vouch tpm: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "vouch: %s\n", message.c_str());
  return 1;
}

// TCG PC Client PFP event type names.
std::string EventTypeName(uint32_t type) {
  switch (type) {
    case 0x00000000: return "EV_PREBOOT_CERT";
    case 0x00000001: return "EV_POST_CODE";
    case 0x00000002: return "EV_UNUSED";
    case 0x00000003: return "EV_NO_ACTION";
    case 0x00000004: return "EV_SEPARATOR";
    case 0x00000005: return "EV_ACTION";
    case 0x00000006: return "EV_EVENT_TAG";
    case 0x00000007: return "EV_S_CRTM_CONTENTS";
    case 0x00000008: return "EV_S_CRTM_VERSION";
    case 0x00000009: return "EV_CPU_MICROCODE";
    case 0x0000000a: return "EV_PLATFORM_CONFIG_FLAGS";
    case 0x0000000b: return "EV_TABLE_OF_DEVICES";
    case 0x0000000c: return "EV_COMPACT_HASH";
    case 0x0000000d: return "EV_IPL";
    case 0x0000000e: return "EV_IPL_PARTITION_DATA";
    case 0x0000000f: return "EV_NONHOST_CODE";
    case 0x00000010: return "EV_NONHOST_CONFIG";
    case 0x00000011: return "EV_NONHOST_INFO";
    case 0x00000012: return "EV_OMIT_BOOT_DEVICE_EVENTS";
    case 0x80000001: return "EV_EFI_VARIABLE_DRIVER_CONFIG";
    case 0x80000002: return "EV_EFI_VARIABLE_BOOT";
    case 0x80000003: return "EV_EFI_BOOT_SERVICES_APPLICATION";
    case 0x80000004: return "EV_EFI_BOOT_SERVICES_DRIVER";
    case 0x80000005: return "EV_EFI_RUNTIME_SERVICES_DRIVER";
    case 0x80000006: return "EV_EFI_GPT_EVENT";
    case 0x80000007: return "EV_EFI_ACTION";
    case 0x80000008: return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
    case 0x80000009: return "EV_EFI_HANDOFF_TABLES";
    case 0x8000000a: return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
    case 0x8000000b: return "EV_EFI_HANDOFF_TABLES2";
    case 0x8000000c: return "EV_EFI_VARIABLE_BOOT2";
    case 0x80000010: return "EV_EFI_HCRTM_EVENT";
    case 0x800000e0: return "EV_EFI_VARIABLE_AUTHORITY";
    case 0x800000e1: return "EV_EFI_SPDM_FIRMWARE_BLOB";
    case 0x800000e2: return "EV_EFI_SPDM_FIRMWARE_CONFIG";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "0x%08x", type);
      return buf;
    }
  }
}

std::string AlgName(uint16_t alg) {
  std::string name = EventLogAlgorithmName(alg);
  if (!name.empty()) return name;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "alg-0x%04x", alg);
  return buf;
}

// The banks some event extends or names (as tpm2_eventlog prints them: a
// bank the Spec ID event lists but no event carries is left out), in
// TPM_ALG_ID order (sha1, sha256, sha384, sha512).
std::vector<std::string> BankOrder(const PcrBanks& banks) {
  std::vector<std::string> order;
  for (uint16_t alg : {kEventLogSha1, kEventLogSha256, kEventLogSha384, kEventLogSha512}) {
    std::string name = EventLogAlgorithmName(alg);
    auto it = banks.find(name);
    if (it != banks.end() && !it->second.empty()) order.push_back(name);
  }
  return order;
}

std::string Json(const PcrBanks& banks) {
  std::string out = "{\"pcrs\": {";
  bool first_bank = true;
  for (const std::string& bank : BankOrder(banks)) {
    out += StrCat(first_bank ? "" : ", ", "\"", bank, "\": {");
    first_bank = false;
    bool first_pcr = true;
    for (const auto& [pcr, value] : banks.at(bank)) {  // std::map: numeric order
      out += StrCat(first_pcr ? "" : ", ", "\"", pcr, "\": \"", HexEncode(value), "\"");
      first_pcr = false;
    }
    out += "}";
  }
  out += "}}";
  return out;
}

void PrintListing(const EventLog& log, const PcrBanks& banks) {
  std::printf("format: %s\n",
              log.format == EventLogFormat::kCryptoAgile ? "crypto agile (Spec ID Event03)" : "SHA-1");
  std::string algs;
  for (const auto& a : log.algorithms) {
    algs += StrCat(algs.empty() ? "" : ", ", AlgName(a.alg), " (", a.digest_size, " bytes)");
  }
  std::printf("algorithms: %s\n", algs.c_str());
  if (log.pcr0_locality != 0) std::printf("PCR 0 locality: %u\n", unsigned{log.pcr0_locality});
  std::printf("events: %zu\n", log.events.size());
  for (const auto& e : log.events) {
    std::printf("event %zu (offset %zu): PCR %u %s, %zu bytes of data\n", e.number, e.offset, e.pcr,
                EventTypeName(e.type).c_str(), e.data.size());
    for (const auto& d : e.digests) {
      std::printf("    %-7s %s\n", AlgName(d.alg).c_str(), HexEncode(d.digest).c_str());
    }
  }
  std::printf("replayed PCRs:\n");
  for (const std::string& bank : BankOrder(banks)) {
    std::printf("  %s:\n", bank.c_str());
    for (const auto& [pcr, value] : banks.at(bank)) {
      std::printf("    %2u: %s\n", pcr, HexEncode(value).c_str());
    }
  }
}

int EventLogCommand(const std::vector<std::string>& args) {
  std::string file;
  bool json = false;
  for (const std::string& a : args) {
    if (a == "--json") {
      json = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.rfind("--", 0) == 0) {
      return Usage(StrCat("unknown option '", a, "'"));
    } else if (file.empty()) {
      file = a;
    } else {
      return Usage(StrCat("unexpected argument '", a, "'"));
    }
  }
  if (file.empty()) return Usage("eventlog needs FILE");
  auto bytes = ReadFile(file);
  if (!bytes.ok()) return Fail(bytes.error().message());
  auto log = ParseEventLog(*bytes);
  if (!log.ok()) return Fail(StrCat("'", file, "' is not a valid event log: ", log.error().message()));
  auto banks = ReplayEventLog(*log);
  if (!banks.ok()) return Fail(banks.error().message());
  if (json) {
    std::printf("%s\n", Json(*banks).c_str());
  } else {
    PrintListing(*log, *banks);
  }
  return 0;
}

}  // namespace

int TpmCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("missing command");
  if (args[0] == "-h" || args[0] == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "eventlog") return EventLogCommand(rest);
  return Usage(StrCat("unknown command '", args[0], "'"));
}

}  // namespace vouch::cli
