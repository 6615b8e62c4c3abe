#include "vouch/core/owner_policy.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "internal/cbor_reader.h"
#include "vouch/core/boot_reference.h"
#include "vouch/core/digest.h"

namespace vouch {
namespace {

using cbor::Value;
using Reader = internal::CborMapReader;

Value BytesArray(const std::vector<Bytes>& items) {
  cbor::Array a;
  for (const auto& b : items) a.emplace_back(b);
  return Value(std::move(a));
}

Value TextArray(const std::vector<std::string>& items) {
  cbor::Array a;
  for (const auto& s : items) a.emplace_back(s);
  return Value(std::move(a));
}

std::vector<Bytes> ReadBytesArray(Reader& r, const Value* v, const std::string& name,
                                  size_t exact) {
  std::vector<Bytes> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    r.Fail(StrCat("field '", name, "' must be an array of byte strings"));
    return out;
  }
  for (const auto& e : v->array()) {
    if (!e.is_bytes() || (exact != 0 && e.bytes().size() != exact)) {
      r.Fail(StrCat("field '", name, "' must hold ", exact, "-byte strings"));
      return out;
    }
    out.push_back(e.bytes());
  }
  return out;
}

Value BootValue(const PolicyBoot& b) {
  return Value::Map({{"firmware", b.firmware},
                     {"loader", b.loader},
                     {"nvram_template", b.nvram_template},
                     {"kernel", b.kernel},
                     {"initrd", b.initrd},
                     {"cmdline", b.cmdline}});
}

std::optional<std::vector<std::string>> OptionalTextList(Reader& r, const char* key) {
  if (r.Get(key, key, /*required=*/false) == nullptr) return std::nullopt;
  return r.TextList(key, key);
}

PolicyBoot ReadBoot(Reader& r) {
  PolicyBoot b;
  b.firmware = r.Text("firmware", "firmware");
  b.loader = r.Text("loader", "loader");
  b.nvram_template = r.Text("nvram_template", "nvram_template");
  b.kernel = r.Text("kernel", "kernel");
  b.initrd = r.Text("initrd", "initrd");
  b.cmdline = r.Text("cmdline", "cmdline");
  return b;
}

std::vector<uint32_t> ReadPcrList(Reader& r, const Value* v, const std::string& name) {
  std::vector<uint32_t> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    r.Fail(StrCat("field '", name, "' must be an array of PCR indexes"));
    return out;
  }
  for (const auto& e : v->array()) {
    if (!e.is_unsigned() || e.uint_value() > 23) {
      r.Fail(StrCat("field '", name, "' must hold PCR indexes 0..23"));
      break;
    }
    out.push_back(static_cast<uint32_t>(e.uint_value()));
  }
  return out;
}

std::map<uint32_t, std::vector<Bytes>> ReadPcrValues(Reader& r, const Value* map,
                                                     const std::string& name) {
  std::map<uint32_t, std::vector<Bytes>> out;
  if (map == nullptr) return out;
  for (const auto& [k, v] : map->map()) {
    if (!k.is_unsigned() || k.uint_value() > 23) {
      r.Fail(StrCat("field '", name, "' has a key that is not a PCR index 0..23"));
      break;
    }
    out[static_cast<uint32_t>(k.uint_value())] =
        ReadBytesArray(r, &v, StrCat(name, "/", k.uint_value()), 32);
  }
  return out;
}

Value PcrListValue(const std::vector<uint32_t>& pcrs) {
  cbor::Array a;
  for (uint32_t i : pcrs) a.emplace_back(uint64_t{i});
  return Value(std::move(a));
}

Value PcrValuesValue(const std::map<uint32_t, std::vector<Bytes>>& values) {
  cbor::MapEntries m;
  for (const auto& [i, v] : values) m.emplace_back(uint64_t{i}, BytesArray(v));
  return Value::Map(std::move(m));
}

Value GuestValue(const GuestPolicy& g) {
  return Value::Map({{"pcrs", PcrListValue(g.pcrs)},
                     {"reference", PcrValuesValue(g.reference)},
                     {"boot_s", g.boot_s},
                     {"action", g.action}});
}

GuestPolicy ReadGuest(Reader& r) {
  GuestPolicy g;
  g.pcrs = ReadPcrList(r, r.Get("pcrs", "pcrs"), "pcrs");
  g.reference = ReadPcrValues(r, r.Map("reference", "reference"), "reference");
  g.boot_s = r.Uint("boot_s", "boot_s");
  g.action = r.Text("action", "action");
  return g;
}

bool IsGuestAction(std::string_view a) {
  if (a == "poweroff" || a == "reboot" || a == "none") return true;
  return a.starts_with("exec:/") && a.size() > 6;
}

// The checks of one guest policy that its fields' types do not already make.
std::optional<std::string> GuestPolicyProblem(const GuestPolicy& g) {
  if (g.pcrs.empty()) return "guest.pcrs must name at least one PCR";
  std::set<uint32_t> seen;
  for (uint32_t i : g.pcrs) {
    if (!seen.insert(i).second) return StrCat("guest.pcrs lists PCR ", i, " twice");
  }
  for (const auto& [i, values] : g.reference) {
    if (!seen.count(i)) return StrCat("guest.reference pins PCR ", i, ", which guest.pcrs does not quote");
    if (values.empty()) return StrCat("guest.reference lists no value for PCR ", i);
  }
  if (g.boot_s == 0 || g.boot_s > 3600) return "guest.boot_s must be 1..3600 seconds";
  if (!IsGuestAction(g.action)) {
    return StrCat("guest.action must be poweroff, reboot, none or exec:/ABSOLUTE/PATH, got '",
                  g.action, "'");
  }
  return std::nullopt;
}

std::optional<std::string> PlatformsProblem(const std::vector<std::string>& platforms) {
  if (platforms.size() > kMaxPolicyPlatforms) {
    return StrCat("more than ", kMaxPolicyPlatforms, " platform classes");
  }
  std::set<std::string> seen;
  for (const std::string& name : platforms) {
    if (Status s = CheckPlatformClassName(name, "platform class"); !s.ok()) return s.error().message();
    if (!seen.insert(name).second) return StrCat("platform class '", name, "' is named twice");
  }
  return std::nullopt;
}

}  // namespace

cbor::Value OwnerPolicyToCbor(const OwnerPolicy& p) {
  cbor::Array validators;
  for (const auto& v : p.validators) {
    validators.push_back(Value::Map(
        {{"did", v.did}, {"hpke_pk", Value(v.hpke_public_key)}, {"endpoint", v.endpoint}}));
  }
  cbor::MapEntries hv;
  for (const auto& [k, v] : p.hv_min) hv.emplace_back(k, v);
  cbor::MapEntries rt = {{"memory_kib_max", p.rt.memory_kib_max},
                         {"vcpus_max", p.rt.vcpus_max},
                         {"nets_allowed", TextArray(p.rt.nets_allowed)}};
  if (p.rt.devices_allowed) rt.emplace_back("devices_allowed", TextArray(*p.rt.devices_allowed));
  if (p.rt.disks_allowed) rt.emplace_back("disks_allowed", TextArray(*p.rt.disks_allowed));
  if (p.rt.boot_allowed) {
    cbor::Array boots;
    for (const PolicyBoot& b : *p.rt.boot_allowed) boots.push_back(BootValue(b));
    rt.emplace_back("boot_allowed", Value(std::move(boots)));
  }
  if (p.rt.emulators_allowed) rt.emplace_back("emulators_allowed", TextArray(*p.rt.emulators_allowed));
  if (!p.rt.qemu_args.empty()) rt.emplace_back("qemu_args", TextArray(p.rt.qemu_args));
  if (!p.rt.qemu_passthrough.empty()) rt.emplace_back("qemu_passthrough", TextArray(p.rt.qemu_passthrough));
  cbor::MapEntries m = {
      {"domain", p.domain_uuid},
      {"t", uint64_t{p.threshold}},
      {"validators", Value(std::move(validators))},
      {"pcrs", PcrListValue(p.pcrs)},
      {"reference", Value::Map({{"boot", BytesArray(p.reference_boot)},
                                {"pcrs", PcrValuesValue(p.reference_pcrs)}})},
      {"hv_min", Value::Map(std::move(hv))},
      {"rt", Value::Map(std::move(rt))},
      {"vc_ttl", p.vc_ttl},
      {"reattest_s", p.reattest_s},
      {"on_drift", p.on_drift},
      {"hosts", p.hosts ? TextArray(*p.hosts) : Value("any")},
      {"commit", BytesArray(p.commit)},
      {"kcv", Value(p.kcv)},
  };
  if (p.grace) m.emplace_back("grace", uint64_t{*p.grace});
  if (p.guest) m.emplace_back("guest", GuestValue(*p.guest));
  if (!p.platforms.empty()) m.emplace_back("platforms", TextArray(p.platforms));
  return Value::Map(std::move(m));
}

Result<OwnerPolicy> OwnerPolicyFromCbor(const cbor::Value& map) {
  if (!map.is_map()) return Error(Code::kMalformed, "owner policy payload is not a CBOR map");
  OwnerPolicy p;
  Reader r(map, "owner policy");
  p.domain_uuid = r.Text("domain", "domain");
  uint64_t t = r.Uint("t", "t");
  if (const Value* vs = r.Get("validators", "validators")) {
    if (!vs->is_array() || vs->array().empty()) {
      r.Fail("field 'validators' must be a non-empty array");
    } else {
      for (const auto& v : vs->array()) {
        if (!v.is_map()) {
          r.Fail("field 'validators' must hold maps");
          break;
        }
        Reader vr(v, StrCat("owner policy validator ", p.validators.size()));
        PolicyValidator pv;
        pv.did = vr.Text("did", "did");
        pv.hpke_public_key = vr.ByteString("hpke_pk", "hpke_pk", 32);
        pv.endpoint = vr.Text("endpoint", "endpoint");
        vr.NoUnknown();
        if (vr.error()) {
          r.Fail(*vr.error());
          break;
        }
        if (auto d = DidKey::Parse(pv.did); !d.ok()) {
          r.Fail(StrCat("validator ", p.validators.size(), ": ", d.error().message()));
          break;
        }
        p.validators.push_back(std::move(pv));
      }
    }
  }
  p.pcrs = ReadPcrList(r, r.Get("pcrs", "pcrs"), "pcrs");
  if (const Value* ref = r.Map("reference", "reference")) {
    Reader rr(*ref, "owner policy 'reference'");
    p.reference_boot = ReadBytesArray(rr, rr.Get("boot", "boot"), "boot", 32);
    p.reference_pcrs = ReadPcrValues(rr, rr.Map("pcrs", "pcrs"), "pcrs");
    rr.NoUnknown();
    if (rr.error()) r.Fail(*rr.error());
  }
  if (const Value* hv = r.Map("hv_min", "hv_min")) {
    for (const auto& [k, v] : hv->map()) {
      if (!k.is_text() || !v.is_text()) {
        r.Fail("field 'hv_min' must map component names to version strings");
        break;
      }
      if (k.text() != "libvirt" && k.text() != "qemu" && k.text() != "kernel") {
        r.Fail(StrCat("field 'hv_min' names unknown component '", k.text(),
                      "' (known: libvirt, qemu, kernel)"));
        break;
      }
      p.hv_min[k.text()] = v.text();
    }
  }
  if (const Value* rt = r.Map("rt", "rt")) {
    Reader rr(*rt, "owner policy 'rt'");
    p.rt.memory_kib_max = rr.Uint("memory_kib_max", "memory_kib_max");
    p.rt.vcpus_max = rr.Uint("vcpus_max", "vcpus_max");
    p.rt.nets_allowed = rr.TextList("nets_allowed", "nets_allowed");
    p.rt.devices_allowed = OptionalTextList(rr, "devices_allowed");
    p.rt.disks_allowed = OptionalTextList(rr, "disks_allowed");
    p.rt.boot_allowed = rr.Maps<PolicyBoot>("boot_allowed", "boot_allowed", ReadBoot, /*required=*/false);
    p.rt.emulators_allowed = OptionalTextList(rr, "emulators_allowed");
    p.rt.qemu_args = OptionalTextList(rr, "qemu_args").value_or(std::vector<std::string>{});
    p.rt.qemu_passthrough = OptionalTextList(rr, "qemu_passthrough").value_or(std::vector<std::string>{});
    rr.NoUnknown();
    if (rr.error()) r.Fail(*rr.error());
  }
  p.vc_ttl = r.Uint("vc_ttl", "vc_ttl");
  p.reattest_s = r.Uint("reattest_s", "reattest_s");
  p.on_drift = r.Text("on_drift", "on_drift");
  if (r.Get("grace", "grace", /*required=*/false) != nullptr) {
    uint64_t grace = r.Uint("grace", "grace");
    if (grace == 0 || grace > 100) r.Fail("field 'grace' must be 1..100 intervals");
    p.grace = static_cast<uint32_t>(grace);
  }
  if (const Value* g = r.Map("guest", "guest", /*required=*/false)) {
    Reader gr(*g, "owner policy 'guest'");
    GuestPolicy guest = ReadGuest(gr);
    gr.NoUnknown();
    if (gr.error()) r.Fail(*gr.error());
    p.guest = std::move(guest);
  }
  if (const Value* hosts = r.Get("hosts", "hosts")) {
    if (hosts->is_text() && hosts->text() == "any") {
      p.hosts.reset();
    } else {
      p.hosts = r.TextList("hosts", "hosts");
    }
  }
  p.commit = ReadBytesArray(r, r.Get("commit", "commit"), "commit", 32);
  p.kcv = r.ByteString("kcv", "kcv", 32);
  if (r.Get("platforms", "platforms", /*required=*/false) != nullptr) {
    p.platforms = r.TextList("platforms", "platforms");
    if (!r.error() && p.platforms.empty()) r.Fail("field 'platforms' is written only when it names a class");
  }
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());

  size_t n = p.validators.size();
  if (t < 2 || t > n) {
    return Error(Code::kMalformed,
                 StrCat("owner policy: threshold t=", t, " must be between 2 and n=", n));
  }
  p.threshold = static_cast<uint32_t>(t);
  if (p.commit.size() != n) {
    return Error(Code::kMalformed, StrCat("owner policy: ", p.commit.size(),
                                          " share commitments for ", n, " validators"));
  }
  std::set<std::string> dids;
  for (const auto& v : p.validators) {
    if (!dids.insert(v.did).second) {
      return Error(Code::kMalformed, StrCat("owner policy: validator '", v.did, "' is listed twice"));
    }
  }
  if (p.on_drift != "pause" && p.on_drift != "destroy" && p.on_drift != "alert") {
    return Error(Code::kMalformed, StrCat("owner policy: on_drift must be pause, destroy or alert, got '",
                                          p.on_drift, "'"));
  }
  if (p.guest) {
    if (auto problem = GuestPolicyProblem(*p.guest)) {
      return Error(Code::kMalformed, StrCat("owner policy: ", *problem));
    }
    if (!p.grace) return Error(Code::kMalformed, "owner policy: a 'guest' section needs 'grace'");
  }
  if (p.reattest_s == 0 && p.grace) {
    return Error(Code::kMalformed, "owner policy: 'grace' needs reattest_s of at least 1 second");
  }
  if (auto problem = PlatformsProblem(p.platforms)) {
    return Error(Code::kMalformed, StrCat("owner policy: ", *problem));
  }
  if (p.vc_ttl == 0 || p.vc_ttl > 3600) {
    return Error(Code::kMalformed, "owner policy: vc_ttl must be 1..3600 seconds");
  }
  return p;
}

Bytes ShareCommitment(const SecretBytes& share) {
  ByteView s = share.Expose();
  uint8_t x = s.empty() ? 0 : s.back();
  return ToBytes(Sha256({ByteView(&x, 1), s}));
}

Bytes KeyCheckValue(const SecretBytes& key) {
  return ToBytes(HmacSha256(key.Expose(), AsBytes("vouch kcv")));
}

Result<SignedPolicy> SignedPolicy::Sign(const OwnerPolicy& policy, const Ed25519PrivateKey& owner) {
  Bytes payload = cbor::Encode(OwnerPolicyToCbor(policy));
  VOUCH_ASSIGN_OR_RETURN(auto decoded, cbor::Decode(payload));
  VOUCH_RETURN_IF_ERROR(OwnerPolicyFromCbor(decoded));  // never sign what cannot be read
  std::string did = DidKey::FromPublicKey(owner.public_key()).did();
  VOUCH_ASSIGN_OR_RETURN(
      CoseSign1 msg,
      CoseSign1::Sign(Value::Map({{cose::kHeaderContentType, std::string(kPolicyContentType)},
                                  {cose::kHeaderKid, Value(AsBytes(did))}}),
                      Value::Map({}), payload, owner));
  return SignedPolicy(policy, did, msg.Encode());
}

Result<SignedPolicy> SignedPolicy::Parse(ByteView encoded) {
  auto msg = CoseSign1::Parse(encoded);
  if (!msg.ok()) return msg.error().WithContext("owner policy");
  const Value* ct = msg->protected_headers().Find(cose::kHeaderContentType);
  if (ct == nullptr || !ct->is_text() || ct->text() != kPolicyContentType) {
    return Error(Code::kMalformed, StrCat("owner policy: protected content type (3) must be \"",
                                          kPolicyContentType, "\""));
  }
  const Value* kid = msg->protected_headers().Find(cose::kHeaderKid);
  if (kid == nullptr || !kid->is_bytes()) {
    return Error(Code::kMalformed, "owner policy: protected kid (4) must hold the owner DID");
  }
  auto did = DidKey::Parse(ToString(kid->bytes()));
  if (!did.ok()) return did.error().WithContext("owner policy kid");
  if (msg->alg() != cose::kAlgEdDSA || !msg->Verify(did->public_key()).ok()) {
    return Error(Code::kBadSignature,
                 StrCat("owner policy signature does not verify with owner '", did->did(), "'"));
  }
  auto payload = cbor::Decode(msg->payload());
  if (!payload.ok()) return payload.error().WithContext("owner policy payload");
  VOUCH_ASSIGN_OR_RETURN(OwnerPolicy p, OwnerPolicyFromCbor(*payload));
  return SignedPolicy(std::move(p), did->did(), Bytes(encoded.begin(), encoded.end()));
}

std::optional<size_t> SignedPolicy::IndexOf(std::string_view validator_did) const {
  for (size_t i = 0; i < policy_.validators.size(); ++i) {
    if (policy_.validators[i].did == validator_did) return i;
  }
  return std::nullopt;
}

Bytes EncodeBundle(const ProtectionBundle& bundle) {
  cbor::Array shares;
  for (const auto& s : bundle.sealed_shares) shares.emplace_back(s);
  return cbor::Encode(Value::Map(
      {{"v", 1}, {"policy", Value(bundle.policy)}, {"shares", Value(std::move(shares))}}));
}

Result<ProtectionBundle> DecodeBundle(ByteView encoded) {
  cbor::DecodeLimits limits;
  limits.max_input_size = 256 * 1024;
  auto v = cbor::Decode(encoded, limits);
  if (!v.ok()) return v.error().WithContext("protection bundle");
  Reader r(*v, "protection bundle");
  if (r.Uint("v", "v") != 1 && !r.error()) r.Fail("unsupported version (this vouch reads v 1)");
  ProtectionBundle b;
  b.policy = r.ByteString("policy", "policy");
  b.sealed_shares = ReadBytesArray(r, r.Get("shares", "shares"), "shares", 0);
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  if (b.sealed_shares.size() < 2 || b.sealed_shares.size() > 255) {
    return Error(Code::kMalformed, StrCat("protection bundle: ", b.sealed_shares.size(),
                                          " sealed shares (expected 2..255)"));
  }
  return b;
}

Result<SignedPolicy> PolicyOfBundle(ByteView encoded) {
  VOUCH_ASSIGN_OR_RETURN(ProtectionBundle bundle, DecodeBundle(encoded));
  return SignedPolicy::Parse(bundle.policy);
}

int CompareVersions(std::string_view a, std::string_view b) {
  auto next = [](std::string_view& s) {
    size_t dot = s.find_first_of(".-");
    std::string_view part = s.substr(0, dot);
    s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    return part;
  };
  while (!a.empty() || !b.empty()) {
    std::string_view pa = next(a), pb = next(b);
    bool na = !pa.empty() && std::all_of(pa.begin(), pa.end(), ::isdigit);
    bool nb = !pb.empty() && std::all_of(pb.begin(), pb.end(), ::isdigit);
    if (na && nb) {
      // Compare numerically without overflow: strip leading zeros, then length.
      pa.remove_prefix(std::min(pa.find_first_not_of('0'), pa.size()));
      pb.remove_prefix(std::min(pb.find_first_not_of('0'), pb.size()));
      if (pa.size() != pb.size()) return pa.size() < pb.size() ? -1 : 1;
      if (int c = pa.compare(pb); c != 0) return c < 0 ? -1 : 1;
    } else {
      if (pa.empty() != pb.empty()) return pa.empty() ? -1 : 1;
      if (int c = pa.compare(pb); c != 0) return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

}  // namespace vouch
