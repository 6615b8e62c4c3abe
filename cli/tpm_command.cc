// vouch tpm pcrs / quote / verify-quote / eventlog: the host's TPM evidence
// for operators and auditors (DESIGN §5).
#include "command_exit.h"
#include "tpm_command.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pcr_list.h"
#include "vouch/core/boot_reference.h"
#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/flags.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/event_log.h"
#include "vouch/measure/quote.h"
#include "vouch/measure/quote_verify.h"
#include "vouch/measure/tpm.h"
#include "vouch/measure/tpm_facts.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch tpm pcrs [--tcti T] [--pcrs LIST] [--json]\n"
    "       vouch tpm quote [--tcti T] --ak-dir D [--pcrs LIST] --nonce HEX --out FILE\n"
    "       vouch tpm verify-quote FILE (--ak-public F | --ak-dir D) --nonce HEX\n"
    "                              [--pcr-ref FILE] [--expect-pcr I=HEX]...\n"
    "       vouch tpm eventlog FILE [--json]\n"
    "\n"
    "  pcrs           print the SHA-256 bank of the TPM (LIST default 0-23); --json prints\n"
    "                 {\"pcrs\": {\"sha256\": {\"0\": \"<hex>\", ...}}}\n"
    "  quote          quote the SHA-256 PCRs in LIST (default 0-7) with the AK in D\n"
    "                 (ak.pub + ak.priv, as 'vouch host init' writes DIR/ak), extraData =\n"
    "                 the nonce bytes (1-64), and write the quote file FILE\n"
    "  verify-quote   check a quote file without a TPM: signature by the given AK\n"
    "                 (--ak-public: TPM2B_PUBLIC as hex text or raw bytes; --ak-dir: D/ak.pub;\n"
    "                 the AK inside the file is never trusted), extraData = nonce, PCR digest;\n"
    "                 then every PCR of --pcr-ref (a 'pcrs --json' or 'eventlog --json'\n"
    "                 output, its sha256 bank) and of --expect-pcr; prints clock,\n"
    "                 resetCount, restartCount and the PCRs\n"
    "  eventlog FILE  parse a firmware event log (binary_bios_measurements) and replay it;\n"
    "                 --json prints only the replayed PCRs:\n"
    "                 {\"pcrs\": {\"sha256\": {\"0\": \"<hex>\", ...}, ...}}\n"
    "\n"
    "  T defaults to device:/dev/tpmrm0 (also swtpm:host=H,port=P, mssim:...).\n"
    "  LIST: PCR indices 0-23 as 0,1,7 or ranges 0-7 or both (0-7,16).\n"
    "\n"
    "quote file: one deterministic CBOR map, every key required, no others:\n"
    "  {\"format\": \"vouch-tpm-quote\", \"version\": 1, \"quote\": bstr (TPMS_ATTEST),\n"
    "   \"sig\": bstr (TPMT_SIGNATURE), \"pcrs\": {uint: bstr} (SHA-256 values),\n"
    "   \"ak\": bstr (signer's TPM2B_PUBLIC, informational)}\n";

constexpr const char* kDefaultTcti = "device:/dev/tpmrm0";
constexpr const char* kQuoteFormat = "vouch-tpm-quote";
constexpr uint64_t kQuoteFormatVersion = 1;
constexpr size_t kPcrValueSize = 32;  // SHA-256 bank

int Usage(const std::string& problem) { return UsageError("vouch tpm", problem, {kUsage}); }

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
  auto flags = Flags::Parse(args, {}, {"json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("eventlog takes one FILE");
  const std::string& file = flags->positional()[0];
  const bool json = flags->Has("json");
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

// ---- shared helpers ----


// The nonce of --nonce: 1 … kMaxQuoteExtraData bytes of hex.
Result<Bytes> ParseNonce(const std::string& hex) {
  auto nonce = HexDecode(hex);
  if (!nonce.ok()) return Error(Code::kInvalidArgument, StrCat("--nonce: ", nonce.error().message()));
  if (nonce->empty() || nonce->size() > kMaxQuoteExtraData) {
    return Error(Code::kInvalidArgument, StrCat("--nonce: expected 1 to ", kMaxQuoteExtraData,
                                                " bytes of hex, got ", nonce->size()));
  }
  return nonce;
}

std::string PcrsJson(const std::map<uint32_t, Bytes>& pcrs) {
  std::string out = "{\"pcrs\": {\"sha256\": {";
  bool first = true;
  for (const auto& [pcr, value] : pcrs) {
    out += StrCat(first ? "" : ", ", "\"", pcr, "\": \"", HexEncode(value), "\"");
    first = false;
  }
  return out + "}}}";
}

void PrintPcrs(const std::map<uint32_t, Bytes>& pcrs) {
  std::printf("sha256:\n");
  for (const auto& [pcr, value] : pcrs) std::printf("  %2u: %s\n", pcr, HexEncode(value).c_str());
}

// Parses flags; on a usage problem prints it with the usage text and
// returns nullopt (the caller returns 2).
std::optional<Flags> ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& value_flags,
                                const std::set<std::string>& bool_flags, size_t positional) {
  auto flags = Flags::Parse(args, value_flags, bool_flags);
  if (!flags.ok()) {
    Usage(flags.error().message());
    return std::nullopt;
  }
  if (flags->positional().size() != positional) {
    Usage(positional == 0 ? StrCat("unexpected argument '", flags->positional()[0], "'")
                          : StrCat("expected ", positional, " FILE argument, got ", flags->positional().size()));
    return std::nullopt;
  }
  return std::move(*flags);
}

// ---- the quote file ----

Bytes EncodeQuoteFile(const TpmQuote& quote, const AkPublic& ak) {
  cbor::MapEntries pcrs;
  for (const auto& [pcr, value] : quote.pcr_values) pcrs.emplace_back(cbor::Value(uint64_t{pcr}), cbor::Value(value));
  return cbor::Encode(cbor::Value::Map({
      {"format", kQuoteFormat},
      {"version", kQuoteFormatVersion},
      {"quote", quote.attest},
      {"sig", quote.signature},
      {"pcrs", cbor::Value::Map(std::move(pcrs))},
      {"ak", ak.bytes()},
  }));
}

struct QuoteFile {
  TpmQuote quote;
  Bytes ak;  // TPM2B_PUBLIC as the file claims it
};

// kMalformed, one sentence per problem, naming the key.
Result<QuoteFile> DecodeQuoteFile(ByteView data) {
  VOUCH_ASSIGN_OR_RETURN(cbor::Value v, cbor::Decode(data));
  if (!v.is_map()) return Error(Code::kMalformed, "expected a CBOR map");
  static const std::set<std::string> kKeys = {"format", "version", "quote", "sig", "pcrs", "ak"};
  for (const auto& [key, value] : v.map()) {
    if (!key.is_text() || !kKeys.count(key.text())) {
      return Error(Code::kMalformed, StrCat("unexpected key ", key.ToDiagnostic()));
    }
  }
  auto field = [&](const char* key) -> Result<const cbor::Value*> {
    const cbor::Value* f = v.Find(key);
    if (f == nullptr) return Error(Code::kMalformed, StrCat("missing key \"", key, "\""));
    return f;
  };
  VOUCH_ASSIGN_OR_RETURN(const cbor::Value* format, field("format"));
  if (!format->is_text() || format->text() != kQuoteFormat) {
    return Error(Code::kMalformed, StrCat("\"format\" is ", format->ToDiagnostic(), ", expected \"", kQuoteFormat, "\""));
  }
  VOUCH_ASSIGN_OR_RETURN(const cbor::Value* version, field("version"));
  if (!version->is_unsigned() || version->uint_value() != kQuoteFormatVersion) {
    return Error(Code::kMalformed, StrCat("\"version\" is ", version->ToDiagnostic(), ", expected ", kQuoteFormatVersion));
  }
  QuoteFile out;
  for (auto [key, dest] : {std::pair{"quote", &out.quote.attest}, std::pair{"sig", &out.quote.signature},
                           std::pair{"ak", &out.ak}}) {
    VOUCH_ASSIGN_OR_RETURN(const cbor::Value* f, field(key));
    if (!f->is_bytes()) return Error(Code::kMalformed, StrCat("\"", key, "\" is not a byte string"));
    *dest = f->bytes();
  }
  VOUCH_ASSIGN_OR_RETURN(const cbor::Value* pcrs, field("pcrs"));
  if (!pcrs->is_map() || pcrs->map().empty()) return Error(Code::kMalformed, "\"pcrs\" is not a non-empty map");
  for (const auto& [key, value] : pcrs->map()) {
    if (!key.is_unsigned() || key.uint_value() >= kTpmPcrCount) {
      return Error(Code::kMalformed, StrCat("\"pcrs\" key ", key.ToDiagnostic(), " is not a PCR index 0-",
                                            kTpmPcrCount - 1));
    }
    if (!value.is_bytes() || value.bytes().size() != kPcrValueSize) {
      return Error(Code::kMalformed, StrCat("\"pcrs\" value of PCR ", key.uint_value(), " is not ", kPcrValueSize,
                                            " bytes"));
    }
    out.quote.pcr_values[static_cast<uint32_t>(key.uint_value())] = value.bytes();
  }
  return out;
}

// Tpm::Open with tpm2-tss's own logging off (unless TSS2_LOG is set): its
// ERROR lines would break the one-line refusal; the Status says what failed.
Result<std::unique_ptr<Tpm>> OpenTpm(const Flags& flags) {
  ::setenv("TSS2_LOG", "all+NONE", /*overwrite=*/0);
  return Tpm::Open(flags.GetOr("tcti", kDefaultTcti));
}

// ---- pcrs ----

int PcrsCommand(const std::vector<std::string>& args) {
  auto flags = ParseFlags(args, {"tcti", "pcrs"}, {"json"}, 0);
  if (!flags) return 2;
  auto pcrs = ParsePcrList(flags->GetOr("pcrs", "0-23"));
  if (!pcrs.ok()) return Usage(pcrs.error().message());
  auto tpm = OpenTpm(*flags);
  if (!tpm.ok()) return Fail(tpm.error().message());
  auto values = (*tpm)->ReadPcrs(*pcrs);
  if (!values.ok()) return Fail(values.error().message());
  if (flags->Has("json")) {
    std::printf("%s\n", PcrsJson(*values).c_str());
  } else {
    PrintPcrs(*values);
  }
  return 0;
}

// ---- quote ----

int QuoteCommand(const std::vector<std::string>& args) {
  auto flags = ParseFlags(args, {"tcti", "ak-dir", "pcrs", "nonce", "out"}, {}, 0);
  if (!flags) return 2;
  for (const char* required : {"ak-dir", "nonce", "out"}) {
    if (!flags->Has(required)) return Usage(StrCat("quote needs --", required));
  }
  auto pcrs = ParsePcrList(flags->GetOr("pcrs", "0-7"));
  if (!pcrs.ok()) return Usage(pcrs.error().message());
  auto nonce = ParseNonce(*flags->Get("nonce"));
  if (!nonce.ok()) return Usage(nonce.error().message());
  std::string out = *flags->Get("out");

  auto ak = Ak::Load(*flags->Get("ak-dir"));
  if (!ak.ok()) return Fail(ak.error().message());
  auto tpm = OpenTpm(*flags);
  if (!tpm.ok()) return Fail(tpm.error().message());
  auto quote = (*tpm)->Quote(*ak, *pcrs, *nonce);
  if (!quote.ok()) return Fail(quote.error().message());
  Status written = WriteFile(out, EncodeQuoteFile(*quote, ak->public_area()), 0644);
  if (!written.ok()) return Fail(written.error().message());
  std::printf("wrote quote of %zu PCRs by AK %s to %s\n", quote->pcr_values.size(),
              HexEncode(ak->name()).c_str(), out.c_str());
  return 0;
}

// ---- verify-quote ----

// --ak-public FILE: hex text (as `vouch host init` prints ak_public) or the
// raw TPM2B_PUBLIC (tpm2-tools' ak.pub; it starts with a size byte < 0x10,
// never a hex digit).
Result<AkPublic> LoadAkPublicFile(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  std::string text(data.begin(), data.end());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  bool hex = !text.empty() &&
             std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (hex) {
    auto decoded = HexDecode(text);
    if (!decoded.ok()) return decoded.error().WithContext(StrCat("AK public '", path, "'"));
    data = std::move(*decoded);
  }
  auto ak = AkPublic::Parse(data);
  if (!ak.ok()) return ak.error().WithContext(StrCat("AK public '", path, "'"));
  return ak;
}

// --pcr-ref FILE: {"pcrs": {"sha256": {"<index>": "<hex>", …}, …}}.
Result<std::map<uint32_t, Bytes>> LoadPcrReference(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  auto bad = [&](const std::string& why) {
    return Error(Code::kMalformed, StrCat("PCR reference '", path, "': ", why));
  };
  nlohmann::json j = nlohmann::json::parse(data.begin(), data.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("not JSON");
  if (!j.is_object() || !j.contains("pcrs") || !j["pcrs"].is_object() || !j["pcrs"].contains("sha256") ||
      !j["pcrs"]["sha256"].is_object()) {
    return bad("expected {\"pcrs\": {\"sha256\": {\"<index>\": \"<hex>\", ...}}}");
  }
  std::map<uint32_t, Bytes> out;
  for (const auto& [key, value] : j["pcrs"]["sha256"].items()) {
    std::optional<uint32_t> index = ParsePcrIndex(key);
    if (!index) {
      return bad(StrCat("key '", key, "' is not a PCR index 0-", kTpmPcrCount - 1));
    }
    auto bytes = value.is_string() ? HexDecode(value.get<std::string>()) : Result<Bytes>(Error(Code::kMalformed, ""));
    if (!bytes.ok() || bytes->size() != kPcrValueSize) {
      return bad(StrCat("PCR ", key, " is not ", kPcrValueSize, " bytes of hex"));
    }
    out[*index] = std::move(*bytes);
  }
  if (out.empty()) return bad("the sha256 bank lists no PCRs");
  return out;
}

// --expect-pcr I=HEX.
Result<std::pair<uint32_t, Bytes>> ParseExpectPcr(const std::string& text) {
  size_t eq = text.find('=');
  auto bad = Error(Code::kInvalidArgument,
                   StrCat("--expect-pcr '", text, "': expected I=HEX (PCR 0-", kTpmPcrCount - 1, ", 32 bytes)"));
  if (eq == std::string::npos) return bad;
  std::string index_text = text.substr(0, eq);
  std::optional<uint32_t> index = ParsePcrIndex(index_text);
  if (!index) return bad;
  std::string hex = text.substr(eq + 1);
  if (hex.rfind("0x", 0) == 0 || hex.rfind("0X", 0) == 0) hex = hex.substr(2);
  auto value = HexDecode(hex);
  if (!value.ok() || value->size() != kPcrValueSize) return bad;
  return std::pair{*index, std::move(*value)};
}

int VerifyQuoteCommand(const std::vector<std::string>& args) {
  auto flags = ParseFlags(args, {"ak-public", "ak-dir", "nonce", "pcr-ref", "expect-pcr"}, {}, 1);
  if (!flags) return 2;
  const std::string file = flags->positional()[0];
  if (flags->Has("ak-public") == flags->Has("ak-dir")) {
    return Usage("verify-quote needs exactly one of --ak-public and --ak-dir (the AK you trust)");
  }
  if (!flags->Has("nonce")) return Usage("verify-quote needs --nonce");
  auto nonce = ParseNonce(*flags->Get("nonce"));
  if (!nonce.ok()) return Usage(nonce.error().message());
  // Expected values: the reference file first, then --expect-pcr (which wins).
  std::map<uint32_t, std::pair<Bytes, std::string>> expected;  // index → value, source
  std::map<uint32_t, Bytes> cli_expected;
  for (const std::string& e : flags->GetAll("expect-pcr")) {
    auto pair = ParseExpectPcr(e);
    if (!pair.ok()) return Usage(pair.error().message());
    if (cli_expected.count(pair->first)) return Usage(StrCat("--expect-pcr names PCR ", pair->first, " twice"));
    cli_expected.insert(std::move(*pair));
  }
  if (auto ref_path = flags->Get("pcr-ref")) {
    auto ref = LoadPcrReference(*ref_path);
    if (!ref.ok()) return Fail(ref.error().message());
    for (auto& [pcr, value] : *ref) expected[pcr] = {std::move(value), StrCat("reference '", *ref_path, "'")};
  }
  for (auto& [pcr, value] : cli_expected) expected[pcr] = {std::move(value), "--expect-pcr"};

  Result<AkPublic> ak = flags->Has("ak-public")
                            ? LoadAkPublicFile(*flags->Get("ak-public"))
                            : [&]() -> Result<AkPublic> {
                                std::string path = StrCat(*flags->Get("ak-dir"), "/", kAkPublicFile);
                                VOUCH_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path));
                                auto parsed = AkPublic::Parse(bytes);
                                if (!parsed.ok()) return parsed.error().WithContext(StrCat("AK public '", path, "'"));
                                return parsed;
                              }();
  if (!ak.ok()) return Fail(ak.error().message());

  auto data = ReadFile(file);
  if (!data.ok()) return Fail(data.error().message());
  auto qf = DecodeQuoteFile(*data);
  if (!qf.ok()) return Fail(StrCat("'", file, "' is not a vouch quote file: ", qf.error().message()));
  auto verified = VerifyQuote(*ak, qf->quote, *nonce);
  if (!verified.ok()) {
    std::string hint;
    if (qf->ak != ak->bytes()) {
      auto named = AkPublic::Parse(qf->ak);
      hint = StrCat(" (the file says it was signed by another AK",
                    named.ok() ? StrCat(", name ", HexEncode(named->name())) : std::string(), ")");
    }
    return Fail(StrCat("quote '", file, "' refused: ", verified.error().message(), hint));
  }
  std::vector<std::string> mismatches;
  for (const auto& [pcr, want] : expected) {
    auto it = qf->quote.pcr_values.find(pcr);
    if (it == qf->quote.pcr_values.end()) {
      mismatches.push_back(StrCat("PCR ", pcr, " is in the ", want.second, " but not in the quote"));
    } else if (it->second != want.first) {
      mismatches.push_back(StrCat("PCR ", pcr, " differs from the ", want.second, ": expected ",
                                  HexEncode(want.first), ", quoted ", HexEncode(it->second)));
    }
  }
  if (!mismatches.empty()) {
    std::string joined;
    for (const std::string& m : mismatches) joined += StrCat(joined.empty() ? "" : "; ", m);
    return Fail(StrCat("quote '", file, "' refused: ", joined));
  }
  std::printf("quote: ok, signed by AK %s over nonce %s\n", HexEncode(ak->name()).c_str(),
              HexEncode(*nonce).c_str());
  std::printf("clock: %llu\n", static_cast<unsigned long long>(verified->clock));
  std::printf("resetCount: %u\n", verified->reset_count);
  std::printf("restartCount: %u\n", verified->restart_count);
  std::printf("safe: %s\n", verified->safe ? "yes" : "no");
  std::printf("firmware: %s\n", FormatTpmFirmwareVersion(verified->firmware_version).c_str());
  if (!expected.empty()) std::printf("expected PCRs: %zu match\n", expected.size());
  PrintPcrs(qf->quote.pcr_values);
  return 0;
}

}  // namespace

int TpmCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("missing command");
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "pcrs") return PcrsCommand(rest);
  if (args[0] == "quote") return QuoteCommand(rest);
  if (args[0] == "verify-quote") return VerifyQuoteCommand(rest);
  if (args[0] == "eventlog") return EventLogCommand(rest);
  return Usage(StrCat("unknown command '", args[0], "'"));
}

}  // namespace vouch::cli
