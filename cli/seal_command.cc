// vouch seal (DESIGN §2 "Seal"). Checks every input first — flags, the
// domain, the output paths, the owner key, the validators, the TPM's PCRs —
// and builds the owner policy without its K-dependent parts. Only then does
// it draw the image key K, encrypt the image into a staged file next to
// --image (LUKS, passphrase base64url(K) handed to qemu-img in a memfd; a
// second keyslot for --recovery-passphrase-file),
// split K into n Shamir shares, seal share i to validator i, sign the policy,
// store the protection bundle and, last, rename the staged image onto
// --image. Any failure leaves --image as it was.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "ledger_pin.h"
#include "pcr_list.h"
#include "vouch/core/boot_reference.h"
#include "vouch/core/run_program.h"
#include "staged_file.h"
#include "validator_selection.h"
#include "vouch/core/did_key.h"
#include "vouch/core/duration.h"
#include "vouch/core/flags.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/private_file.h"
#include "vouch/core/random.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "vouch/core/unique_fd.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"
#include "vouch/qemu/launch_policy.h"
#include "vouch/qemu/pve_config.h"

namespace vouch::cli {
namespace {

using qemu::Connect;
using qemu::DomainConfig;
using qemu::DomainDisk;
using qemu::LibvirtConnection;
using qemu::ParseDomainXml;

constexpr const char* kUsage =
    "usage: vouch seal (--domain NAME | --xml FILE --bundle-out FILE | --pve-config VMID.conf --bundle-out FILE)\n"
    "                  (--validators FILE | --ledger LOCATOR --genesis HEX --validator-count N\n"
    "                   [--max-per-operator K (default T-1)] [--max-per-region K] [--seed S (default: domain UUID)])\n"
    "                  --threshold T --owner-key FILE --image OUT.luks (--from-raw IN | --size SIZE) [--force]\n"
    "                  (--pcrs-from-tpm TCTI | --pcr-ref IDX=HEX... | --platform CLASS... | --any-pcrs) [--pcrs 0,1,7]\n"
    "                  (--host DID... | --any-host) [--on-drift pause|destroy|alert] [--vc-ttl DURATION (1s..1h, default 2m)]\n"
    "                  [--reattest DURATION (1s..24h, default 60s)] [--grace N (1..100)]\n"
    "                  [--guest-pcrs 0,9 [--guest-action poweroff|reboot|none|exec:/PATH] [--guest-boot DURATION]]\n"
    "                  [--hv-min COMPONENT=VERSION]... [--also-boot DOMAIN.xml]... [--connect URI]\n"
    "  pins the domain as defined (disks, boot, emulator, devices, QEMU pass-through);\n"
    "  --also-boot allows another definition's <os> boot as well\n"
    "  --platform CLASS: the host's firmware event log must meet one of these platform classes'\n"
    "  boot reference values as the ledger holds them at each start (vouch reference --help), so a\n"
    "  kernel or firmware update admitted there needs no re-seal; with --ledger each class must be on\n"
    "  it and its PCRs among --pcrs; may be combined with --pcr-ref\n"
    "  --pve-config: a Proxmox VE VM (/etc/pve/qemu-server/VMID.conf); its --image is the LUKS\n"
    "  disk its args open; put the bundle at /etc/vouch/domains/UUID.bundle (vouch-pve-hook)\n"
    "  DURATION: a whole number with ms, s, m or h (500ms, 30s, 5m, 2h), a bare number being\n"
    "  seconds; --vc-ttl, --reattest and --guest-boot in whole seconds (the policy counts seconds)\n"
    "  --grace N: each validator expects a re-attestation within --reattest x N\n"
    "  of the last and reports a silent domain on the ledger (the hook ends it at a stop)\n"
    "  --guest-pcrs: vouch-shim in the guest quotes these vTPM PCRs every round (needs\n"
    "  --grace); validators hold them to the first report; past the grace without an\n"
    "  endorsement the shim runs --guest-action (default poweroff); the first round\n"
    "  is due --guest-boot (1s..1h, default 5m) after the launch\n"
    "  refuses to replace an existing --image or --bundle-out unless --force\n"
    "  --json: what was sealed as one JSON object on stdout (progress lines go to stderr)\n"
    "  --recovery-passphrase-file FILE (0600, >= 20 bytes, used as is): a second LUKS keyslot\n"
    "  that opens the image WITHOUT any validator, for when more than n-t of them lost their\n"
    "  keys; whoever holds the file can read the image anywhere: keep it offline\n";

Error Invalid(std::string message) { return Error(Code::kInvalidArgument, std::move(message)); }

Error IoError(std::string_view what, const std::string& path, int err) {
  return Error(Code::kIo, StrCat(what, " '", path, "': ", std::strerror(err)));
}

bool WriteAll(int fd, ByteView data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Where the new image's content comes from: exactly one is set.
struct ImageSource {
  std::optional<std::string> from_raw;  // a readable regular file
  std::optional<std::string> size;      // an empty image of this size
};

// Everything `vouch seal` needs, checked before anything is written. The
// policy lacks only what depends on K (threshold aside: the share
// commitments and the key-check value).
struct SealInputs {
  std::optional<LibvirtConnection> conn;  // --domain: the bundle goes into its metadata
  bool pve = false;                       // --pve-config: a Proxmox VM
  DomainConfig domain;
  std::string image;
  ImageSource source;
  std::optional<std::string> bundle_out;
  bool force = false;
  uint64_t threshold = 0;
  OwnerPolicy policy;
  std::string owner_path;
  std::optional<Ed25519PrivateKey> owner;  // absent: created at owner_path once all checks pass
  std::optional<SecretBytes> recovery;     // --recovery-passphrase-file: keyslot 1
  FILE* progress = stdout;                 // Progress(flags)
};

// Where seal says what it did on the way: stdout, or stderr under --json
// (stdout is then one JSON object).
FILE* Progress(const Flags& f) { return f.Has("json") ? stderr : stdout; }

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

// Each platform class of the policy is on the ledger and governs only PCRs
// the policy quotes: else no host could start the domain.
Status CheckPlatformsOnLedger(const ledger::ChainState& state, const OwnerPolicy& p) {
  for (const std::string& name : p.platforms) {
    PlatformClass cls = state.FindPlatformClass(name);
    if (cls.fragments.empty()) {
      return Invalid(StrCat("--platform ", name, ": the ledger holds no reference values for it, so no host "
                            "could start this domain ('vouch reference list LOCATOR' shows the classes)"));
    }
    for (const BootReference& fragment : cls.fragments) {
      for (uint32_t pcr : fragment.pcrs) {
        if (std::find(p.pcrs.begin(), p.pcrs.end(), pcr) == p.pcrs.end()) {
          return Invalid(StrCat("--platform ", name, ": its fragment ", fragment.name, " governs PCR ", pcr,
                                ", which --pcrs ", JoinPcrs(p.pcrs), " does not quote: add it to --pcrs"));
        }
      }
    }
  }
  return Ok();
}

// n validators picked from the ledger's registry (validator_selection.h).
Result<std::vector<PolicyValidator>> ValidatorsFromLedger(const Flags& f, uint64_t threshold,
                                                          const std::string& domain_uuid, const OwnerPolicy& policy) {
  VOUCH_ASSIGN_OR_RETURN(std::string locator, f.Require("ledger"));
  VOUCH_ASSIGN_OR_RETURN(uint64_t n, f.GetUint("validator-count", 0));
  if (n == 0) return Error(Code::kInvalidArgument, "--ledger needs --validator-count N (N >= 1)");
  // The owner's workstation keeps no head file: the pin is its anchor.
  VOUCH_ASSIGN_OR_RETURN(ledger::LedgerClientOptions options, PinnedLedgerOptions(f, ""));
  auto client = ledger::LedgerClient::Open(locator, options);
  if (!client.ok()) return client.error();
  const ledger::ChainState& state = (*client)->state();
  if (auto warning = state.genesis() ? ledger::SingleOperatorWarning(*state.genesis()) : std::nullopt) {
    std::fprintf(stderr, "vouch: warning: %s\n", warning->c_str());
  }
  VOUCH_RETURN_IF_ERROR(CheckPlatformsOnLedger(state, policy));
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
    std::fprintf(Progress(f), "validator %s %s (operator %s, region %s, reputation %llu)\n", c.did.c_str(),
                c.endpoint.c_str(), c.operator_name.c_str(), c.region.c_str(),
                static_cast<unsigned long long>(c.reputation));
    out.push_back({std::move(c.did), std::move(c.hpke_public_key), std::move(c.endpoint)});
  }
  return out;
}


// Each "IDX=HEX" adds an accepted value for PCR IDX, which must be quoted.
Result<std::map<uint32_t, std::vector<Bytes>>> ParsePcrRefs(const std::vector<std::string>& refs,
                                                            const std::vector<uint32_t>& selection) {
  std::map<uint32_t, std::vector<Bytes>> out;
  for (const auto& ref : refs) {
    size_t eq = ref.find('=');
    std::optional<uint32_t> idx = eq == std::string::npos ? std::nullopt : ParsePcrIndex(ref.substr(0, eq));
    Result<Bytes> value = idx ? HexDecode(ref.substr(eq + 1)) : Result<Bytes>(Invalid(""));
    if (!value.ok() || value->size() != 32) {
      return Invalid(StrCat("--pcr-ref '", ref, "' must be IDX=HEX: a PCR index 0..23 and 64 hex digits (SHA-256)"));
    }
    if (std::count(selection.begin(), selection.end(), *idx) == 0) {
      return Invalid(StrCat("--pcr-ref ", *idx, "=…: PCR ", *idx, " is not in the --pcrs selection ",
                            JoinPcrs(selection), ", so it would never be checked: add it to --pcrs"));
    }
    out[*idx].push_back(std::move(value).value());
  }
  return out;
}

// Reference values (PCRs or platform classes) are required unless
// --any-pcrs says otherwise.
Status CheckPcrChoice(const Flags& f) {
  bool refs = f.Has("pcr-ref") || f.Has("pcrs-from-tpm") || f.Has("platform");
  if (f.Has("any-pcrs") && refs) {
    return Invalid("--any-pcrs contradicts --pcr-ref/--pcrs-from-tpm/--platform: give one or the other");
  }
  if (!f.Has("any-pcrs") && !refs) {
    return Invalid("no reference PCR values: give --pcrs-from-tpm TCTI, --pcr-ref IDX=HEX or --platform CLASS "
                   "(or --any-pcrs to release to a host in any boot state)");
  }
  return Ok();
}

// --platform CLASS...: valid names, each once.
Result<std::vector<std::string>> ParsePlatforms(const Flags& f) {
  std::vector<std::string> out = f.GetAll("platform");
  if (out.size() > kMaxPolicyPlatforms) return Invalid(StrCat("more than ", kMaxPolicyPlatforms, " --platform classes"));
  for (size_t i = 0; i < out.size(); ++i) {
    if (Status s = CheckPlatformClassName(out[i], "--platform"); !s.ok()) return s.error();
    if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), out[i]) != out.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Invalid(StrCat("--platform ", out[i], " is given twice"));
    }
  }
  return out;
}

using HostSet = std::optional<std::vector<std::string>>;  // nullopt: any host

// The hosts allowed to start the domain (each a did:key); required unless --any-host.
Result<HostSet> ParseHosts(const Flags& f) {
  std::vector<std::string> hosts = f.GetAll("host");
  if (f.Has("any-host")) {
    if (!hosts.empty()) return Invalid("--any-host contradicts --host: give one or the other");
    return HostSet();
  }
  if (hosts.empty()) {
    return Invalid("no host set: give --host DID for each host that may start the domain "
                   "(or --any-host to release to any certified host)");
  }
  std::set<std::string> seen;
  for (const auto& h : hosts) {
    if (auto d = DidKey::Parse(h); !d.ok()) {
      return Invalid(StrCat("--host: ", d.error().message(), " (give the did that 'vouch host init' printed)"));
    }
    if (!seen.insert(h).second) return Invalid(StrCat("--host ", h, " is given twice"));
  }
  return HostSet(std::move(hosts));
}

Result<std::map<std::string, std::string>> ParseHvMin(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& hv : items) {
    size_t eq = hv.find('=');
    std::string component = hv.substr(0, eq);
    bool known = component == "libvirt" || component == "qemu" || component == "kernel";
    if (eq == std::string::npos || !known || eq + 1 == hv.size() || !std::isdigit(static_cast<unsigned char>(hv[eq + 1]))) {
      return Invalid(StrCat("--hv-min '", hv, "' must be COMPONENT=VERSION with COMPONENT libvirt, "
                            "qemu or kernel and a dotted version (e.g. qemu=7.2)"));
    }
    if (!out.emplace(component, hv.substr(eq + 1)).second) {
      return Invalid(StrCat("--hv-min gives a minimum for ", component, " twice"));
    }
  }
  return out;
}

Result<std::string> ParseOnDrift(const std::string& value) {
  if (value == "pause" || value == "destroy" || value == "alert") return value;
  return Invalid(StrCat("--on-drift '", value, "' must be pause, destroy or alert"));
}

// Duration flag `name` for a policy field that counts seconds on the wire.
Result<uint64_t> PolicySeconds(const Flags& f, const std::string& name, std::chrono::seconds fallback,
                               std::chrono::seconds max) {
  VOUCH_ASSIGN_OR_RETURN(std::chrono::milliseconds d, f.GetDuration(name, fallback, std::chrono::seconds(1), max));
  VOUCH_ASSIGN_OR_RETURN(std::chrono::seconds s, WholeSeconds(StrCat("--", name), d));
  return static_cast<uint64_t>(s.count());
}

// --reattest DURATION and --grace N: how often a running domain re-attests,
// and after how many missed intervals its validators report it (a lease).
Status ParseReattestation(const Flags& f, OwnerPolicy& p) {
  VOUCH_ASSIGN_OR_RETURN(p.reattest_s, PolicySeconds(f, "reattest", std::chrono::seconds(60), std::chrono::hours(24)));
  if (!f.Get("grace")) return Ok();
  VOUCH_ASSIGN_OR_RETURN(uint64_t grace, f.GetUint("grace", 0));
  if (grace == 0 || grace > 100) return Invalid(StrCat("--grace ", grace, " must be 1..100 intervals"));
  p.grace = static_cast<uint32_t>(grace);
  return Ok();
}

// --guest-pcrs, --guest-action, --guest-boot: what vouch-shim in the guest
// quotes and does past the grace (DESIGN §3 "guest").
Status ParseGuest(const Flags& f, OwnerPolicy& p) {
  if (!f.Get("guest-pcrs")) {
    for (const char* flag : {"guest-action", "guest-boot"}) {
      if (f.Get(flag)) return Invalid(StrCat("--", flag, " needs --guest-pcrs (the guest vTPM PCRs to quote)"));
    }
    return Ok();
  }
  if (!p.grace) {
    return Invalid("--guest-pcrs needs --grace N: the guest's rounds are the domain's lease");
  }
  GuestPolicy g;
  VOUCH_ASSIGN_OR_RETURN(g.pcrs, ParsePcrList(*f.Get("guest-pcrs"), "--guest-pcrs"));
  g.action = f.GetOr("guest-action", "poweroff");
  if (g.action != "poweroff" && g.action != "reboot" && g.action != "none" &&
      !(g.action.starts_with("exec:/") && g.action.size() > 6)) {
    return Invalid(StrCat("--guest-action '", g.action,
                          "' must be poweroff, reboot, none or exec:/ABSOLUTE/PATH (run in the guest)"));
  }
  VOUCH_ASSIGN_OR_RETURN(g.boot_s, PolicySeconds(f, "guest-boot", std::chrono::minutes(5), std::chrono::hours(1)));
  p.guest = std::move(g);
  return Ok();
}

// The policy's parts that the flags alone decide.
Result<OwnerPolicy> PolicyFromFlags(const Flags& f) {
  OwnerPolicy p;
  VOUCH_ASSIGN_OR_RETURN(p.pcrs, ParsePcrList(f.GetOr("pcrs", "0,1,2,3,4,5,6,7")));
  VOUCH_ASSIGN_OR_RETURN(p.reference_pcrs, ParsePcrRefs(f.GetAll("pcr-ref"), p.pcrs));
  VOUCH_RETURN_IF_ERROR(CheckPcrChoice(f));
  VOUCH_ASSIGN_OR_RETURN(p.platforms, ParsePlatforms(f));
  VOUCH_ASSIGN_OR_RETURN(p.hosts, ParseHosts(f));
  VOUCH_ASSIGN_OR_RETURN(p.hv_min, ParseHvMin(f.GetAll("hv-min")));
  VOUCH_ASSIGN_OR_RETURN(p.on_drift, ParseOnDrift(f.GetOr("on-drift", "alert")));
  VOUCH_ASSIGN_OR_RETURN(p.vc_ttl, PolicySeconds(f, "vc-ttl", std::chrono::minutes(2), std::chrono::hours(1)));
  VOUCH_RETURN_IF_ERROR(ParseReattestation(f, p));
  VOUCH_RETURN_IF_ERROR(ParseGuest(f, p));
  return p;
}

Result<uint64_t> ParseThreshold(const Flags& f) {
  VOUCH_RETURN_IF_ERROR(f.Require("threshold"));
  VOUCH_ASSIGN_OR_RETURN(uint64_t t, f.GetUint("threshold", 0));
  if (t < 2) return Invalid(StrCat("--threshold ", t, " must be at least 2: no single validator may release the key"));
  return t;
}

// qemu-img's size syntax, roughly: "64M", "1G", "1.5G", "1048576".
bool IsImageSize(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return false;
  if (i < s.size() && s[i] == '.') {
    size_t j = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == j) return false;
  }
  if (i < s.size() && std::string_view("bkKMGTPE").find(s[i]) != std::string_view::npos) ++i;
  return i == s.size();
}

Status CheckReadableRegularFile(const std::string& flag, const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return Invalid(StrCat(flag, " '", path, "' cannot be read: ", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Invalid(StrCat(flag, " '", path, "' is not a regular file"));
  }
  return Ok();
}

Result<ImageSource> ImageSourceFromFlags(const Flags& f) {
  ImageSource s{f.Get("from-raw"), f.Get("size")};
  if (s.from_raw.has_value() == s.size.has_value()) {
    return Invalid("give exactly one of --from-raw IN or --size SIZE");
  }
  if (s.from_raw) VOUCH_RETURN_IF_ERROR(CheckReadableRegularFile("--from-raw", *s.from_raw));
  if (s.size && !IsImageSize(*s.size)) return Invalid(StrCat("--size '", *s.size, "' must be a size such as 64M or 1G"));
  return s;
}

// The domain's definition, from libvirt (--domain), a file (--xml) or a
// Proxmox VM config (--pve-config).
Status ReadDomain(const Flags& f, SealInputs* in) {
  if (int(f.Has("domain")) + int(f.Has("xml")) + int(f.Has("pve-config")) != 1) {
    return Invalid("give exactly one of --domain NAME, --xml FILE --bundle-out FILE or --pve-config VMID.conf --bundle-out FILE");
  }
  if (auto name = f.Get("domain")) {
    VOUCH_ASSIGN_OR_RETURN(LibvirtConnection c, Connect(f.GetOr("connect", "qemu:///system")));
    VOUCH_ASSIGN_OR_RETURN(std::string xml, c.DomainXml(*name, /*inactive=*/true));
    in->conn.emplace(std::move(c));
    VOUCH_ASSIGN_OR_RETURN(in->domain, ParseDomainXml(xml));
  } else if (auto xml_file = f.Get("xml")) {
    VOUCH_RETURN_IF_ERROR(f.Require("bundle-out"));
    VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(*xml_file));
    VOUCH_ASSIGN_OR_RETURN(in->domain, ParseDomainXml(ToString(data)));
  } else {
    const std::string path = *f.Get("pve-config");
    VOUCH_RETURN_IF_ERROR(f.Require("bundle-out"));
    VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
    std::string vmid = path.substr(path.rfind('/') + 1);
    if (vmid.size() > 5 && vmid.substr(vmid.size() - 5) == ".conf") vmid.resize(vmid.size() - 5);
    VOUCH_ASSIGN_OR_RETURN(in->domain, qemu::ParsePveConfig(ToString(data), vmid));
    in->pve = true;
  }
  if (in->domain.uuid.empty()) return Invalid("the domain XML has no <uuid>");
  return Ok();
}

Status CheckLuksDisk(const DomainConfig& domain, const std::string& image, bool pve) {
  const DomainDisk* disk = nullptr;
  for (const auto& d : domain.disks) {
    if (d.source == image) disk = &d;
  }
  if (disk == nullptr) {
    return Invalid(StrCat("domain '", domain.name, "' has no disk with source '", image, "'"));
  }
  if (pve && (disk->encryption_format != "luks" || disk->encryption_secret_uuid.empty())) {
    return Invalid(StrCat("disk '", disk->target_dev, "' of Proxmox VM '", domain.name,
                          "' must be opened by its args: -object secret,id=ID,file=/run/vouch/pve/VMID.key "
                          "-blockdev driver=luks,key-secret=ID,file.driver=file,file.filename=", image));
  }
  if (disk->encryption_format != "luks" || disk->encryption_secret_uuid.empty()) {
    return Invalid(StrCat("disk '", disk->target_dev, "' of domain '", domain.name,
                          "' needs <encryption format='luks'><secret type='passphrase' uuid='…'/></encryption>"));
  }
  return Ok();
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// `path` may be written: its directory is writable and, unless `replace`,
// nothing is there yet (not even a dangling symlink).
Status CheckOutputPath(const std::string& path, bool replace) {
  std::string dir = DirectoryOf(path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Invalid(StrCat("cannot write into directory '", dir, "' (for '", path, "'): ", std::strerror(errno)));
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok();
    return IoError("cannot check", path, errno);
  }
  if (S_ISDIR(st.st_mode)) return Invalid(StrCat("'", path, "' is a directory"));
  if (!replace) return Invalid(StrCat("'", path, "' exists: give --force to replace it"));
  return Ok();
}

// --image (a LUKS disk of the domain) and --bundle-out may be written.
Status CheckOutputs(const Flags& f, SealInputs* in) {
  VOUCH_ASSIGN_OR_RETURN(in->image, f.Require("image"));
  VOUCH_RETURN_IF_ERROR(CheckLuksDisk(in->domain, in->image, in->pve));
  in->force = f.Has("force");
  in->bundle_out = f.Get("bundle-out");
  VOUCH_RETURN_IF_ERROR(CheckOutputPath(in->image, in->force));
  if (!in->bundle_out) return Ok();
  if (*in->bundle_out == in->image) return Invalid("--bundle-out must not be the --image file");
  return CheckOutputPath(*in->bundle_out, in->force);
}

// Loads the owner key; a missing one is only noted here and created by
// TakeOwnerKey once every check has passed.
Status LoadOwnerKey(const Flags& f, SealInputs* in) {
  VOUCH_ASSIGN_OR_RETURN(in->owner_path, f.Require("owner-key"));
  auto owner = Ed25519PrivateKey::LoadPem(in->owner_path);
  if (owner.ok()) {
    in->owner.emplace(std::move(owner).value());
    return Ok();
  }
  if (owner.error().code() != Code::kNotFound) return owner.error();
  std::string dir = DirectoryOf(in->owner_path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Invalid(StrCat("owner key '", in->owner_path, "' does not exist and directory '", dir,
                          "' is not writable to create it: ", std::strerror(errno)));
  }
  return Ok();
}

Result<Ed25519PrivateKey> TakeOwnerKey(SealInputs& in) {
  if (in.owner) return std::move(*in.owner);
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate();
  VOUCH_RETURN_IF_ERROR(owner.SavePem(in.owner_path));
  std::fprintf(in.progress, "created owner key %s (%s)\n", in.owner_path.c_str(),
              DidKey::FromPublicKey(owner.public_key()).did().c_str());
  return owner;
}

// The validators (from --validators or the ledger) and t of n among them.
Status ResolveValidators(const Flags& f, SealInputs* in) {
  if (f.Has("validators") == f.Has("ledger")) {
    return Invalid("give exactly one of --validators FILE or --ledger LOCATOR --validator-count N");
  }
  std::vector<PolicyValidator>& v = in->policy.validators;
  if (auto file = f.Get("validators")) {
    VOUCH_ASSIGN_OR_RETURN(v, ReadValidators(*file));
  } else {
    VOUCH_ASSIGN_OR_RETURN(v, ValidatorsFromLedger(f, in->threshold, in->domain.uuid, in->policy));
  }
  if (in->threshold > v.size()) {
    return Invalid(StrCat("--threshold ", in->threshold, " must be between 2 and the ", v.size(),
                          " validators listed"));
  }
  in->policy.threshold = static_cast<uint32_t>(in->threshold);
  return Ok();
}

// --pcrs-from-tpm: the TPM's current values of the selection become
// accepted values (listed first) and its boot hash the reference boot.
Status ReadTpmReference(const Flags& f, OwnerPolicy* p) {
  auto tcti = f.Get("pcrs-from-tpm");
  if (!tcti) return Ok();
  VOUCH_ASSIGN_OR_RETURN(auto tpm, Tpm::Open(*tcti));
  VOUCH_ASSIGN_OR_RETURN(auto values, tpm->ReadPcrs(p->pcrs));
  for (const auto& [i, v] : values) {
    auto& accepted = p->reference_pcrs[i];
    accepted.insert(accepted.begin(), v);
  }
  p->reference_boot = {BootHash(values)};
  return Ok();
}

// The domain exactly as defined: every disk, the boot, the emulator, the
// devices and any QEMU pass-through are pinned, so a redefinition after
// sealing is refused by every validator (qemu/launch_policy.h).
void AddDomainLimits(const DomainConfig& domain, OwnerPolicy* p) {
  p->domain_uuid = domain.uuid;
  p->rt = qemu::PinnedLimitsOf(domain);
}

// --also-boot FILE…: the boot (<os> kernel, initrd, cmdline, loader) of
// another definition of the domain is allowed too, e.g. the next kernel
// during a roll-out. Nothing else of that definition is.
Status AddAlsoBoots(const Flags& f, OwnerPolicy* p) {
  for (const std::string& path : f.GetAll("also-boot")) {
    auto data = ReadFile(path);
    if (!data.ok()) return data.error().WithContext("--also-boot");
    auto other = ParseDomainXml(ToString(*data));
    if (!other.ok()) return other.error().WithContext(StrCat("--also-boot '", path, "'"));
    PolicyBoot boot = qemu::BootFact(other->os);
    auto& allowed = *p->rt.boot_allowed;
    if (std::find(allowed.begin(), allowed.end(), boot) == allowed.end()) allowed.push_back(boot);
  }
  return Ok();
}

// The policy as it will be signed passes the same strict reader every host
// and validator applies. Its share commitments and kcv depend on K, which is
// drawn only after every check: all-zero stand-ins of the right size here.
Status CheckPolicyReadable(OwnerPolicy p) {
  p.commit.assign(p.validators.size(), Bytes(32, 0));
  p.kcv = Bytes(32, 0);
  VOUCH_ASSIGN_OR_RETURN(auto decoded, cbor::Decode(cbor::Encode(OwnerPolicyToCbor(p))));
  VOUCH_RETURN_IF_ERROR(OwnerPolicyFromCbor(decoded));
  return Ok();
}

// Every check, in order: the flags alone, the image source, the domain, the
// output paths, the owner key, the validators and t, the TPM's PCRs.
// --recovery-passphrase-file: the file's bytes, as they are, are the
// passphrase of a second LUKS keyslot (as cryptsetup --key-file and QEMU's
// secret file= read a file). It opens the image without any validator, so
// it must be the owner's alone and not guessable.
constexpr size_t kMinRecoveryPassphrase = 20;

Status ReadRecoveryPassphrase(const Flags& f, SealInputs* in) {
  std::optional<std::string> path = f.Get("recovery-passphrase-file");
  if (!path) return Ok();
  VOUCH_ASSIGN_OR_RETURN(SecretBytes passphrase, ReadPrivateFile(*path, "recovery passphrase file"));
  if (passphrase.size() < kMinRecoveryPassphrase) {
    return Invalid(StrCat("recovery passphrase file '", *path, "' holds ", passphrase.size(), " bytes; it alone opens ",
                          "the image, so give at least ", kMinRecoveryPassphrase,
                          " (e.g. 'head -c 32 /dev/urandom | base64 > FILE')"));
  }
  in->recovery = std::move(passphrase);
  return Ok();
}

Result<SealInputs> ParseSealInputs(const Flags& f) {
  SealInputs in;
  in.progress = Progress(f);
  VOUCH_ASSIGN_OR_RETURN(in.policy, PolicyFromFlags(f));
  VOUCH_ASSIGN_OR_RETURN(in.threshold, ParseThreshold(f));
  VOUCH_ASSIGN_OR_RETURN(in.source, ImageSourceFromFlags(f));
  VOUCH_RETURN_IF_ERROR(ReadDomain(f, &in));
  VOUCH_RETURN_IF_ERROR(CheckOutputs(f, &in));
  VOUCH_RETURN_IF_ERROR(ReadRecoveryPassphrase(f, &in));
  VOUCH_RETURN_IF_ERROR(LoadOwnerKey(f, &in));
  VOUCH_RETURN_IF_ERROR(ResolveValidators(f, &in));
  VOUCH_RETURN_IF_ERROR(ReadTpmReference(f, &in.policy));
  AddDomainLimits(in.domain, &in.policy);
  VOUCH_RETURN_IF_ERROR(AddAlsoBoots(f, &in.policy));
  VOUCH_RETURN_IF_ERROR(CheckPolicyReadable(in.policy));
  return in;
}

// A passphrase in a sealed memfd: no name on any filesystem; a child reads
// it as /proc/self/fd/N.
Result<UniqueFd> SecretMemfd(ByteView passphrase) {
  UniqueFd fd(::memfd_create("vouch-seal-passphrase", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (fd.get() < 0) return Error(Code::kIo, StrCat("cannot create a memfd for the image passphrase: ", std::strerror(errno)));
  bool written = WriteAll(fd.get(), passphrase);
  int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (!written || ::fcntl(fd.get(), F_ADD_SEALS, seals) != 0) {
    return Error(Code::kIo, StrCat("cannot fill the passphrase memfd: ", std::strerror(errno)));
  }
  return fd;
}

// base64url(K) in a sealed memfd; the passphrase string is wiped.
Result<UniqueFd> PassphraseMemfd(const SecretBytes& key) {
  std::string passphrase = Base64UrlEncode(key.Expose());
  auto fd = SecretMemfd(AsBytes(passphrase));
  OPENSSL_cleanse(passphrase.data(), passphrase.size());
  return fd;
}

std::string SecretObject(const char* id, int fd) { return StrCat("secret,id=", id, ",file=/proc/self/fd/", fd); }

std::vector<std::string> QemuImgArgv(const ImageSource& source, const std::string& out, int secret_fd) {
  std::string secret = SecretObject("sec0", secret_fd);
  // K has 256 bits of entropy, so LUKS' PBKDF adds nothing: keep it fast.
  std::string opts = "key-secret=sec0,iter-time=10";
  if (source.from_raw) {
    return {"qemu-img", "convert", "-q", "--object", secret, "-f", "raw", "-O", "luks", "-o", opts,
            *source.from_raw, out};
  }
  return {"qemu-img", "create", "-q", "--object", secret, "-f", "luks", "-o", opts, out, *source.size};
}

// keyslot 1 of the staged image, opened with K (keyslot 0). The recovery
// passphrase is a person's: the PBKDF runs 2 s (K needs none: 256 bits).
std::vector<std::string> AmendArgv(const std::string& staged, int key_fd, int recovery_fd) {
  std::string filename;  // --image-opts: a ',' in a value is written ',,'
  for (char c : staged) filename += c == ',' ? std::string(",,") : std::string(1, c);
  return {"qemu-img", "amend", "-q", "--object", SecretObject("sec0", key_fd), "--object",
          SecretObject("sec1", recovery_fd), "--image-opts",
          StrCat("driver=luks,file.filename=", filename, ",key-secret=sec0"), "-o",
          "state=active,new-secret=sec1,iter-time=2000"};
}

// Runs qemu-img `argv` on `staged`, the passphrases in `secret_fds`, and
// returns a one-line error with qemu-img's words unless it succeeded.
Status RunQemuImg(const std::vector<std::string>& argv, const std::vector<int>& secret_fds, StagedFile& staged,
                  std::string_view what) {
  Result<ProgramResult> run = Error(Code::kInternal, "not run");
  // qemu-img's PBKDF calibration fails ("Unable to get accurate CPU usage")
  // when the thread's tick-granular CPU clock shows 0 ms for its first
  // round: on this project's 2-core VMs about half the runs, idle or not.
  // A failed attempt costs milliseconds and attempts are independent.
  constexpr int kAttempts = 25;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    VOUCH_RETURN_IF_ERROR(staged.EnsureExists());
    run = RunProgram(argv, secret_fds);
    if (!run.ok() || run->exit_status == 0 ||
        run->output.find("Unable to get accurate CPU usage") == std::string::npos) {
      break;
    }
  }
  VOUCH_RETURN_IF_ERROR(run);
  if (run->exit_status == 0) return Ok();
  std::string out = run->output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::replace(out.begin(), out.end(), '\n', ' ');
  return Error(Code::kIo, StrCat("qemu-img could not ", what, ": ", out));
}

// The LUKS image in a staged file next to --image, keyslot 0 opened by K
// and keyslot 1 by the recovery passphrase if one was given.
Result<StagedFile> WriteImage(const SealInputs& in, const SecretBytes& key) {
  VOUCH_ASSIGN_OR_RETURN(StagedFile staged, StagedFile::Create(in.image));
  VOUCH_ASSIGN_OR_RETURN(UniqueFd key_fd, PassphraseMemfd(key));
  VOUCH_RETURN_IF_ERROR(RunQemuImg(QemuImgArgv(in.source, staged.path(), key_fd.get()), {key_fd.get()}, staged,
                                   StrCat("write the new image for '", in.image, "'")));
  if (in.recovery) {
    VOUCH_ASSIGN_OR_RETURN(UniqueFd recovery_fd, SecretMemfd(in.recovery->Expose()));
    VOUCH_RETURN_IF_ERROR(RunQemuImg(AmendArgv(staged.path(), key_fd.get(), recovery_fd.get()),
                                     {key_fd.get(), recovery_fd.get()}, staged,
                                     StrCat("add the recovery keyslot to the new image for '", in.image, "'")));
  }
  return staged;
}

struct SealedBundle {
  PolicyDigest policy_digest;
  Bytes encoded;
};

// K's shares, committed to in the signed policy and each sealed to its validator.
Result<SealedBundle> SealShares(const SealInputs& in, const SecretBytes& key, const Ed25519PrivateKey& owner) {
  OwnerPolicy p = in.policy;
  const auto& validators = p.validators;
  VOUCH_ASSIGN_OR_RETURN(std::vector<SecretBytes> shares,
                         ShamirSplit(key, static_cast<int>(p.threshold), static_cast<int>(validators.size())));
  for (const auto& s : shares) p.commit.push_back(ShareCommitment(s));
  p.kcv = KeyCheckValue(key);
  VOUCH_ASSIGN_OR_RETURN(SignedPolicy policy, SignedPolicy::Sign(p, owner));
  ProtectionBundle bundle{policy.encoded(), {}};
  for (size_t i = 0; i < shares.size(); ++i) {
    VOUCH_ASSIGN_OR_RETURN(Bytes sealed, SealShareForValidator(validators[i].hpke_public_key,
                                                               p.domain_uuid, policy.digest(), shares[i]));
    bundle.sealed_shares.push_back(std::move(sealed));
  }
  return SealedBundle{policy.digest(), EncodeBundle(bundle)};
}

Status WriteNewFile(const std::string& path, ByteView data, unsigned mode, bool replace) {
  VOUCH_ASSIGN_OR_RETURN(StagedFile file, StagedFile::Create(path));
  VOUCH_RETURN_IF_ERROR(file.Write(data, mode));
  return file.Commit(replace);
}

// The bundle into --bundle-out and/or the domain's metadata.
Status StoreBundle(const SealInputs& in, ByteView encoded) {
  if (in.bundle_out) VOUCH_RETURN_IF_ERROR(WriteNewFile(*in.bundle_out, encoded, 0644, in.force));
  if (in.conn) VOUCH_RETURN_IF_ERROR(in.conn->SetProtectionMetadata(in.domain.name, encoded));
  return Ok();
}

// --json: what was sealed, as one object.
void PrintSealedJson(const SealInputs& in, const SealedBundle& bundle, const Ed25519PrivateKey& owner) {
  nlohmann::json validators = nlohmann::json::array();
  for (const PolicyValidator& v : in.policy.validators) validators.push_back({{"did", v.did}, {"endpoint", v.endpoint}});
  nlohmann::json out = {{"domain", in.domain.name},
                        {"uuid", in.domain.uuid},
                        {"image", in.image},
                        {"bundle_out", in.bundle_out ? nlohmann::json(*in.bundle_out) : nlohmann::json()},
                        {"metadata", in.conn.has_value()},
                        {"policy_digest", HexEncode(bundle.policy_digest.bytes())},
                        {"owner", DidKey::FromPublicKey(owner.public_key()).did()},
                        {"threshold", in.policy.threshold},
                        {"validators", validators},
                        {"recovery_keyslot", in.recovery.has_value()},
                        {"reattest_s", in.policy.reattest_s},
                        {"grace", in.policy.grace ? nlohmann::json(*in.policy.grace) : nlohmann::json()},
                        {"guest_pcrs", in.policy.guest ? nlohmann::json(in.policy.guest->pcrs) : nlohmann::json()}};
  std::printf("%s\n", out.dump(2).c_str());
}

Status Seal(const Flags& f) {
  VOUCH_ASSIGN_OR_RETURN(SealInputs in, ParseSealInputs(f));
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey owner, TakeOwnerKey(in));
  SecretBytes key = RandomSecret(32);
  VOUCH_ASSIGN_OR_RETURN(StagedFile image, WriteImage(in, key));
  VOUCH_ASSIGN_OR_RETURN(SealedBundle bundle, SealShares(in, key, owner));
  VOUCH_RETURN_IF_ERROR(StoreBundle(in, bundle.encoded));
  VOUCH_RETURN_IF_ERROR(image.Commit(in.force));
  if (f.Has("json")) {
    PrintSealedJson(in, bundle, owner);
    return Ok();
  }
  std::printf("sealed domain '%s' (%s): %u of %zu validators, image %s, policy %s\n", in.domain.name.c_str(),
              in.domain.uuid.c_str(), in.policy.threshold, in.policy.validators.size(), in.image.c_str(),
              HexEncode(bundle.policy_digest.bytes()).substr(0, 16).c_str());
  if (in.recovery) {
    std::printf("  recovery keyslot: the passphrase in '%s' opens the image without any validator; keep it offline,\n"
                "  then remove that file\n",
                f.Get("recovery-passphrase-file")->c_str());
  } else {
    std::printf("  no recovery keyslot: if more than %zu of these validators lose their keys, the image is lost\n"
                "  (--recovery-passphrase-file adds one)\n",
                in.policy.validators.size() - in.policy.threshold);
  }
  if (in.policy.grace) {
    const std::chrono::seconds every(in.policy.reattest_s);
    std::printf("  re-attests every %s; a domain silent for %s is reported by its validators\n",
                FormatDuration(every).c_str(), FormatDuration(every * *in.policy.grace).c_str());
  }
  if (in.policy.guest) {
    std::printf("  guest: vouch-shim quotes vTPM PCRs %s; past the grace without an endorsement it runs '%s'\n"
                "  (shim.conf: owner = %s, domain = %s)\n",
                JoinPcrs(in.policy.guest->pcrs).c_str(), in.policy.guest->action.c_str(),
                DidKey::FromPublicKey(owner.public_key()).did().c_str(), in.domain.uuid.c_str());
  }
  return Ok();
}

}  // namespace

int SealCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage, kLedgerAccessUsage});
  auto flags = Flags::Parse(args,
                            WithLedgerAccessFlags({"domain", "xml", "pve-config", "bundle-out", "validators", "ledger", "genesis",
                                                   "validator-count", "max-per-operator", "max-per-region", "seed",
                                                   "threshold", "owner-key", "image", "from-raw", "size", "pcrs",
                                                   "pcr-ref", "pcrs-from-tpm", "platform", "host", "vc-ttl", "on-drift",
                                                   "reattest", "grace", "hv-min", "connect", "also-boot",
                                                   "guest-pcrs", "guest-action", "guest-boot",
                                                   "recovery-passphrase-file"}),
                            {"help", "any-pcrs", "any-host", "force", "json"}, {{"guest-boot-s", "guest-boot", "s"}});
  if (!flags.ok() || flags->Has("help") || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    std::fputs(kLedgerAccessUsage, stderr);
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
