// vouch vc export|verify: the W3C VC 2.0 form of host VCs, secured with Data
// Integrity eddsa-jcs-2022 proofs or as application/vc+cose (DESIGN §3
// "JSON forms (W3C)").
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>

#include "command_exit.h"
#include "commands.h"
#include "ledger_pin.h"
#include "vc_status.h"
#include "vouch/core/flags.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/cose_credential_check.h"
#include "vouch/w3c/credential_check.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/endorsed_credential.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch vc export FILE --format di-jcs|vc+cose [--out F]\n"
    "       vouch vc verify FILE [--json] [--at TIME] [--status LIST.json [--ledger LOCATOR --genesis HEX]]\n"
    "       vouch vc status-list --ledger LOCATOR --genesis HEX --key VALIDATOR.pem [--out F] [--at TIME]\n"
    "  export: the W3C VC 2.0 form of a host VC or endorsed VC (the CBOR 'vouch verify' reads),\n"
    "          secured with the Data Integrity eddsa-jcs-2022 proofs its signers made: the host's\n"
    "          and each validator's, chained to the host's (previousProof). Nothing is signed\n"
    "          here; a VC whose host made no such proof has no W3C form. JSON on stdout or in F.\n"
    "          vc+cose: the host's COSE_Sign1 over the same JSON (JCS), with each validator's\n"
    "          RFC 9338 countersignature on it in label 11; CBOR bytes on stdout or in F.\n"
    "  verify: checks a Data Integrity VC 2.0 (eddsa-jcs-2022, did:key): every proof on its own,\n"
    "          the chain (a proof not by the issuer must name the issuer's in previousProof), for\n"
    "          a vouch host credential the CBOR VC it embeds (its signature, and that the JSON is\n"
    "          exactly its rendering), and validFrom/validUntil against now (--at: an XML\n"
    "          dateTimeStamp instead). Exit 0 when all hold, 1 otherwise. --json: one JSON object\n"
    "          {\"file\", \"id\", \"issuer\", \"valid_from\", \"valid_until\", \"proofs\": [{\"verification_method\",\n"
    "           \"id\", \"previous_proof\", \"ok\", \"error\"}], \"host_vc\", \"status\", \"verified\", \"error\"}\n"
    "          A CBOR FILE is read as vc+cose: the issuer's COSE_Sign1 signature (a did:key issuer),\n"
    "          each countersignature (by the did:key in its kid), the JSON payload's VC 2.0 rules,\n"
    "          the embedded CBOR VC and the validity window as above. --json: {\"file\", \"format\":\n"
    "          \"vc+cose\", \"id\", \"issuer\", \"valid_from\", \"valid_until\", \"signature\": {\"signer\",\n"
    "          \"ok\", \"error\"}, \"countersignatures\": [{\"signer\", \"ok\", \"error\"}], \"host_vc\",\n"
    "          \"status\", \"verified\", \"error\"}\n"
    "          --status: also checks the credential's credentialStatus against a revocation status list\n"
    "          (its proof, its dates, with --ledger that its issuer is a validator there) and refuses\n"
    "          a revoked credential, naming the entry (launch or host) that is set. A list is one\n"
    "          validator's statement; vouch's own releases read the ledger.\n"
    "  status-list: the ledger's revocations as a W3C Bitstring Status List credential signed by a\n"
    "          validator's KEY (what vouchd serves at GET /v1/status/revocation).\n";

int Usage(const std::string& problem) { return UsageError("vouch", problem, {kUsage, kLedgerAccessUsage}); }

int ExportVcCose(const HostVc& vc, const std::string& path, const std::optional<std::string>& out) {
  auto exported = w3c::ExportVcCose(vc);
  if (!exported.ok()) return Fail(StrCat("'", path, "': ", exported.error().message()));
  if (out.has_value()) {
    Status written = WriteFile(*out, *exported);
    if (!written.ok()) return Fail(written.error().message());
    return 0;
  }
  if (std::fwrite(exported->data(), 1, exported->size(), stdout) != exported->size()) {
    return Fail("cannot write the vc+cose to stdout");
  }
  return 0;
}

int Export(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {"format", "out"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("vc export takes one FILE");
  const std::string format = flags->GetOr("format", "");
  if (format != "di-jcs" && format != "vc+cose") {
    return Usage(format.empty() ? "vc export needs --format di-jcs or vc+cose"
                                : StrCat("unknown --format '", format, "' (vouch exports di-jcs and vc+cose)"));
  }
  const std::string& path = flags->positional()[0];
  auto data = ReadFile(path);
  if (!data.ok()) return Fail(data.error().message());
  auto vc = HostVc::Parse(*data);
  if (!vc.ok()) return Fail(StrCat("'", path, "' is not a valid host VC: ", vc.error().message()));
  if (format == "vc+cose") return ExportVcCose(*vc, path, flags->Get("out"));
  auto exported = w3c::ExportDataIntegrity(*vc);
  if (!exported.ok()) return Fail(StrCat("'", path, "': ", exported.error().message()));
  const std::string text = exported->dump(2) + "\n";
  if (auto out = flags->Get("out")) {
    Status written = WriteFile(*out, AsBytes(text));
    if (!written.ok()) return Fail(written.error().message());
    return 0;
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

nlohmann::json ToJson(const std::string& path, const w3c::CredentialCheck& check) {
  nlohmann::json proofs = nlohmann::json::array();
  for (const w3c::ProofCheck& p : check.proofs) {
    nlohmann::json j = {{"verification_method", p.verification_method},
                        {"id", p.id},
                        {"previous_proof", p.previous_proof},
                        {"ok", p.status.ok()}};
    if (!p.status.ok()) j["error"] = p.status.error().message();
    proofs.push_back(std::move(j));
  }
  nlohmann::json out = {{"file", path},
                        {"id", check.id},
                        {"issuer", check.issuer},
                        {"valid_from", check.valid_from},
                        {"valid_until", check.valid_until},
                        {"proofs", proofs},
                        {"host_vc", check.host_vc.has_value()},
                        {"verified", check.status.ok()}};
  if (!check.status.ok()) out["error"] = check.status.error().message();
  return out;
}

void PrintText(const w3c::CredentialCheck& check) {
  std::printf("credential %s issued by %s\n", check.id.empty() ? "(no id)" : check.id.c_str(),
              check.issuer.c_str());
  std::printf("  valid from %s until %s\n", check.valid_from.empty() ? "-" : check.valid_from.c_str(),
              check.valid_until.empty() ? "-" : check.valid_until.c_str());
  size_t good = 0;
  for (const w3c::ProofCheck& p : check.proofs) {
    std::string link = p.previous_proof.empty() ? "" : StrCat(" chained to ", p.previous_proof[0]);
    if (p.status.ok()) {
      ++good;
      std::printf("  proof by %s%s: ok\n", p.verification_method.c_str(), link.c_str());
    } else {
      std::printf("  proof by %s%s: FAILED: %s\n", p.verification_method.c_str(), link.c_str(),
                  p.status.error().message().c_str());
    }
  }
  if (check.host_vc.has_value()) {
    std::printf("  embedded host VC (%s, domain %s): signature ok, the JSON is its rendering\n",
                check.host_vc->claims().type.c_str(), check.host_vc->claims().domain_uuid.c_str());
  }
  std::printf("%zu of %zu proofs verify\n", good, check.proofs.size());
}

nlohmann::json ToJson(const w3c::CoseSignatureCheck& check) {
  nlohmann::json j = {{"signer", check.signer}, {"ok", check.status.ok()}};
  if (!check.status.ok()) j["error"] = check.status.error().message();
  return j;
}

nlohmann::json ToJson(const std::string& path, const w3c::CoseCredentialCheck& check) {
  nlohmann::json countersignatures = nlohmann::json::array();
  for (const w3c::CoseSignatureCheck& c : check.countersignatures) countersignatures.push_back(ToJson(c));
  nlohmann::json out = {{"file", path},
                        {"format", "vc+cose"},
                        {"id", check.id},
                        {"issuer", check.issuer},
                        {"valid_from", check.valid_from},
                        {"valid_until", check.valid_until},
                        {"signature", ToJson(check.signature)},
                        {"countersignatures", countersignatures},
                        {"host_vc", check.host_vc.has_value()},
                        {"verified", check.status.ok()}};
  if (!check.status.ok()) out["error"] = check.status.error().message();
  return out;
}

void PrintSignature(const char* what, const w3c::CoseSignatureCheck& check) {
  const std::string signer = check.signer.empty() ? "(unreadable kid)" : check.signer;
  if (check.status.ok()) {
    std::printf("  %s by %s: ok\n", what, signer.c_str());
  } else {
    std::printf("  %s by %s: FAILED: %s\n", what, signer.c_str(), check.status.error().message().c_str());
  }
}

void PrintText(const w3c::CoseCredentialCheck& check) {
  std::printf("vc+cose credential %s issued by %s\n", check.id.empty() ? "(no id)" : check.id.c_str(),
              check.issuer.c_str());
  std::printf("  valid from %s until %s\n", check.valid_from.empty() ? "-" : check.valid_from.c_str(),
              check.valid_until.empty() ? "-" : check.valid_until.c_str());
  PrintSignature("signature", check.signature);
  size_t good = 0;
  for (const w3c::CoseSignatureCheck& c : check.countersignatures) {
    if (c.status.ok()) ++good;
    PrintSignature("countersignature", c);
  }
  if (check.host_vc.has_value()) {
    std::printf("  embedded host VC (%s, domain %s): signature ok, the JSON is its rendering\n",
                check.host_vc->claims().type.c_str(), check.host_vc->claims().domain_uuid.c_str());
  }
  std::printf("signature %s, %zu of %zu countersignatures verify\n", check.signature.status.ok() ? "ok" : "FAILED",
              good, check.countersignatures.size());
}

// A file that does not start (after white space) with '{' is read as CBOR.
bool LooksLikeJson(const Bytes& data) {
  for (uint8_t b : data) {
    if (b == ' ' || b == '\t' || b == '\n' || b == '\r') continue;
    return b == '{' || b == 0xef;  // 0xef: a UTF-8 byte order mark
  }
  return true;
}

// Prints the check of either form (text, or --json) with the --status
// line, which is checked only once the signatures held (a refusal becomes
// the check's status); the exit status.
template <typename Check>
int Report(const std::string& path, Check& check, const nlohmann::json& credential, const Flags& flags,
           int64_t now) {
  std::string status;
  if (flags.Has("status") && check.status.ok()) {
    Result<std::string> line = CheckStatusFlag(credential, flags, now);
    if (line.ok()) {
      status = *line;
    } else {
      check.status = line.error();
    }
  }
  if (flags.Has("json")) {
    nlohmann::json out = ToJson(path, check);
    if (!status.empty()) out["status"] = status;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintText(check);
    if (!status.empty()) std::printf("%s\n", status.c_str());
  }
  if (!check.status.ok()) return Fail(StrCat("'", path, "': ", check.status.error().message()));
  return 0;
}

int Verify(const std::vector<std::string>& args) {
  std::set<std::string> value_flags = VcStatusFlags();
  value_flags.insert("at");
  auto flags = Flags::Parse(args, value_flags, {"json"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("vc verify takes one FILE");
  if (flags->Has("ledger") && !flags->Has("status")) return Usage("--ledger is for --status");
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (auto at = flags->Get("at")) {
    auto parsed = w3c::ParseDateTime(*at);
    if (!parsed.ok()) return Usage(StrCat("--at: ", parsed.error().message()));
    now = *parsed;
  }
  const std::string& path = flags->positional()[0];
  auto data = ReadFile(path);
  if (!data.ok()) return Fail(data.error().message());
  if (!LooksLikeJson(*data)) {
    auto check = w3c::CheckCoseCredential(*data, now);
    if (!check.ok()) return Fail(StrCat("'", path, "' is not a vc+cose VC: ", check.error().message()));
    return Report(path, *check, check->credential, *flags, now);
  }
  auto json = ParseJsonStrict(ToString(*data));
  if (!json.ok()) return Fail(StrCat("'", path, "' is not JSON: ", json.error().message()));
  auto check = w3c::CheckCredential(*json, now);
  if (!check.ok()) return Fail(StrCat("'", path, "' is not a Data Integrity VC: ", check.error().message()));
  return Report(path, *check, *json, *flags, now);
}

}  // namespace

int VcCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("vc takes export, verify or status-list");
  if (AsksForHelp(args)) return PrintUsage({kUsage, kLedgerAccessUsage});
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "export") return Export(rest);
  if (args[0] == "verify") return Verify(rest);
  if (args[0] == "status-list") return VcStatusListCommand(rest);
  return Usage(StrCat("unknown vc command '", args[0], "'"));
}

}  // namespace vouch::cli
