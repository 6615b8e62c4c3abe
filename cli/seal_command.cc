// vouch seal (DESIGN §2 "Seal"): draws the image key K, encrypts the image
// with it (LUKS, passphrase base64url(K)), splits K into n Shamir shares,
// seals share i to validator i, signs the owner policy and attaches the
// protection bundle to the domain.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "flags.h"
#include "run_program.h"
#include "validator_selection.h"
#include "vouch/core/did_key.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"
#include "vouch/qemu/runtime.h"

namespace vouch::cli {
namespace {

using qemu::Connect;
using qemu::DomainConfig;
using qemu::DomainDisk;
using qemu::LibvirtConnection;
using qemu::ParseDomainXml;
using qemu::RuntimeConfigOf;

constexpr const char* kUsage =
    "usage: vouch seal (--domain NAME | --xml FILE --bundle-out FILE)\n"
    "                  (--validators FILE | --ledger LOCATOR --validator-count N\n"
    "                   [--max-per-operator K (default T-1)] [--max-per-region K] [--seed S (default: domain UUID)])\n"
    "                  --threshold T --owner-key FILE --image OUT.luks (--from-raw IN | --size SIZE)\n"
    "                  [--pcrs 0,1,7] [--pcr-ref IDX=HEX]... [--pcrs-from-tpm TCTI]\n"
    "                  [--host DID]... [--vc-ttl S] [--on-drift pause|destroy|alert]\n"
    "                  [--hv-min COMPONENT=VERSION]... [--connect URI]\n";

Result<std::vector<PolicyValidator>> ReadValidators(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  std::istringstream in(ToString(data));
  std::vector<PolicyValidator> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string did, pk_hex, endpoint, extra;
    if (!(fields >> did >> pk_hex >> endpoint) || (fields >> extra)) {
      return Error(Code::kInvalidArgument,
                   StrCat("'", path, "' line ", n, ": expected 'DID HPKE_PUBLIC_KEY_HEX ENDPOINT'"));
    }
    if (auto d = DidKey::Parse(did); !d.ok()) return d.error().WithContext(StrCat("'", path, "' line ", n));
    auto pk = HexDecode(pk_hex);
    if (!pk.ok() || pk->size() != 32) {
      return Error(Code::kInvalidArgument,
                   StrCat("'", path, "' line ", n, ": HPKE public key must be 64 hex digits"));
    }
    out.push_back({did, *pk, endpoint});
  }
  return out;
}

// n validators picked from the ledger's registry (validator_selection.h).
Result<std::vector<PolicyValidator>> ValidatorsFromLedger(const Flags& f, uint64_t threshold,
                                                          const std::string& domain_uuid) {
  VOUCH_ASSIGN_OR_RETURN(std::string locator, f.Require("ledger"));
  VOUCH_ASSIGN_OR_RETURN(uint64_t n, f.GetUint("validator-count", 0));
  if (n == 0) return Error(Code::kInvalidArgument, "--ledger needs --validator-count N (N >= 1)");
  auto ledger = ledger::OpenLedger(locator);
  if (!ledger.ok()) return ledger.error().WithContext(StrCat("ledger '", locator, "'"));
  auto client = ledger::LedgerClient::Open(std::move(ledger).value());
  if (!client.ok()) return client.error().WithContext(StrCat("ledger '", locator, "'"));
  const ledger::ChainState& state = (*client)->state();
  std::vector<ValidatorCandidate> candidates;
  for (const auto& [did, v] : state.validators()) {
    if (!state.IsActiveValidator(did) || state.IsRevoked(did)) continue;
    candidates.push_back({did, v.hpke_pk, v.endpoint, v.operator_name, v.region, v.reputation});
  }
  SelectionRules rules;
  rules.count = n;
  VOUCH_ASSIGN_OR_RETURN(rules.max_per_operator,
                         f.GetUint("max-per-operator", threshold > 1 ? threshold - 1 : 1));
  VOUCH_ASSIGN_OR_RETURN(rules.max_per_region, f.GetUint("max-per-region", n));
  rules.seed = f.GetOr("seed", domain_uuid);
  VOUCH_ASSIGN_OR_RETURN(std::vector<ValidatorCandidate> picked,
                         SelectValidators(std::move(candidates), rules));
  std::vector<PolicyValidator> out;
  for (auto& c : picked) {
    std::printf("validator %s %s (operator %s, region %s, reputation %llu)\n", c.did.c_str(),
                c.endpoint.c_str(), c.operator_name.c_str(), c.region.c_str(),
                static_cast<unsigned long long>(c.reputation));
    out.push_back({std::move(c.did), std::move(c.hpke_public_key), std::move(c.endpoint)});
  }
  return out;
}

Result<std::vector<uint32_t>> ParsePcrList(const std::string& text) {
  std::vector<uint32_t> out;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    unsigned long v = std::strtoul(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v > 23) {
      return Error(Code::kInvalidArgument, StrCat("--pcrs: '", item, "' is not a PCR index 0..23"));
    }
    out.push_back(static_cast<uint32_t>(v));
  }
  return out;
}

// The LUKS image, encrypted by qemu-img with the passphrase in a 0600 file on
// tmpfs (never on the command line), removed right after.
Status MakeLuksImage(const std::string& image, const std::optional<std::string>& from_raw,
                     const std::optional<std::string>& size, const SecretBytes& key) {
  std::string passphrase = Base64UrlEncode(key.Expose());
  std::string secret_file = StrCat("/dev/shm/vouch-seal-", getpid(), ".key");
  Status written = WriteFile(secret_file, AsBytes(passphrase), 0600);
  std::fill(passphrase.begin(), passphrase.end(), '\0');
  VOUCH_RETURN_IF_ERROR(written);
  std::vector<std::string> argv = {"qemu-img"};
  // K has 256 bits of entropy, so LUKS' PBKDF adds nothing: keep it fast.
  std::string opts = "key-secret=sec0,iter-time=10";
  if (from_raw) {
    argv.insert(argv.end(), {"convert", "-q", "--object", "secret,id=sec0,file=" + secret_file,
                             "-O", "luks", "-o", opts, *from_raw, image});
  } else {
    argv.insert(argv.end(), {"create", "-q", "--object", "secret,id=sec0,file=" + secret_file,
                             "-f", "luks", "-o", opts, image, *size});
  }
  Result<ProgramResult> run = Error(Code::kInternal, "not run");
  for (int attempt = 0; attempt < 3; ++attempt) {
    run = RunProgram(argv);
    // qemu-img's PBKDF calibration sometimes fails spuriously; retry.
    if (!run.ok() || run->exit_status == 0 ||
        run->output.find("Unable to get accurate CPU usage") == std::string::npos) {
      break;
    }
  }
  ::unlink(secret_file.c_str());
  VOUCH_RETURN_IF_ERROR(run);
  if (run->exit_status != 0) {
    std::string out = run->output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return Error(Code::kIo, StrCat("qemu-img could not write '", image, "': ", out));
  }
  return Ok();
}

Status Seal(const Flags& f) {
  // The domain.
  std::optional<LibvirtConnection> conn;
  std::string xml;
  if (auto name = f.Get("domain")) {
    VOUCH_ASSIGN_OR_RETURN(LibvirtConnection c, Connect(f.GetOr("connect", "qemu:///system")));
    VOUCH_ASSIGN_OR_RETURN(xml, c.DomainXml(*name, /*inactive=*/true));
    conn.emplace(std::move(c));
  } else {
    VOUCH_ASSIGN_OR_RETURN(std::string path, f.Require("xml"));
    VOUCH_RETURN_IF_ERROR(f.Require("bundle-out"));
    VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
    xml = ToString(data);
  }
  VOUCH_ASSIGN_OR_RETURN(DomainConfig domain, ParseDomainXml(xml));
  if (domain.uuid.empty()) return Error(Code::kInvalidArgument, "the domain XML has no <uuid>");

  VOUCH_ASSIGN_OR_RETURN(std::string image, f.Require("image"));
  const DomainDisk* disk = nullptr;
  for (const auto& d : domain.disks) {
    if (d.source == image) disk = &d;
  }
  if (disk == nullptr) {
    return Error(Code::kInvalidArgument,
                 StrCat("domain '", domain.name, "' has no disk with source '", image, "'"));
  }
  if (disk->encryption_format != "luks" || disk->encryption_secret_uuid.empty()) {
    return Error(Code::kInvalidArgument,
                 StrCat("disk '", disk->target_dev, "' of domain '", domain.name,
                        "' needs <encryption format='luks'><secret type='passphrase' uuid='…'/></encryption>"));
  }

  // Validators and threshold.
  VOUCH_ASSIGN_OR_RETURN(uint64_t t, f.GetUint("threshold", 0));
  std::vector<PolicyValidator> validators;
  if (f.Has("validators") == f.Has("ledger")) {
    return Error(Code::kInvalidArgument,
                 "give exactly one of --validators FILE or --ledger LOCATOR --validator-count N");
  }
  if (auto file = f.Get("validators")) {
    VOUCH_ASSIGN_OR_RETURN(validators, ReadValidators(*file));
  } else {
    VOUCH_ASSIGN_OR_RETURN(validators, ValidatorsFromLedger(f, t, domain.uuid));
  }
  if (t < 2 || t > validators.size()) {
    return Error(Code::kInvalidArgument, StrCat("--threshold ", t, " must be between 2 and the ",
                                                validators.size(), " validators listed"));
  }

  // The owner key.
  VOUCH_ASSIGN_OR_RETURN(std::string owner_path, f.Require("owner-key"));
  auto owner = Ed25519PrivateKey::LoadPem(owner_path);
  if (!owner.ok() && owner.error().code() == Code::kNotFound) {
    owner = Ed25519PrivateKey::Generate();
    VOUCH_RETURN_IF_ERROR(owner->SavePem(owner_path));
    std::printf("created owner key %s (%s)\n", owner_path.c_str(),
                DidKey::FromPublicKey(owner->public_key()).did().c_str());
  }
  VOUCH_RETURN_IF_ERROR(owner);

  // K and the image.
  SecretBytes key = RandomSecret(32);
  auto from_raw = f.Get("from-raw");
  auto size = f.Get("size");
  if (from_raw.has_value() == size.has_value()) {
    return Error(Code::kInvalidArgument, "give exactly one of --from-raw IN or --size SIZE");
  }
  VOUCH_RETURN_IF_ERROR(MakeLuksImage(image, from_raw, size, key));

  // The policy.
  OwnerPolicy p;
  p.domain_uuid = domain.uuid;
  p.threshold = static_cast<uint32_t>(t);
  p.validators = validators;
  VOUCH_ASSIGN_OR_RETURN(p.pcrs, ParsePcrList(f.GetOr("pcrs", "0,1,2,3,4,5,6,7")));
  if (auto tcti = f.Get("pcrs-from-tpm")) {
    VOUCH_ASSIGN_OR_RETURN(auto tpm, Tpm::Open(*tcti));
    VOUCH_ASSIGN_OR_RETURN(auto values, tpm->ReadPcrs(p.pcrs));
    for (const auto& [i, v] : values) p.reference_pcrs[i] = {v};
    p.reference_boot = {BootHash(values)};
  }
  for (const auto& ref : f.GetAll("pcr-ref")) {
    auto eq = ref.find('=');
    auto value = eq == std::string::npos ? Result<Bytes>(Error(Code::kInvalidArgument, ""))
                                         : HexDecode(ref.substr(eq + 1));
    char* end = nullptr;
    unsigned long idx = eq == std::string::npos ? 99 : std::strtoul(ref.substr(0, eq).c_str(), &end, 10);
    if (!value.ok() || value->size() != 32 || idx > 23) {
      return Error(Code::kInvalidArgument, StrCat("--pcr-ref '", ref, "' must be IDX=64-hex-digit value"));
    }
    p.reference_pcrs[static_cast<uint32_t>(idx)].push_back(*value);
  }
  for (const auto& hv : f.GetAll("hv-min")) {
    auto eq = hv.find('=');
    if (eq == std::string::npos) return Error(Code::kInvalidArgument, "--hv-min must be COMPONENT=VERSION");
    p.hv_min[hv.substr(0, eq)] = hv.substr(eq + 1);
  }
  RuntimeConfig rt = RuntimeConfigOf(domain);
  p.rt.memory_kib_max = rt.memory_kib;
  p.rt.vcpus_max = rt.vcpus;
  p.rt.nets_allowed = rt.nets;
  p.rt.devices_allowed = rt.devices;
  VOUCH_ASSIGN_OR_RETURN(p.vc_ttl, f.GetUint("vc-ttl", 120));
  p.on_drift = f.GetOr("on-drift", "alert");
  if (f.Has("host")) p.hosts = f.GetAll("host");
  VOUCH_ASSIGN_OR_RETURN(std::vector<SecretBytes> shares,
                         ShamirSplit(key, static_cast<int>(t), static_cast<int>(validators.size())));
  for (const auto& s : shares) p.commit.push_back(ShareCommitment(s));
  p.kcv = KeyCheckValue(key);
  VOUCH_ASSIGN_OR_RETURN(SignedPolicy policy, SignedPolicy::Sign(p, *owner));

  // Seal share i to validator i; the bundle.
  ProtectionBundle bundle{policy.encoded(), {}};
  for (size_t i = 0; i < shares.size(); ++i) {
    VOUCH_ASSIGN_OR_RETURN(Bytes sealed, SealShareForValidator(validators[i].hpke_public_key,
                                                               domain.uuid, policy.digest(), shares[i]));
    bundle.sealed_shares.push_back(std::move(sealed));
  }
  Bytes encoded = EncodeBundle(bundle);
  if (auto out = f.Get("bundle-out")) {
    VOUCH_RETURN_IF_ERROR(WriteFile(*out, encoded, 0644));
  }
  if (conn) VOUCH_RETURN_IF_ERROR(conn->SetProtectionMetadata(domain.name, encoded));

  std::printf("sealed domain '%s' (%s): %llu of %zu validators, image %s, policy %s\n",
              domain.name.c_str(), domain.uuid.c_str(), static_cast<unsigned long long>(t),
              validators.size(), image.c_str(), HexEncode(policy.digest().bytes()).substr(0, 16).c_str());
  return Ok();
}

}  // namespace

int SealCommand(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args,
                            {"domain", "xml", "bundle-out", "validators", "ledger", "validator-count",
                             "max-per-operator", "max-per-region", "seed", "threshold", "owner-key", "image",
                             "from-raw", "size", "pcrs", "pcr-ref", "pcrs-from-tpm", "host", "vc-ttl",
                             "on-drift", "hv-min", "connect"},
                            {"help"});
  if (!flags.ok() || flags->Has("help") || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  Status s = Seal(*flags);
  if (!s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace vouch::cli
