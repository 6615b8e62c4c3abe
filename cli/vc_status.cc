#include "command_exit.h"
#include "vc_status.h"

#include <cstdio>
#include <ctime>
#include <memory>

#include "ledger_pin.h"
#include "vouch/core/did_key.h"
#include "vouch/core/jcs.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/revocation_list.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch vc status-list --ledger LOCATOR --genesis HEX --key VALIDATOR.pem [--out F] [--at TIME]\n"
    "  the ledger's revocations (launch credentials and DIDs) as a W3C BitstringStatusListCredential\n"
    "  (id urn:vouch:status:revocation, 131072 bits, valid 10 minutes from --at or now), signed\n"
    "  (eddsa-jcs-2022) with KEY, an admitted, unrevoked validator's; what vouchd serves at\n"
    "  GET /v1/status/revocation. JSON on stdout or in F.\n";

int Usage(const std::string& problem) { return UsageError("vouch", problem, {kUsage, kLedgerAccessUsage}); }

Result<std::unique_ptr<ledger::LedgerClient>> OpenLedger(const Flags& flags) {
  VOUCH_ASSIGN_OR_RETURN(std::string locator, flags.Require("ledger"));
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(flags, ""));
  return ledger::LedgerClient::Open(locator, options);
}

Result<std::string> SignedList(const Flags& flags) {
  VOUCH_ASSIGN_OR_RETURN(std::string key_path, flags.Require("key"));
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::LoadPem(key_path));
  int64_t at = static_cast<int64_t>(std::time(nullptr));
  if (auto text = flags.Get("at")) {
    auto parsed = w3c::ParseDateTime(*text);
    if (!parsed.ok()) return parsed.error().WithContext("--at");
    at = *parsed;
  }
  VOUCH_ASSIGN_OR_RETURN(auto client, OpenLedger(flags));
  const std::string did = DidKey::FromPublicKey(key.public_key()).did();
  if (!client->state().IsActiveValidator(did)) {
    return Error(Code::kInvalidArgument, StrCat("key '", key_path, "' is not an admitted, unrevoked validator's (",
                                                did, "): a status list is a validator's statement"));
  }
  VOUCH_ASSIGN_OR_RETURN(nlohmann::json list, w3c::SignRevocationList(client->state().RevokedSubjects(), key, at));
  return list.dump(2) + "\n";
}

}  // namespace

std::set<std::string> VcStatusFlags() { return WithLedgerAccessFlags({"status", "ledger", "genesis"}); }

int VcStatusListCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage, kLedgerAccessUsage});
  auto flags = Flags::Parse(args, WithLedgerAccessFlags({"ledger", "genesis", "key", "out", "at"}));
  if (!flags.ok()) return Usage(flags.error().message());
  if (!flags->positional().empty()) return Usage("vc status-list takes no positional arguments");
  for (const char* required : {"ledger", "genesis", "key"}) {
    if (!flags->Has(required)) return Usage(StrCat("vc status-list needs --", required));
  }
  auto text = SignedList(*flags);
  if (!text.ok()) return Fail(text.error().message());
  if (auto out = flags->Get("out")) {
    Status written = WriteFile(*out, AsBytes(*text));
    if (!written.ok()) return Fail(written.error().message());
    return 0;
  }
  std::fputs(text->c_str(), stdout);
  return 0;
}

Result<std::string> CheckStatusFlag(const nlohmann::json& credential, const Flags& flags, int64_t now) {
  const std::string path = *flags.Get("status");
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  auto json = ParseJsonStrict(ToString(data));
  if (!json.ok()) return Error(Code::kMalformed, StrCat("status list '", path, "' is not JSON: ", json.error().message()));
  auto list = w3c::CheckRevocationList(*json, now);
  if (!list.ok()) return list.error().WithContext(StrCat("status list '", path, "'"));
  std::string trust = "its issuer not checked against a ledger (give --ledger)";
  if (flags.Has("ledger")) {
    VOUCH_ASSIGN_OR_RETURN(auto client, OpenLedger(flags));
    if (!client->state().IsActiveValidator(list->issuer)) {
      return Error(Code::kBadSignature, StrCat("status list '", path, "' is signed by '", list->issuer,
                                               "', which is not an admitted, unrevoked validator on the ledger"));
    }
    trust = "its issuer an admitted validator on the ledger";
  }
  VOUCH_RETURN_IF_ERROR(w3c::CheckCredentialStatus(credential, *list));
  return StrCat("status: not revoked in the list of ", list->issuer, " (valid until ", list->valid_until, "; ",
                trust, ")");
}

}  // namespace vouch::cli
