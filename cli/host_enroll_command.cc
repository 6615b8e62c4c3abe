// vouch host register / vouch host enroll (DESIGN §2 "Register", host side):
// the host's DID document on the ledger, then its AK certified by the
// validators through TPM2_ActivateCredential.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "ledger_pin.h"
#include "vouch/core/did_key.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/flags.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/ledger_submitter.h"
#include "vouch/host/validator_client.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/ek_certificate.h"
#include "vouch/measure/tpm.h"

namespace vouch::cli {
namespace {

constexpr const char* kRegisterUsage =
    "usage: vouch host register [--config /etc/vouch/hook.conf] [--ledger LOCATOR --genesis HEX] [--dir DIR]\n"
    "                           [--tcti TCTI] [--fact NAME=VALUE]... [--no-ek-cert] [--ledger-append VIA]\n"
    "  appends the host's DID document (did-register: its AK public area, the TPM's EK\n"
    "  certificate read from NV, the TPM's manufacturer and firmware, and the given facts),\n"
    "  signed by the host key. Validators appraise the host only once its AK is certified:\n"
    "  run 'vouch host enroll' next. VIA: direct, validators (the ledger's active ones) or\n"
    "  http://HOST:PORT[,...]; the default is direct for sqlite://, validators for etcd[s]://\n"
    "  (a host's etcd user only reads: a validator appends for it, POST /v1/ledger/append).\n";

constexpr const char* kEnrollUsage =
    "usage: vouch host enroll [--config /etc/vouch/hook.conf] [--ledger LOCATOR --genesis HEX] [--dir DIR]\n"
    "                         [--tcti TCTI] [--timeout DURATION (1ms..10m, default 5s)]\n"
    "  asks every active validator on the ledger to certify the host's AK: each checks the\n"
    "  registered EK certificate against the trusted TPM CAs and makes a credential for the\n"
    "  AK under that EK; the TPM activates it (proving AK and EK live in one TPM) and the\n"
    "  validator appends its certification. Prints one line per validator; exits 0 once the\n"
    "  host is certified (certify_quorum validators), 1 otherwise. --timeout bounds each\n"
    "  validator call (DURATION: 500ms, 30s, 5m; a bare number is seconds).\n";

constexpr const char* kConfigUsage =
    "  The ledger, its genesis, its access, the TPM, the host key and the AK come from\n"
    "  hook.conf (--config, else /etc/vouch/hook.conf if it exists); flags override it.\n"
    "  --dir DIR: DIR/host.key and DIR/ak instead of hook.conf's host_key and ak_dir.\n";

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where the host's key, AK and ledger head file are.
struct HostPaths {
  std::string key, ak_dir, head_file;
};

// Fills the flags the command line left out from hook.conf (--config, else
// the default one when it exists) and says where the host's files are.
Result<HostPaths> ApplyHookConfig(Flags& f) {
  host::HookConfig config;
  if (auto path = f.Get("config")) {
    VOUCH_ASSIGN_OR_RETURN(config, host::LoadHookConfig(*path));
  } else {
    VOUCH_ASSIGN_OR_RETURN(config, host::LoadHookConfigOrDefaults(host::kDefaultHookConfig));
  }
  if (!config.ledger.empty()) f.SetDefault("ledger", config.ledger);
  if (config.genesis) f.SetDefault("genesis", HexEncode(*config.genesis));
  if (!config.ledger_append.empty()) f.SetDefault("ledger-append", config.ledger_append);
  f.SetDefault("tcti", config.tcti);
  for (const std::string& name : kLedgerAccessFlags) {
    const std::string& value = *ledger::LedgerAccessField(config.ledger_access, name.substr(7));
    if (!value.empty()) f.SetDefault(name, value);
  }
  if (auto dir = f.Get("dir")) return HostPaths{*dir + "/host.key", *dir + "/ak", *dir + "/ledger-head"};
  std::string key_dir = config.host_key.substr(0, config.host_key.rfind('/') + 1);
  return HostPaths{config.host_key, config.ak_dir, key_dir + "ledger-head"};
}

struct HostFiles {
  Ed25519PrivateKey key;
  std::string did;
  Ak ak;
};

Result<HostFiles> LoadHost(const HostPaths& paths) {
  auto key = Ed25519PrivateKey::LoadPem(paths.key);
  if (!key.ok()) return key.error().WithContext(StrCat("host key '", paths.key, "' (run 'vouch host init' first)"));
  VOUCH_ASSIGN_OR_RETURN(Ak ak, Ak::Load(paths.ak_dir));
  std::string did = DidKey::FromPublicKey(key->public_key()).did();
  return HostFiles{std::move(key).value(), std::move(did), std::move(ak)};
}

// The ledger, pinned to --genesis, with the host's head file.
Result<std::unique_ptr<ledger::LedgerClient>> OpenLedgerClient(const Flags& f, const std::string& locator,
                                                               const HostPaths& paths) {
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(f, paths.head_file));
  return ledger::LedgerClient::Open(locator, options);
}

Status Register(Flags& f) {
  VOUCH_ASSIGN_OR_RETURN(HostPaths paths, ApplyHookConfig(f));
  VOUCH_ASSIGN_OR_RETURN(std::string locator, f.Require("ledger"));
  VOUCH_ASSIGN_OR_RETURN(HostFiles host, LoadHost(paths));
  VOUCH_ASSIGN_OR_RETURN(auto tpm, Tpm::Open(*f.Get("tcti")));

  ledger::DidRegisterBody body;
  body.did = host.did;
  body.ak_public = host.ak.public_area().bytes();
  if (!f.Has("no-ek-cert")) {
    auto ek = tpm->ReadEkCertificate();
    if (!ek.ok()) {
      return ek.error().WithContext(
          "EK certificate (validators need it to certify the AK; --no-ek-cert registers "
          "without one, and then no validator will certify this host)");
    }
    body.ek_cert = std::move(ek).value();
  }
  cbor::MapEntries facts;
  facts.emplace_back("tpm_manufacturer", tpm->facts().manufacturer);
  facts.emplace_back("tpm_firmware", tpm->facts().firmware);
  for (const std::string& fact : f.GetAll("fact")) {
    size_t eq = fact.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error(Code::kInvalidArgument, StrCat("--fact '", fact, "': expected NAME=VALUE"));
    }
    facts.emplace_back(fact.substr(0, eq), fact.substr(eq + 1));
  }
  body.facts = cbor::Value::Map(std::move(facts));

  VOUCH_ASSIGN_OR_RETURN(host::LedgerAppendVia via, host::ParseLedgerAppend(f.GetOr("ledger-append", "")));
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(f, paths.head_file));
  options.submitter = host::LedgerSubmitterFor(via, locator, std::chrono::milliseconds(5000));
  VOUCH_ASSIGN_OR_RETURN(auto client, ledger::LedgerClient::Open(locator, options));
  VOUCH_ASSIGN_OR_RETURN(ledger::Entry entry, client->Append(body, host.key, Now()));
  std::printf("registered %s at ledger entry %llu%s\n", host.did.c_str(),
              static_cast<unsigned long long>(entry.index()),
              body.ek_cert ? " (with its EK certificate)" : " (no EK certificate)");
  return Ok();
}

Status Enroll(Flags& f) {
  VOUCH_ASSIGN_OR_RETURN(std::chrono::milliseconds timeout,
                         f.GetDuration("timeout", std::chrono::seconds(5), std::chrono::milliseconds(1),
                                       std::chrono::minutes(10)));
  VOUCH_ASSIGN_OR_RETURN(HostPaths paths, ApplyHookConfig(f));
  VOUCH_ASSIGN_OR_RETURN(std::string locator, f.Require("ledger"));
  VOUCH_ASSIGN_OR_RETURN(HostFiles host, LoadHost(paths));
  VOUCH_ASSIGN_OR_RETURN(auto client, OpenLedgerClient(f, locator, paths));
  const ledger::DidDocument* doc = client->state().FindHost(host.did);
  if (doc == nullptr) {
    return Error(Code::kUnknownHost, StrCat("host '", host.did,
                                            "' is not on the ledger: run 'vouch host register' first"));
  }
  if (doc->ak_public != host.ak.public_area().bytes()) {
    return Error(Code::kInvalidArgument,
                 StrCat("the AK in '", paths.ak_dir, "' is not the one registered for '", host.did,
                        "' (register the new AK with a did-update first)"));
  }
  if (!doc->ek_cert) {
    return Error(Code::kUncertifiedAk,
                 StrCat("host '", host.did, "' registered no EK certificate, so no validator can certify it"));
  }
  VOUCH_ASSIGN_OR_RETURN(EkCertificate ek, EkCertificate::Parse(*doc->ek_cert));
  VOUCH_ASSIGN_OR_RETURN(auto tpm, Tpm::Open(*f.Get("tcti")));

  std::vector<std::string> refusals;
  size_t asked = 0;
  for (const auto& [did, v] : client->state().validators()) {
    if (!client->state().IsActiveValidator(did)) continue;
    if (doc->certified_by.count(did) != 0) {
      std::printf("already certified by %s (%s)\n", did.c_str(), v.endpoint.c_str());
      continue;
    }
    ++asked;
    host::ValidatorClient vc(v.endpoint, timeout);
    const std::string validator_did = did;  // clang 14 lambdas cannot capture a structured binding
    Status done = [&]() -> Status {
      const int64_t at = Now();
      VOUCH_ASSIGN_OR_RETURN(host::EnrollCredential cred, vc.BeginEnroll(host.key, validator_did, at));
      VOUCH_ASSIGN_OR_RETURN(SecretBytes secret, tpm->ActivateCredential(host.ak, cred.credential,
                                                                         cred.encrypted_secret,
                                                                         ek.key_type()));
      return vc.FinishEnroll(host.key, validator_did, at, secret.Expose());
    }();
    if (done.ok()) {
      std::printf("certified by %s (%s)\n", did.c_str(), v.endpoint.c_str());
    } else {
      std::printf("refused by %s (%s): %s\n", did.c_str(), v.endpoint.c_str(),
                  done.error().message().c_str());
      refusals.push_back(StrCat(v.endpoint, ": ", done.error().message()));
    }
  }
  std::fflush(stdout);
  // The certifications are entries other processes appended: read them.
  VOUCH_RETURN_IF_ERROR(client->Sync());
  doc = client->state().FindHost(host.did);
  uint64_t quorum = client->state().genesis()->certify_quorum;
  if (doc != nullptr && doc->certified) {
    std::printf("host %s is certified (%zu validators, quorum %llu)\n", host.did.c_str(),
                doc->certified_by.size(), static_cast<unsigned long long>(quorum));
    return Ok();
  }
  std::string why;
  for (const std::string& r : refusals) why += (why.empty() ? "" : "; ") + r;
  return Error(Code::kUncertifiedAk,
               StrCat("host '", host.did, "' is not certified: ",
                      doc ? doc->certified_by.size() : 0, " of ", quorum,
                      " certifications", asked == 0 ? " (no active validator to ask)" : "",
                      why.empty() ? "" : StrCat(" (", why, ")")));
}

}  // namespace

int HostRegisterCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kRegisterUsage, kConfigUsage, kLedgerAccessUsage});
  auto flags = Flags::Parse(args,
                            WithLedgerAccessFlags({"config", "ledger", "genesis", "dir", "tcti", "fact", "ledger-append"}),
                            {"no-ek-cert"});
  if (!flags.ok() || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kRegisterUsage, stderr);
    std::fputs(kLedgerAccessUsage, stderr);
    return 2;
  }
  if (Status s = Register(*flags); !s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}

int HostEnrollCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kEnrollUsage, kConfigUsage, kLedgerAccessUsage});
  auto flags = Flags::Parse(args, WithLedgerAccessFlags({"config", "ledger", "genesis", "dir", "tcti", "timeout"}), {},
                            {{"timeout-ms", "timeout", "ms"}});
  if (!flags.ok() || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kEnrollUsage, stderr);
    std::fputs(kLedgerAccessUsage, stderr);
    return 2;
  }
  if (Status s = Enroll(*flags); !s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace vouch::cli
