// vouch ledger init|append|show|verify|watch|did: the ledger from the command line.
#include "command_exit.h"
#include "ledger_command.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "boot_reference_text.h"
#include "utc.h"
#include "vouch/core/bytes.h"
#include "vouch/core/did_key.h"
#include "vouch/core/duration.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/flags.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/ssl_ptr.h"
#include "ledger_pin.h"
#include "vouch/host/ledger_submitter.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/ledger/owner_proof.h"

namespace vouch::cli {
namespace {

using namespace vouch::ledger;  // NOLINT: a command file over one library

constexpr const char* kUsage =
    "usage: vouch ledger <command> LOCATOR [options]\n"
    "  (LOCATOR: sqlite:///ABSOLUTE/PATH.db or etcd[s]://HOST:PORT[,HOST:PORT...][/PREFIX];\n"
    "   every command but init takes --genesis HEX, the digest init printed, and refuses a ledger\n"
    "   whose entry 0 differs; an etcds:// ledger takes --ledger-ca FILE --ledger-cert FILE\n"
    "   --ledger-key FILE --ledger-user NAME --ledger-password-file FILE: TLS and an etcd user,\n"
    "   whose role decides whether it may write)\n"
    "\n"
    "  init LOCATOR --key KEY.pem [--governance DID]... [--tpm-ca CERT]...\n"
    "       [--certify-quorum N] [--admit-quorum N] [--revoke-quorum N] [--single-operator]\n"
    "      create the ledger and write its genesis entry, signed by KEY (a governance key;\n"
    "      its DID is added to the governance list if not named); each quorum defaults to 2\n"
    "      and must be at least 2 unless --single-operator (a lab set-up: one party acts\n"
    "      alone); admit_quorum needs as many governance keys (--governance DID for each other)\n"
    "  append LOCATOR --key KEY.pem TYPE [fields] [--cosign KEY.pem]... [--ledger-append VIA]\n"
    "      (--cosign, alias --countersign: a countersignature by KEY; a governance revoke of another\n"
    "      subject needs admit_quorum governance keys in all, a validator-register them to be admitted;\n"
    "      --ledger-append validators|http://H:P[,…]: through a validator, for a host or owner whose\n"
    "      etcd credentials only read)\n"
    "      did-register       --ak-public FILE [--ek-cert CERT] [--fact NAME=VALUE]...\n"
    "      did-update         --did DID (--certify | --certify-ak HEX)     a validator certifying\n"
    "      did-update         [--ak-public FILE] [--fact NAME=VALUE]...   the DID replacing its own\n"
    "      validator-register --hpke-pk HEX --endpoint URL --operator NAME --region NAME\n"
    "      validator-update   --did DID [--reputation 0..1000] [--endpoint URL] [--hpke-pk HEX]\n"
    "      revoke             --subject DID|cti:HEX --reason TEXT [--evidence HEX]\n"
    "                         [--host DID --domain UUID]  (a launch: also quarantines its host for the domain)\n"
    "                         [--owner DID]  (the domain's owner, who may lift that quarantine)\n"
    "                         [--launch-vc FILE --policy FILE]  (the owner revoking its own launch: KEY is\n"
    "                         the owner key; the proof names owner, host and domain)\n"
    "      attested           --vc-digest HEX --domain NAME [--validator DID]...\n"
    "      checkpoint         [--head N]\n"
    "      reinstate          --host DID --domain UUID --reason TEXT   lift a quarantine (its owner alone,\n"
    "                         or governance, admit_quorum keys in all)\n"
    "      reference          --fragment FILE | --withdraw CLASS/NAME   a platform class's boot reference\n"
    "                         values ('vouch reference propose' writes FILE), or their withdrawal\n"
    "                         (governance, admit_quorum keys in all)\n"
    "  draft LOCATOR --key KEY.pem TYPE [fields] [--cosign KEY.pem]... --out FILE\n"
    "      sign TYPE (as append) as the next entry without appending it, for other parties to cosign\n"
    "  cosign FILE --key KEY.pem\n"
    "      add KEY's countersignature to the draft in FILE (checks the signatures already on it)\n"
    "  submit LOCATOR FILE\n"
    "      append the draft in FILE (refused if its index was taken meanwhile: draft again)\n"
    "  show LOCATOR [--from N] [--to N] | --did DID | --validators | --revocations\n"
    "              | --references [--class CLASS]  [--json]\n"
    "      list entries (one line each), a DID document, the validator registry, revocations or\n"
    "      the platform classes' boot reference fragments in effect (--class: each rule);\n"
    "      --json: one JSON object ({\"size\", \"entries\"}, {\"host\"|\"validator\"}, {\"validators\"},\n"
    "      {\"revocations\"}, {\"references\"})\n"
    "  verify LOCATOR [--checkpoint INDEX:DIGEST_HEX]\n"
    "      verify every entry (from genesis, or fully after a trusted checkpoint)\n"
    "  verify LOCATOR --from-checkpoint N [--trusted-validator DID]... [--min-cosigners K]\n"
    "      pin the entries up to the one checkpoint entry N names by its digest (their signatures\n"
    "      are not checked) and verify every later one fully, N included; refused unless at least K\n"
    "      (default 1) of N's author and cosigners are admitted validators (as the pinned entries\n"
    "      say) and, if --trusted-validator is given, among those DIDs (trust from outside the ledger)\n"
    "  watch LOCATOR [--from N] [--type TYPE] [--count N] [--timeout DURATION]\n"
    "      print one line per verified entry as it arrives (index, type, author, digest; a revoke's\n"
    "      subject, reason and whether it took effect), starting at index N (default: the next\n"
    "      entry), only of TYPE if given; exit 0 after N such entries or once DURATION (500ms, 30s,\n"
    "      5m; a bare number is seconds) has passed (default: never), 1 with \"vouch: ledger entry I:\n"
    "      ...\" when an entry does not verify\n"
    "  did KEY.pem\n"
    "      print the did:key of a PEM Ed25519 private key\n";

int Usage(const std::string& problem) { return UsageError("vouch ledger", problem, {kUsage}); }

// Positional arguments and --name value options (each may repeat).
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> options;

  bool Has(const std::string& name) const { return options.count(name) != 0; }
  std::optional<std::string> One(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second.back();
  }
  std::vector<std::string> All(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? std::vector<std::string>{} : it->second;
  }
};

// Whether `option` takes no value.
bool IsFlag(const std::string& option) {
  return option == "--certify" || option == "--validators" || option == "--revocations" || option == "--references" ||
         option == "--single-operator" || option == "--json";
}

// Parses `args` from `from` on (Flags: CLI11); refuses options not in
// `allowed`, and `renamed` ones with their new spelling. Returns the problem, or "".
std::string Parse(const std::vector<std::string>& args, size_t from, const std::set<std::string>& allowed,
                  Args* out, const std::vector<RenamedDuration>& renamed = {}) {
  // --genesis pins the ledger and --ledger-* reach it, for every command
  // that reads one (OpenClient).
  std::set<std::string> values = {"genesis"}, switches;
  for (const std::string& name : kLedgerAccessFlags) values.insert(name);
  for (const std::string& option : allowed) (IsFlag(option) ? switches : values).insert(option.substr(2));
  auto flags = Flags::Parse({args.begin() + static_cast<std::ptrdiff_t>(from), args.end()}, values, switches, renamed);
  if (!flags.ok()) return flags.error().message();
  out->positional = flags->positional();
  for (const std::string& name : values) {
    if (flags->Has(name)) out->options["--" + name] = flags->GetAll(name);
  }
  for (const std::string& name : switches) {
    if (flags->Has(name)) out->options["--" + name] = {""};
  }
  return "";
}

Result<uint64_t> ParseUint(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Error(Code::kInvalidArgument, StrCat(what, " must be a non-negative integer, got '", text, "'"));
  }
  return std::stoull(text);
}

Result<Bytes> ParseHex(const std::string& text, const std::string& what, size_t exact = 0) {
  auto b = HexDecode(text);
  if (!b.ok()) return Error(Code::kInvalidArgument, StrCat(what, " is not hex: ", b.error().message()));
  if (exact != 0 && b->size() != exact) {
    return Error(Code::kInvalidArgument, StrCat(what, " must be ", exact, " bytes (", 2 * exact,
                                                " hex digits), got ", b->size()));
  }
  return b;
}

// A certificate file in PEM or DER, as DER.
Result<Bytes> ReadCertificate(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  SslPtr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  SslPtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!cert) return data;  // DER (or junk: the entry's reader says which)
  int len = i2d_X509(cert.get(), nullptr);
  if (len <= 0) return Error(Code::kMalformed, StrCat("'", path, "': cannot re-encode the certificate"));
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(cert.get(), &p);
  return der;
}

Result<cbor::Value> Facts(const Args& a) {
  cbor::MapEntries facts;
  std::set<std::string> names;
  for (const std::string& f : a.All("--fact")) {
    size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error(Code::kInvalidArgument, StrCat("--fact '", f, "': expected NAME=VALUE"));
    }
    std::string name = f.substr(0, eq);
    if (!names.insert(name).second) {
      return Error(Code::kInvalidArgument, StrCat("--fact '", name, "' is given twice"));
    }
    facts.emplace_back(name, f.substr(eq + 1));
  }
  return cbor::Value::Map(std::move(facts));
}

Result<std::string> Required(const Args& a, const std::string& name, const std::string& type) {
  auto v = a.One(name);
  if (!v) return Error(Code::kInvalidArgument, StrCat(type, " needs ", name));
  return *v;
}

// Every reader says so on stderr when the genesis lets one party act alone.
void WarnIfSingleOperator(const ChainState& state) {
  if (state.genesis() == nullptr) return;
  if (auto warning = SingleOperatorWarning(*state.genesis())) {
    std::fprintf(stderr, "vouch: warning: %s\n", warning->c_str());
  }
}

// --ledger-ca … --ledger-password-file.
LedgerAccess AccessOf(const Args& a) {
  LedgerAccess access;
  for (const std::string& name : kLedgerAccessFlags) {
    if (auto v = a.One("--" + name)) *LedgerAccessField(access, name.substr(7)) = *v;
  }
  return access;
}

// The ledger, pinned to --genesis when given (DESIGN §6 "Trust anchor").
Result<std::unique_ptr<LedgerClient>> OpenClient(const Args& a, const std::string& locator,
                                                 bool create = false) {
  LedgerOptions options;
  options.create_if_missing = create;
  options.access = AccessOf(a);
  LedgerClientOptions client_options;
  client_options.on_skipped = [](uint64_t index, const std::string& reason) {
    std::fprintf(stderr, "vouch: warning: skipped ledger entry %llu: %s\n", static_cast<unsigned long long>(index),
                 reason.c_str());
  };
  if (auto pin = a.One("--genesis")) {
    VOUCH_ASSIGN_OR_RETURN(client_options.pinned_genesis, ParseGenesisPin("--genesis", *pin));
  }
  if (auto via = a.One("--ledger-append")) {
    VOUCH_ASSIGN_OR_RETURN(host::LedgerAppendVia parsed, host::ParseLedgerAppend(*via));
    client_options.submitter = host::LedgerSubmitterFor(parsed, locator, std::chrono::milliseconds(5000));
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, OpenLedger(locator, options));
  return LedgerClient::Open(std::move(ledger), client_options);
}

// --- init -------------------------------------------------------------------

// What a quorum of 1 would let a single party do, for init's refusal.
const char* AloneCan(const std::string& flag) {
  if (flag == "--certify-quorum") return "one validator alone certify a host's AK";
  if (flag == "--admit-quorum") return "one governance key alone admit a validator or revoke anything";
  return "one validator's report alone revoke a host or credential";
}

// Reads the three quorum flags into `g` (default 2 each). A value below 2 is
// refused, naming the flag, unless `single_operator`; 0 always is.
Status ReadQuorums(const Args& a, bool single_operator, GenesisBody* g) {
  for (auto [flag, field] : {std::pair{std::string("--certify-quorum"), &g->certify_quorum},
                             std::pair{std::string("--admit-quorum"), &g->admit_quorum},
                             std::pair{std::string("--revoke-quorum"), &g->revoke_quorum}}) {
    *field = 2;
    auto v = a.One(flag);
    if (!v) continue;
    VOUCH_ASSIGN_OR_RETURN(*field, ParseUint(*v, flag));
    if (*field == 0) return Error(Code::kInvalidArgument, StrCat(flag, " must be at least 1"));
    if (*field < 2 && !single_operator) {
      return Error(Code::kInvalidArgument,
                   StrCat(flag, " ", *field, " would let ", AloneCan(flag),
                          ": give 2 or more, or --single-operator for a lab set-up"));
    }
  }
  if (g->admit_quorum > g->governance.size()) {
    return Error(Code::kInvalidArgument,
                 StrCat("--admit-quorum ", g->admit_quorum, " needs as many governance keys, but the "
                        "genesis names ", g->governance.size(),
                        ": nothing could ever be admitted (name the others with --governance DID)"));
  }
  return Ok();
}

int Init(const std::vector<std::string>& args) {
  Args a;
  std::string problem = Parse(args, 1, {"--key", "--governance", "--tpm-ca", "--certify-quorum",
                                        "--admit-quorum", "--revoke-quorum", "--single-operator"}, &a);
  const bool single_operator = a.Has("--single-operator");
  if (!problem.empty()) return Usage(problem);
  if (a.positional.size() != 1) return Usage("init takes one LOCATOR");
  if (!a.Has("--key")) return Usage("init needs --key KEY.pem (a governance key)");
  const std::string& locator = a.positional[0];
  auto key = Ed25519PrivateKey::LoadPem(*a.One("--key"));
  if (!key.ok()) return Fail(key.error().message());
  std::string author = DidKey::FromPublicKey(key->public_key()).did();

  GenesisBody g;
  g.governance = a.All("--governance");
  if (std::find(g.governance.begin(), g.governance.end(), author) == g.governance.end()) {
    g.governance.insert(g.governance.begin(), author);
  }
  for (const std::string& path : a.All("--tpm-ca")) {
    auto der = ReadCertificate(path);
    if (!der.ok()) return Fail(der.error().message());
    g.tpm_cas.push_back(std::move(der).value());
  }
  if (Status quorums = ReadQuorums(a, single_operator, &g); !quorums.ok()) {
    return Fail(quorums.error().message());
  }
  if (a.Has("--genesis")) return Usage("init makes the genesis; --genesis pins it for the commands that read it");
  auto client = OpenClient(a, locator, /*create=*/true);
  if (!client.ok()) return Fail(client.error().message());
  if ((*client)->state().size() != 0) {
    return Fail(StrCat("ledger '", locator, "' is already initialized (it has ",
                       (*client)->state().size(), " entries)"));
  }
  auto e = (*client)->Append(g, *key, time(nullptr));
  if (!e.ok()) return Fail(e.error().message());
  std::printf("initialized ledger %s: genesis by %s, %zu governance keys, %zu TPM CAs, quorums certify=%llu "
              "admit=%llu revoke=%llu\n",
              locator.c_str(), author.c_str(), g.governance.size(), g.tpm_cas.size(),
              static_cast<unsigned long long>(g.certify_quorum), static_cast<unsigned long long>(g.admit_quorum),
              static_cast<unsigned long long>(g.revoke_quorum));
  // Every reader pins this (vouchd and hook.conf "genesis = ", vouch --genesis).
  std::printf("genesis %s\n", HexEncode(e->digest()).c_str());
  WarnIfSingleOperator((*client)->state());
  return 0;
}

// --- append -----------------------------------------------------------------

std::map<std::string, std::set<std::string>> TypeOptions() {
  return {
      {"did-register", {"--ak-public", "--ek-cert", "--fact"}},
      {"did-update", {"--did", "--certify", "--certify-ak", "--ak-public", "--fact"}},
      {"validator-register", {"--hpke-pk", "--endpoint", "--operator", "--region"}},
      {"validator-update", {"--did", "--reputation", "--endpoint", "--hpke-pk"}},
      {"revoke", {"--subject", "--reason", "--evidence", "--host", "--domain", "--owner", "--launch-vc", "--policy"}},
      {"attested", {"--vc-digest", "--domain", "--validator"}},
      {"checkpoint", {"--head"}},
      {"reinstate", {"--host", "--domain", "--reason"}},
      {"reference", {"--fragment", "--withdraw"}},
  };
}

// The owner proof of --launch-vc FILE and --policy FILE (the owner policy, or
// the protection bundle `vouch seal` wrote, which carries it).
Result<Bytes> OwnerProofOf(const Args& a, const std::string& type) {
  VOUCH_ASSIGN_OR_RETURN(std::string vc_path, Required(a, "--launch-vc", type));
  VOUCH_ASSIGN_OR_RETURN(std::string policy_path, Required(a, "--policy", type));
  VOUCH_ASSIGN_OR_RETURN(Bytes vc, ReadFile(vc_path));
  VOUCH_ASSIGN_OR_RETURN(Bytes policy, ReadFile(policy_path));
  if (auto bundle = DecodeBundle(policy); bundle.ok()) policy = bundle->policy;
  return ledger::EncodeOwnerProof(vc, policy);
}

// The body of a `type` entry by `author` from the options, against `state`.
Result<EntryBody> BuildBody(const std::string& type, const Args& a, const std::string& author,
                            const ChainState& state) {
  if (type == "did-register") {
    DidRegisterBody b;
    b.did = author;
    VOUCH_ASSIGN_OR_RETURN(std::string ak, Required(a, "--ak-public", type));
    VOUCH_ASSIGN_OR_RETURN(b.ak_public, ReadFile(ak));
    if (auto ek = a.One("--ek-cert")) {
      VOUCH_ASSIGN_OR_RETURN(b.ek_cert, ReadCertificate(*ek));
    }
    VOUCH_ASSIGN_OR_RETURN(b.facts, Facts(a));
    return EntryBody(std::move(b));
  }
  if (type == "did-update") {
    DidUpdateBody b;
    b.did = a.One("--did").value_or(author);
    if (a.Has("--certify") || a.Has("--certify-ak")) {
      if (auto hex = a.One("--certify-ak")) {
        VOUCH_ASSIGN_OR_RETURN(b.certify_ak, ParseHex(*hex, "--certify-ak", 32));
      } else {
        const DidDocument* doc = state.FindHost(b.did);
        if (doc == nullptr) {
          return Error(Code::kNotFound, StrCat("'", b.did, "' is not a registered host on this ledger"));
        }
        b.certify_ak = ToBytes(Sha256(doc->ak_public));
      }
      return EntryBody(std::move(b));
    }
    if (auto ak = a.One("--ak-public")) {
      VOUCH_ASSIGN_OR_RETURN(b.ak_public, ReadFile(*ak));
    }
    if (a.Has("--fact")) {
      VOUCH_ASSIGN_OR_RETURN(b.facts, Facts(a));
    }
    return EntryBody(std::move(b));
  }
  if (type == "validator-register") {
    ValidatorRegisterBody b;
    b.did = author;
    VOUCH_ASSIGN_OR_RETURN(std::string pk, Required(a, "--hpke-pk", type));
    VOUCH_ASSIGN_OR_RETURN(b.hpke_pk, ParseHex(pk, "--hpke-pk", 32));
    VOUCH_ASSIGN_OR_RETURN(b.endpoint, Required(a, "--endpoint", type));
    VOUCH_ASSIGN_OR_RETURN(b.operator_name, Required(a, "--operator", type));
    VOUCH_ASSIGN_OR_RETURN(b.region, Required(a, "--region", type));
    return EntryBody(std::move(b));
  }
  if (type == "validator-update") {
    ValidatorUpdateBody b;
    b.did = a.One("--did").value_or(author);
    if (auto r = a.One("--reputation")) {
      VOUCH_ASSIGN_OR_RETURN(b.reputation, ParseUint(*r, "--reputation"));
    }
    b.endpoint = a.One("--endpoint");
    if (auto pk = a.One("--hpke-pk")) {
      VOUCH_ASSIGN_OR_RETURN(b.hpke_pk, ParseHex(*pk, "--hpke-pk", 32));
    }
    return EntryBody(std::move(b));
  }
  if (type == "revoke") {
    RevokeBody b;
    VOUCH_ASSIGN_OR_RETURN(b.subject, Required(a, "--subject", type));
    VOUCH_ASSIGN_OR_RETURN(b.reason, Required(a, "--reason", type));
    if (auto ev = a.One("--evidence")) {
      VOUCH_ASSIGN_OR_RETURN(b.evidence, ParseHex(*ev, "--evidence"));
    }
    b.host = a.One("--host").value_or("");
    b.domain = a.One("--domain").value_or("");
    b.owner = a.One("--owner").value_or("");
    if (a.Has("--launch-vc") || a.Has("--policy")) {
      VOUCH_ASSIGN_OR_RETURN(b.owner_proof, OwnerProofOf(a, type));
      VOUCH_ASSIGN_OR_RETURN(ledger::LaunchOwnership owns, ledger::VerifyOwnerProof(b.owner_proof));
      if (b.host.empty()) b.host = owns.host;
      if (b.domain.empty()) b.domain = owns.domain;
      if (b.owner.empty()) b.owner = owns.owner;
    }
    return EntryBody(std::move(b));
  }
  if (type == "reinstate") {
    ReinstateBody b;
    VOUCH_ASSIGN_OR_RETURN(b.host, Required(a, "--host", type));
    VOUCH_ASSIGN_OR_RETURN(b.domain, Required(a, "--domain", type));
    VOUCH_ASSIGN_OR_RETURN(b.reason, Required(a, "--reason", type));
    return EntryBody(std::move(b));
  }
  if (type == "reference") {
    if (a.Has("--fragment") == a.Has("--withdraw")) {
      return Error(Code::kInvalidArgument, "reference takes --fragment FILE or --withdraw CLASS/NAME");
    }
    if (auto path = a.One("--fragment")) {
      VOUCH_ASSIGN_OR_RETURN(BootReference fragment, ReadBootReferenceFile(*path));
      return EntryBody(ReferenceBody{std::move(fragment)});
    }
    const std::string target = *a.One("--withdraw");
    size_t slash = target.find('/');
    BootReference withdrawal{target.substr(0, slash), slash == std::string::npos ? "" : target.substr(slash + 1),
                             {}, {}, true};
    if (Status valid = CheckBootReference(withdrawal); !valid.ok()) {
      return valid.error().WithContext("--withdraw CLASS/NAME");
    }
    return EntryBody(ReferenceBody{std::move(withdrawal)});
  }
  if (type == "attested") {
    AttestedBody b;
    VOUCH_ASSIGN_OR_RETURN(std::string digest, Required(a, "--vc-digest", type));
    VOUCH_ASSIGN_OR_RETURN(b.vc_digest, ParseHex(digest, "--vc-digest", 32));
    VOUCH_ASSIGN_OR_RETURN(b.domain, Required(a, "--domain", type));
    b.host = author;
    b.validators = a.All("--validator");
    return EntryBody(std::move(b));
  }
  if (type == "checkpoint") {
    if (state.size() == 0) return Error(Code::kInvalidArgument, "the ledger is empty: nothing to checkpoint");
    CheckpointBody b;
    b.head_index = state.size() - 1;
    if (auto h = a.One("--head")) {
      VOUCH_ASSIGN_OR_RETURN(b.head_index, ParseUint(*h, "--head"));
    }
    auto digest = state.DigestAt(b.head_index);
    if (!digest) {
      return Error(Code::kInvalidArgument, StrCat("--head ", b.head_index, " is beyond the ledger's head ",
                                                  state.size() - 1));
    }
    b.head_digest = ToBytes(*digest);
    return EntryBody(std::move(b));
  }
  return Error(Code::kInternal, "unreachable");
}

// What an appended entry did: its index and digest, and for an admission or
// a revoke whether it took effect.
void ReportAppended(const Entry& e, const ChainState& state) {
  const std::string& author = e.author().did();
  std::printf("appended entry %llu (%s) by %s, digest %s\n", static_cast<unsigned long long>(e.index()),
              std::string(EntryTypeName(e.type())).c_str(), author.c_str(), HexEncode(e.digest()).c_str());
  if (e.type() == EntryType::kValidatorRegister) {
    const ValidatorRecord* v = state.FindValidator(author);
    std::printf("validator %s: %s (%zu of %llu governance countersignatures)\n", author.c_str(),
                v->admitted ? "admitted" : "registered, not admitted", v->admitted_by.size(),
                static_cast<unsigned long long>(state.genesis()->admit_quorum));
  }
  if (e.type() == EntryType::kReinstate) {
    const auto& b = e.body_as<ReinstateBody>();
    std::printf("host %s is no longer quarantined for domain %s\n", b.host.c_str(), b.domain.c_str());
  }
  if (e.type() == EntryType::kRevoke) {
    const auto& subject = e.body_as<RevokeBody>().subject;
    if (state.IsRevoked(subject)) {
      std::printf("%s is revoked\n", subject.c_str());
    } else {
      std::printf("%s: reported by %zu of %llu validators, not revoked yet\n", subject.c_str(),
                  state.PendingReports(subject).size(),
                  static_cast<unsigned long long>(state.genesis()->revoke_quorum));
    }
  }
}

// append (draft = false): sign, countersign with --cosign keys, append.
// draft (draft = true): sign at the head and write the entry to --out FILE
// for other parties to countersign (cosign) before it is submitted.
int AppendOrDraft(const std::vector<std::string>& args, bool draft) {
  const std::string verb = draft ? "draft" : "append";
  // LOCATOR and TYPE are the first two positional arguments.
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size() && positional.size() < 2; ++i) {
    if (args[i].rfind("--", 0) == 0) {
      if (!IsFlag(args[i])) ++i;  // skip its value
      continue;
    }
    positional.push_back(args[i]);
  }
  if (positional.size() < 2) return Usage(StrCat(verb, " takes LOCATOR and an entry TYPE"));
  const std::string& type = positional[1];
  const auto all_type_options = TypeOptions();
  auto type_options = all_type_options.find(type);
  if (type_options == all_type_options.end()) {
    return Usage(StrCat("cannot ", verb, " entries of type '", type, "' (genesis is written by 'init')"));
  }
  std::set<std::string> allowed = type_options->second;
  allowed.insert({"--key", "--countersign", "--cosign"});
  if (draft) allowed.insert("--out");
  if (!draft) allowed.insert("--ledger-append");
  Args a;
  std::string problem = Parse(args, 1, allowed, &a);
  if (!problem.empty()) return Usage(StrCat(problem, " for '", verb, " ", type, "'"));
  if (a.positional.size() != 2) return Usage(StrCat(verb, " takes LOCATOR and an entry TYPE"));
  if (!a.Has("--key")) return Usage(StrCat(verb, " needs --key KEY.pem (the entry's author)"));
  if (draft && !a.Has("--out")) return Usage("draft needs --out FILE (the draft entry)");
  const std::string& locator = a.positional[0];

  auto key = Ed25519PrivateKey::LoadPem(*a.One("--key"));
  if (!key.ok()) return Fail(key.error().message());
  std::vector<Ed25519PrivateKey> cosigner_keys;
  std::vector<std::string> cosigner_paths = a.All("--countersign");
  for (const std::string& path : a.All("--cosign")) cosigner_paths.push_back(path);
  for (const std::string& path : cosigner_paths) {
    auto k = Ed25519PrivateKey::LoadPem(path);
    if (!k.ok()) return Fail(k.error().message());
    cosigner_keys.push_back(std::move(k).value());
  }
  std::vector<const Ed25519PrivateKey*> cosigners;
  for (const auto& k : cosigner_keys) cosigners.push_back(&k);

  auto client = OpenClient(a, locator);
  if (!client.ok()) return Fail(client.error().message());
  std::string author = DidKey::FromPublicKey(key->public_key()).did();
  auto body = BuildBody(type, a, author, (*client)->state());
  if (!body.ok()) return Fail(body.error().message());
  if (draft) {
    auto e = (*client)->Draft(*body, *key, time(nullptr));
    for (const Ed25519PrivateKey* k : cosigners) {
      if (e.ok()) e = e->Countersigned(*k);
    }
    if (!e.ok()) return Fail(e.error().message());
    const std::string out = *a.One("--out");
    Status written = WriteFile(out, e->encoded());
    if (!written.ok()) return Fail(written.error().message());
    std::printf("drafted entry %llu (%s) by %s to %s (%zu countersignatures); add more with 'vouch ledger "
                "cosign %s --key KEY.pem', then 'vouch ledger submit LOCATOR %s'\n",
                static_cast<unsigned long long>(e->index()), type.c_str(), author.c_str(), out.c_str(),
                e->countersigners().size(), out.c_str(), out.c_str());
    return 0;
  }
  auto e = (*client)->Append(*body, *key, time(nullptr), cosigners);
  if (!e.ok()) return Fail(e.error().message());
  ReportAppended(*e, (*client)->state());
  return 0;
}

// --- cosign / submit ---------------------------------------------------------

int Cosign(const std::vector<std::string>& args) {
  Args a;
  std::string problem = Parse(args, 1, {"--key"}, &a);
  if (!problem.empty()) return Usage(problem);
  if (a.positional.size() != 1) return Usage("cosign takes one draft FILE");
  if (!a.Has("--key")) return Usage("cosign needs --key KEY.pem (the countersigner)");
  const std::string& path = a.positional[0];
  auto key = Ed25519PrivateKey::LoadPem(*a.One("--key"));
  if (!key.ok()) return Fail(key.error().message());
  auto data = ReadFile(path);
  if (!data.ok()) return Fail(data.error().message());
  auto entry = Entry::Parse(*data);  // checks the author's and every earlier countersignature
  if (!entry.ok()) return Fail(StrCat("draft '", path, "': ", entry.error().message()));
  auto cosigned = entry->Countersigned(*key);
  if (!cosigned.ok()) return Fail(StrCat("draft '", path, "': ", cosigned.error().message()));
  Status written = WriteFile(path, cosigned->encoded());
  if (!written.ok()) return Fail(written.error().message());
  std::printf("%s: entry %llu (%s) by %s countersigned by %s (%zu countersignatures)\n", path.c_str(),
              static_cast<unsigned long long>(cosigned->index()),
              std::string(EntryTypeName(cosigned->type())).c_str(), cosigned->author().did().c_str(),
              DidKey::FromPublicKey(key->public_key()).did().c_str(), cosigned->countersigners().size());
  return 0;
}

int Submit(const std::vector<std::string>& args) {
  Args a;
  std::string problem = Parse(args, 1, {}, &a);
  if (!problem.empty()) return Usage(problem);
  if (a.positional.size() != 2) return Usage("submit takes LOCATOR and a draft FILE");
  const std::string& locator = a.positional[0];
  const std::string& path = a.positional[1];
  auto data = ReadFile(path);
  if (!data.ok()) return Fail(data.error().message());
  auto entry = Entry::Parse(*data);
  if (!entry.ok()) return Fail(StrCat("draft '", path, "': ", entry.error().message()));
  auto client = OpenClient(a, locator);
  if (!client.ok()) return Fail(client.error().message());
  auto outcome = (*client)->Submit(*entry);
  if (!outcome.ok()) return Fail(outcome.error().message());
  if (*outcome == AppendOutcome::kIndexTaken) {
    return Fail(StrCat("draft '", path, "': ledger entry ", entry->index(),
                       " is already another entry (draft again on the new head and collect the "
                       "countersignatures again)"));
  }
  ReportAppended(*entry, (*client)->state());
  return 0;
}

// --- show -------------------------------------------------------------------

std::string Summary(const Entry& e) {
  switch (e.type()) {
    case EntryType::kGenesis: {
      const auto& b = e.body_as<GenesisBody>();
      return StrCat("governance=", b.governance.size(), " tpm_cas=", b.tpm_cas.size(), " certify_quorum=",
                    b.certify_quorum, " admit_quorum=", b.admit_quorum, " revoke_quorum=", b.revoke_quorum);
    }
    case EntryType::kDidRegister: {
      const auto& b = e.body_as<DidRegisterBody>();
      return StrCat("did=", b.did, " ak=", HexEncode(ByteView(Sha256(b.ak_public)).subspan(0, 8)),
                    " ek_cert=", b.ek_cert ? "yes" : "no", " facts=", b.facts.ToDiagnostic());
    }
    case EntryType::kDidUpdate: {
      const auto& b = e.body_as<DidUpdateBody>();
      if (b.certify_ak) return StrCat("did=", b.did, " certify_ak=", HexEncode(ByteView(*b.certify_ak).subspan(0, 8)));
      return StrCat("did=", b.did, b.ak_public ? " new_ak=" + HexEncode(ByteView(Sha256(*b.ak_public)).subspan(0, 8)) : "",
                    b.facts ? " facts=" + b.facts->ToDiagnostic() : "");
    }
    case EntryType::kValidatorRegister: {
      const auto& b = e.body_as<ValidatorRegisterBody>();
      return StrCat("did=", b.did, " endpoint=", b.endpoint, " operator=", b.operator_name, " region=", b.region,
                    " countersigned_by=", e.countersigners().size());
    }
    case EntryType::kValidatorUpdate: {
      const auto& b = e.body_as<ValidatorUpdateBody>();
      return StrCat("did=", b.did, b.reputation ? " reputation=" + std::to_string(*b.reputation) : "",
                    b.endpoint ? " endpoint=" + *b.endpoint : "", b.hpke_pk ? " hpke_pk=" + HexEncode(*b.hpke_pk) : "");
    }
    case EntryType::kRevoke: {
      const auto& b = e.body_as<RevokeBody>();
      return StrCat("subject=", b.subject, " reason=\"", b.reason, "\"",
                    b.host.empty() ? "" : StrCat(" host=", b.host, " domain=", b.domain),
                    b.owner.empty() ? "" : StrCat(" owner=", b.owner),
                    b.owner_proof.empty() ? "" : StrCat(" owner_proof=", b.owner_proof.size(), "B"));
    }
    case EntryType::kAttested: {
      const auto& b = e.body_as<AttestedBody>();
      return StrCat("vc_digest=", HexEncode(b.vc_digest), " domain=", b.domain, " validators=", b.validators.size());
    }
    case EntryType::kCheckpoint: {
      const auto& b = e.body_as<CheckpointBody>();
      return StrCat("head_index=", b.head_index, " head_digest=", HexEncode(b.head_digest),
                    " cosigned_by=", e.countersigners().size());
    }
    case EntryType::kReinstate: {
      const auto& b = e.body_as<ReinstateBody>();
      return StrCat("host=", b.host, " domain=", b.domain, " reason=\"", b.reason, "\"",
                    " countersigned_by=", e.countersigners().size());
    }
    case EntryType::kReference: {
      const auto& r = e.body_as<ReferenceBody>().reference;
      return StrCat(BootReferenceHeadline(r), " countersigned_by=", e.countersigners().size());
    }
  }
  return "";
}

nlohmann::json HostJson(const ChainState& s, const DidDocument& d) {
  return {{"did", d.did},
          {"registered_index", d.registered_index},
          {"ak_public", HexEncode(d.ak_public)},
          {"ek_cert_bytes", d.ek_cert ? d.ek_cert->size() : 0},
          {"facts", d.facts.ToDiagnostic()},
          {"certified", d.certified},
          {"certified_by", d.certified_by},
          {"certify_quorum", s.genesis()->certify_quorum},
          {"revoked", d.revoked},
          {"revoked_index", d.revoked ? nlohmann::json(d.revoked_index) : nlohmann::json()},
          {"revoked_reason", d.revoked_reason},
          {"pending_reports", s.PendingReports(d.did).size()}};
}

nlohmann::json ValidatorJson(const ValidatorRecord& v) {
  return {{"did", v.did},           {"endpoint", v.endpoint},       {"operator", v.operator_name},
          {"region", v.region},     {"reputation", v.reputation},   {"admitted", v.admitted},
          {"admitted_by", v.admitted_by}, {"revoked", v.revoked}, {"revoked_reason", v.revoked_reason}};
}

void PrintJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

void ShowDid(const ChainState& s, const DidDocument& d) {
  std::printf("DID %s\n", d.did.c_str());
  std::printf("  registered at entry %llu\n", static_cast<unsigned long long>(d.registered_index));
  std::printf("  ak_public %s (sha256 %s)\n", HexEncode(d.ak_public).c_str(), HexEncode(Sha256(d.ak_public)).c_str());
  std::printf("  ek_cert %s\n", d.ek_cert ? StrCat(d.ek_cert->size(), " bytes").c_str() : "none");
  std::printf("  facts %s\n", d.facts.ToDiagnostic().c_str());
  std::printf("  certified: %s (%zu of %llu validators)\n", d.certified ? "yes" : "no", d.certified_by.size(),
              static_cast<unsigned long long>(s.genesis()->certify_quorum));
  for (const auto& v : d.certified_by) std::printf("    certified by %s\n", v.c_str());
  if (d.revoked) {
    std::printf("  revoked: yes, at entry %llu (%s)\n", static_cast<unsigned long long>(d.revoked_index),
                d.revoked_reason.c_str());
  } else {
    std::printf("  revoked: no (%zu pending reports)\n", s.PendingReports(d.did).size());
  }
}

// The boot reference fragments in effect: one line each, or (with a class)
// every rule of that class's fragments.
int ShowReferences(const ChainState& s, const std::optional<std::string>& only, bool json) {
  nlohmann::json list = nlohmann::json::array();
  bool found = false;
  for (const auto& [cls, fragments] : s.references()) {
    if (only && cls != *only) continue;
    for (const auto& [name, record] : fragments) {
      found = true;
      if (json) {
        nlohmann::json j = BootReferenceJson(record.reference);
        j["index"] = record.index;
        j["decided_by"] = record.decided_by;
        list.push_back(std::move(j));
      } else if (only) {
        std::printf("entry %llu, by %zu governance keys: ", static_cast<unsigned long long>(record.index),
                    record.decided_by.size());
        PrintBootReference(record.reference);
      } else {
        std::printf("%s (entry %llu, by %zu governance keys)\n", BootReferenceHeadline(record.reference).c_str(),
                    static_cast<unsigned long long>(record.index), record.decided_by.size());
      }
    }
  }
  if (json) {
    PrintJson({{"references", list}});
    return 0;
  }
  if (only && !found) return Fail(StrCat("platform class '", *only, "' has no reference values on the ledger"));
  if (!found) std::printf("no platform class has reference values on the ledger\n");
  return 0;
}

int Show(const std::vector<std::string>& args) {
  Args a;
  std::string problem =
      Parse(args, 1, {"--from", "--to", "--did", "--validators", "--revocations", "--references", "--class", "--json"},
            &a);
  if (!problem.empty()) return Usage(problem);
  if (a.positional.size() != 1) return Usage("show takes one LOCATOR");
  const bool json = a.Has("--json");
  auto client = OpenClient(a, a.positional[0]);
  if (!client.ok()) return Fail(client.error().message());
  const ChainState& s = (*client)->state();
  WarnIfSingleOperator(s);
  if (auto did = a.One("--did")) {
    const DidDocument* d = s.FindHost(*did);
    const ValidatorRecord* v = s.FindValidator(*did);
    if (json && (d != nullptr || v != nullptr)) {
      PrintJson(d != nullptr ? nlohmann::json{{"host", HostJson(s, *d)}}
                             : nlohmann::json{{"validator", ValidatorJson(*v)}});
      return 0;
    }
    if (d != nullptr) {
      ShowDid(s, *d);
      return 0;
    }
    if (v != nullptr) {
      std::printf("validator %s\n  endpoint %s\n  operator %s, region %s\n  reputation %llu\n  admitted: %s (%zu)\n"
                  "  revoked: %s\n",
                  v->did.c_str(), v->endpoint.c_str(), v->operator_name.c_str(), v->region.c_str(),
                  static_cast<unsigned long long>(v->reputation), v->admitted ? "yes" : "no", v->admitted_by.size(),
                  v->revoked ? StrCat("yes, at entry ", v->revoked_index, " (", v->revoked_reason, ")").c_str() : "no");
      return 0;
    }
    return Fail(StrCat("'", *did, "' is neither a registered host nor a validator on ledger '",
                       a.positional[0], "'"));
  }
  if (a.Has("--validators")) {
    if (json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& [did, v] : s.validators()) list.push_back(ValidatorJson(v));
      PrintJson({{"validators", list}});
      return 0;
    }
    for (const auto& [did, v] : s.validators()) {
      std::printf("%s %s operator=%s region=%s reputation=%llu %s%s\n", did.c_str(), v.endpoint.c_str(),
                  v.operator_name.c_str(), v.region.c_str(), static_cast<unsigned long long>(v.reputation),
                  v.admitted ? "admitted" : "not-admitted", v.revoked ? " revoked" : "");
    }
    return 0;
  }
  if (a.Has("--class") && !a.Has("--references")) return Usage("--class goes with --references");
  if (a.Has("--references")) return ShowReferences(s, a.One("--class"), json);
  if (a.Has("--revocations")) {
    // Every revocation, in ledger order: scan the entries that made them.
    auto entries = (*client)->ReadApplied(0, s.size());
    if (!entries.ok()) return Fail(entries.error().message());
    nlohmann::json list = nlohmann::json::array();
    for (const Entry& e : *entries) {
      if (e.type() != EntryType::kRevoke) continue;
      const Revocation* r = s.FindRevocation(e.body_as<RevokeBody>().subject);
      if (r == nullptr || r->index != e.index()) continue;
      if (json) {
        list.push_back({{"subject", r->subject}, {"index", r->index}, {"reason", r->reason}});
      } else {
        std::printf("%s revoked at entry %llu: %s\n", r->subject.c_str(), static_cast<unsigned long long>(r->index),
                    r->reason.c_str());
      }
    }
    if (json) PrintJson({{"revocations", list}});
    return 0;
  }
  uint64_t from = 0, to = s.size();
  if (auto f = a.One("--from")) {
    auto n = ParseUint(*f, "--from");
    if (!n.ok()) return Usage(n.error().message());
    from = *n;
  }
  if (auto t = a.One("--to")) {
    auto n = ParseUint(*t, "--to");
    if (!n.ok()) return Usage(n.error().message());
    to = std::min<uint64_t>(*n, s.size());
  }
  auto entries = (*client)->ReadApplied(from, to);
  if (!entries.ok()) return Fail(entries.error().message());
  nlohmann::json list = nlohmann::json::array();
  auto skipped = s.skipped().begin();
  auto print_skipped_before = [&](uint64_t index) {
    for (; skipped != s.skipped().end() && skipped->index < index; ++skipped) {
      if (skipped->index < from) continue;
      if (json) {
        list.push_back({{"index", skipped->index}, {"skipped", skipped->reason}});
      } else {
        std::printf("%llu skipped: %s\n", static_cast<unsigned long long>(skipped->index), skipped->reason.c_str());
      }
    }
  };
  for (const Entry& e : *entries) {
    print_skipped_before(e.index());
    if (json) {
      list.push_back({{"index", e.index()},
                      {"at", Utc(e.at())},
                      {"type", std::string(EntryTypeName(e.type()))},
                      {"author", e.author().did()},
                      {"countersigners", e.countersigners().size()},
                      {"summary", Summary(e)}});
    } else {
      std::printf("%llu %s %s by %s %s\n", static_cast<unsigned long long>(e.index()), Utc(e.at()).c_str(),
                  std::string(EntryTypeName(e.type())).c_str(), e.author().did().c_str(), Summary(e).c_str());
    }
  }
  print_skipped_before(to);
  if (json) PrintJson({{"size", s.size()}, {"entries", list}});
  return 0;
}

// --- verify -----------------------------------------------------------------

int Verify(const std::vector<std::string>& args) {
  Args a;
  std::string problem =
      Parse(args, 1, {"--checkpoint", "--from-checkpoint", "--trusted-validator", "--min-cosigners"}, &a);
  if (!problem.empty()) return Usage(problem);
  if (a.positional.size() != 1) return Usage("verify takes one LOCATOR");
  if (a.Has("--checkpoint") && a.Has("--from-checkpoint")) {
    return Usage("verify takes --checkpoint or --from-checkpoint, not both");
  }
  if ((a.Has("--trusted-validator") || a.Has("--min-cosigners")) && !a.Has("--from-checkpoint")) {
    return Usage("--trusted-validator and --min-cosigners go with --from-checkpoint");
  }
  const std::string& locator = a.positional[0];
  LedgerOptions options;
  options.access = AccessOf(a);
  auto ledger = OpenLedger(locator, options);
  if (!ledger.ok()) return Fail(ledger.error().message());
  Result<std::unique_ptr<LedgerClient>> client = Error(Code::kInternal, "");
  std::string how = "from genesis";
  if (auto cp = a.One("--checkpoint")) {
    size_t colon = cp->find(':');
    if (colon == std::string::npos) return Usage("--checkpoint takes INDEX:DIGEST_HEX");
    auto index = ParseUint(cp->substr(0, colon), "--checkpoint index");
    if (!index.ok()) return Usage(index.error().message());
    auto digest = ParseHex(cp->substr(colon + 1), "--checkpoint digest", 32);
    if (!digest.ok()) return Usage(digest.error().message());
    TrustedCheckpoint trusted;
    trusted.index = *index;
    std::copy(digest->begin(), digest->end(), trusted.digest.begin());
    client = LedgerClient::OpenFromCheckpoint(std::move(ledger).value(), trusted);
    how = StrCat("after trusted checkpoint ", *index);
  } else if (auto n = a.One("--from-checkpoint")) {
    auto index = ParseUint(*n, "--from-checkpoint");
    if (!index.ok()) return Usage(index.error().message());
    uint64_t min_cosigners = 1;
    if (auto m = a.One("--min-cosigners")) {
      auto v = ParseUint(*m, "--min-cosigners");
      if (!v.ok()) return Usage(v.error().message());
      min_cosigners = *v;
    }
    // The checkpoint entry itself, with its author's and cosigners' signatures checked.
    auto cp = (*ledger)->ReadRange(*index, *index + 1);
    if (!cp.ok()) return Fail(cp.error().message());
    if (cp->empty()) return Fail(StrCat("ledger '", locator, "' has no entry ", *index));
    const Entry& entry = cp->front();
    if (entry.type() != EntryType::kCheckpoint) {
      return Fail(StrCat("ledger entry ", *index, " is a ", EntryTypeName(entry.type()),
                         " entry, not a checkpoint"));
    }
    const auto& b = entry.body_as<CheckpointBody>();
    TrustedCheckpoint trusted;
    trusted.index = b.head_index;
    std::copy(b.head_digest.begin(), b.head_digest.end(), trusted.digest.begin());
    // Pins entries 0..head_index by the checkpoint's digest, then verifies
    // every later entry fully, the checkpoint included (its cosigners must
    // be admitted, unrevoked validators there).
    client = LedgerClient::OpenFromCheckpoint(std::move(ledger).value(), trusted);
    if (!client.ok()) return Fail(client.error().message());
    const CheckpointRecord* record = nullptr;
    for (const CheckpointRecord& r : (*client)->state().checkpoints()) {
      if (r.index == *index) record = &r;
    }
    if (record == nullptr) return Fail(StrCat("ledger entry ", *index, ": checkpoint not applied"));
    std::vector<std::string> counted = record->cosigners;
    std::string whose = "admitted validators";
    if (a.Has("--trusted-validator")) {
      const std::vector<std::string> trusted_dids = a.All("--trusted-validator");
      std::erase_if(counted, [&](const std::string& did) {
        return std::find(trusted_dids.begin(), trusted_dids.end(), did) == trusted_dids.end();
      });
      whose = "trusted validators";
    }
    if (counted.size() < min_cosigners) {
      return Fail(StrCat("ledger entry ", *index, " (checkpoint): cosigned by ", counted.size(), " ", whose,
                         ", ", min_cosigners, " needed"));
    }
    how = StrCat("from checkpoint ", *index, " of entry ", b.head_index, ", cosigned by ", counted.size(), " ",
                 whose);
  } else {
    client = LedgerClient::Open(std::move(ledger).value());
  }
  if (!client.ok()) return Fail(client.error().message());
  const ChainState& s = (*client)->state();
  if (s.size() == 0) return Fail(StrCat("ledger '", locator, "' is empty (run 'vouch ledger init')"));
  size_t certified = 0, revoked_hosts = 0, admitted = 0;
  for (const auto& [did, d] : s.hosts()) {
    certified += d.certified;
    revoked_hosts += d.revoked;
  }
  for (const auto& [did, v] : s.validators()) admitted += s.IsActiveValidator(did);
  std::printf("ledger %s verifies (%s): %llu entries, head %llu digest %s\n", locator.c_str(), how.c_str(),
              static_cast<unsigned long long>(s.size()), static_cast<unsigned long long>(s.size() - 1),
              HexEncode(s.head_digest()).c_str());
  std::printf("  %zu hosts (%zu certified, %zu revoked), %zu validators (%zu active), %zu revocations, "
              "%zu attested, %zu checkpoints\n",
              s.hosts().size(), certified, revoked_hosts, s.validators().size(), admitted, s.revocation_count(),
              s.attested().size(), s.checkpoints().size());
  return 0;
}

// --- watch ------------------------------------------------------------------

// One line for a verified entry of `state` (which has applied it).
std::string WatchLine(const Entry& e, const ChainState& state) {
  std::string line = StrCat(e.index(), " ", EntryTypeName(e.type()), " by ", e.author().did(), " digest ",
                            HexEncode(ByteView(e.digest()).subspan(0, 8)));
  if (e.type() == EntryType::kRevoke) {
    const auto& b = e.body_as<RevokeBody>();
    const Revocation* r = state.FindRevocation(b.subject);
    line += StrCat(" subject=", b.subject, " reason=\"", b.reason, "\" ",
                   r != nullptr && r->index == e.index() ? "effective" : "report");
  }
  return line;
}

int Watch(const std::vector<std::string>& args) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Args a;
  std::string problem =
      Parse(args, 1, {"--from", "--type", "--count", "--timeout"}, &a, {{"timeout-ms", "timeout", "ms"}});
  if (!problem.empty()) return Usage(problem);
  if (a.positional.size() != 1) return Usage("watch takes one LOCATOR");
  std::optional<uint64_t> from, count;
  for (auto [flag, field] : {std::pair{"--from", &from}, std::pair{"--count", &count}}) {
    if (auto v = a.One(flag)) {
      auto n = ParseUint(*v, flag);
      if (!n.ok()) return Usage(n.error().message());
      *field = *n;
    }
  }
  std::optional<std::chrono::milliseconds> timeout;
  if (auto v = a.One("--timeout")) {
    auto d = ParseDurationIn("--timeout", *v, std::chrono::milliseconds(0), std::chrono::milliseconds::max());
    if (!d.ok()) return Usage(d.error().message());
    timeout = *d;
  }
  std::optional<EntryType> type;
  if (auto t = a.One("--type")) {
    type = EntryTypeFromName(*t);
    if (!type) return Usage(StrCat("--type '", *t, "' is not an entry type"));
  }
  auto client = OpenClient(a, a.positional[0]);
  if (!client.ok()) return Fail(client.error().message());
  const uint64_t first = from.value_or((*client)->state().size());
  uint64_t printed = 0;
  // Prints the entries of `entries` at or after `first` (of `type`); whether --count is reached.
  auto print = [&](const std::vector<Entry>& entries) {
    for (const Entry& e : entries) {
      if (count && printed >= *count) return true;
      if (e.index() < first || (type && e.type() != *type)) continue;
      std::printf("%s\n", WatchLine(e, (*client)->state()).c_str());
      std::fflush(stdout);
      ++printed;
    }
    return count && printed >= *count;
  };
  if (first < (*client)->state().size()) {
    auto earlier = (*client)->ReadApplied(first, (*client)->state().size());
    if (!earlier.ok()) return Fail(earlier.error().message());
    if (print(*earlier)) return 0;
  }
  if (count && printed >= *count) return 0;
  for (;;) {
    std::chrono::milliseconds wait{1000};
    if (timeout) {
      auto left = *timeout -
                  std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      if (left.count() <= 0) return 0;
      wait = std::min(wait, left);
    }
    auto entries = (*client)->WaitForNewEntries(wait);
    if (!entries.ok()) return Fail(entries.error().message());
    if (print(*entries)) return 0;
  }
}

int Did(const std::vector<std::string>& args) {
  if (args.size() != 2) return Usage("did takes one KEY.pem");
  auto key = Ed25519PrivateKey::LoadPem(args[1]);
  if (!key.ok()) return Fail(key.error().message());
  std::printf("%s\n", DidKey::FromPublicKey(key->public_key()).did().c_str());
  return 0;
}

}  // namespace

int LedgerCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("missing command");
  const std::string& command = args[0];
  if (command == "help" || AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "init") return Init(args);
  if (command == "append") return AppendOrDraft(args, /*draft=*/false);
  if (command == "draft") return AppendOrDraft(args, /*draft=*/true);
  if (command == "cosign") return Cosign(args);
  if (command == "submit") return Submit(args);
  if (command == "show") return Show(args);
  if (command == "verify") return Verify(args);
  if (command == "watch") return Watch(args);
  if (command == "did") return Did(args);
  return Usage(StrCat("unknown command '", command, "'"));
}

}  // namespace vouch::cli
