#include "vouch/core/host_vc.h"

#include <set>

#include "internal/cbor_reader.h"
#include "vouch/core/digest.h"

namespace vouch {
namespace {

using cbor::Value;
using Reader = internal::CborMapReader;

// COSE_Key labels (RFC 9052 §7, RFC 9053 §7.2).
constexpr int kKty = 1, kKtyOkp = 1, kCrv = -1, kCrvX25519 = 4, kX = -2;
constexpr int kCnfCoseKey = 1;

Value PcrMap(const std::map<uint32_t, Bytes>& pcrs) {
  cbor::MapEntries m;
  for (const auto& [i, v] : pcrs) m.emplace_back(Value(uint64_t{i}), Value(v));
  return Value::Map(std::move(m));
}

}  // namespace

Bytes BootHash(const std::map<uint32_t, Bytes>& pcrs) {
  Bytes all;
  for (const auto& [i, v] : pcrs) all.insert(all.end(), v.begin(), v.end());
  return ToBytes(Sha256(all));
}

cbor::Value HostVcClaimsToCbor(const HostVcClaims& c) {
  cbor::Array nonces;
  for (const auto& n : c.nonces) nonces.emplace_back(n);
  Value cose_key = Value::Map({{kKty, kKtyOkp}, {kCrv, kCrvX25519}, {kX, Value(c.ephemeral_public_key)}});
  Value hv = Value::Map({{"libvirt", c.hypervisor.libvirt},
                         {"qemu", c.hypervisor.qemu},
                         {"kernel", c.hypervisor.kernel},
                         {"machine", c.hypervisor.machine}});
  Value tpm = Value::Map({{"present", c.tpm.present},
                          {"manufacturer", c.tpm.manufacturer},
                          {"fw", c.tpm.firmware},
                          {"quote", Value(c.tpm.quote)},
                          {"sig", Value(c.tpm.signature)},
                          {"pcrs", PcrMap(c.tpm.pcrs)}});
  cbor::MapEntries m = {
      {1, c.issuer},
      {2, c.domain_uuid},
      {6, c.issued_at},
      {4, c.expires_at},
      {7, Value(c.cti)},
      {10, Value(std::move(nonces))},
      {8, Value::Map({{kCnfCoseKey, std::move(cose_key)}})},
      {"vouch.type", c.type},
      {"vouch.hv", std::move(hv)},
      {"vouch.tpm", std::move(tpm)},
      {"vouch.boot", Value(c.boot_hash)},
      {"vouch.dom", Value(c.domain_config)},
      {"vouch.cfg", Value(c.config_digest)},
      {"vouch.policy", Value(c.policy_digest)},
  };
  if (!c.launch_cti.empty()) m.emplace_back("vouch.launch", Value(c.launch_cti));
  if (!c.event_log_digest.empty()) m.emplace_back("vouch.evlog", Value(c.event_log_digest));
  if (c.guest) {
    m.emplace_back("vouch.guest", Value::Map({{"quote", Value(c.guest->quote)},
                                              {"sig", Value(c.guest->signature)},
                                              {"pcrs", PcrMap(c.guest->pcrs)},
                                              {"log", Value(c.guest->log)},
                                              {"ak", Value(c.guest->ak)}}));
  }
  return Value::Map(std::move(m));
}

Result<HostVcClaims> HostVcClaimsFromCbor(const cbor::Value& map) {
  if (!map.is_map()) return Error(Code::kMalformed, "host VC payload is not a CBOR map");
  HostVcClaims c;
  Reader r(map, "host VC", "claim");
  c.issuer = r.Text(1, "iss");
  c.domain_uuid = r.Text(2, "sub");
  c.issued_at = r.Int(6, "iat");
  c.expires_at = r.Int(4, "exp");
  c.cti = r.ByteString(7, "cti", kCtiSize);
  if (const Value* n = r.Get(10, "eat_nonce")) {
    if (!n->is_array() || n->array().empty()) {
      r.Fail("claim 'eat_nonce' must be a non-empty array of byte strings");
    } else {
      for (const auto& e : n->array()) {
        if (!e.is_bytes() || e.bytes().empty() || e.bytes().size() > 64) {
          r.Fail("claim 'eat_nonce' must hold byte strings of 1..64 bytes");
          break;
        }
        c.nonces.push_back(e.bytes());
      }
    }
  }
  if (const Value* cnf = r.Map(8, "cnf")) {
    Reader cr(*cnf, "host VC claim 'cnf'", "claim");
    if (const Value* key = cr.Map(kCnfCoseKey, "COSE_Key")) {
      Reader kr(*key, "host VC cnf COSE_Key", "claim");
      if (kr.Int(kKty, "kty") != kKtyOkp) kr.Fail("kty must be OKP (1)");
      if (kr.Int(kCrv, "crv") != kCrvX25519) kr.Fail("crv must be X25519 (4)");
      c.ephemeral_public_key = kr.ByteString(kX, "x", 32);
      kr.NoUnknown();
      if (kr.error()) r.Fail(*kr.error());
    }
    cr.NoUnknown();
    if (cr.error()) r.Fail(*cr.error());
  }
  c.type = r.Text("vouch.type", "vouch.type");
  if (!r.error() && c.type != "launch" && c.type != "reattest") {
    r.Fail(StrCat("claim 'vouch.type' must be \"launch\" or \"reattest\", got \"", c.type, "\""));
  }
  if (const Value* hv = r.Map("vouch.hv", "vouch.hv")) {
    Reader hr(*hv, "host VC claim 'vouch.hv'", "claim");
    c.hypervisor.libvirt = hr.Text("libvirt", "libvirt");
    c.hypervisor.qemu = hr.Text("qemu", "qemu");
    c.hypervisor.kernel = hr.Text("kernel", "kernel");
    c.hypervisor.machine = hr.Text("machine", "machine");
    hr.NoUnknown();
    if (hr.error()) r.Fail(*hr.error());
  }
  if (const Value* tpm = r.Map("vouch.tpm", "vouch.tpm")) {
    Reader tr(*tpm, "host VC claim 'vouch.tpm'", "claim");
    c.tpm.present = tr.Bool("present", "present");
    c.tpm.manufacturer = tr.Text("manufacturer", "manufacturer");
    c.tpm.firmware = tr.Text("fw", "fw");
    c.tpm.quote = tr.ByteString("quote", "quote");
    c.tpm.signature = tr.ByteString("sig", "sig");
    c.tpm.pcrs = tr.Pcrs("pcrs", "pcrs");
    tr.NoUnknown();
    if (tr.error()) r.Fail(*tr.error());
  }
  c.boot_hash = r.ByteString("vouch.boot", "vouch.boot", 32);
  c.domain_config = r.ByteString("vouch.dom", "vouch.dom");
  c.config_digest = r.ByteString("vouch.cfg", "vouch.cfg", 32);
  c.policy_digest = r.ByteString("vouch.policy", "vouch.policy", 32);
  if (r.Get("vouch.launch", "vouch.launch", /*required=*/false) != nullptr) {
    c.launch_cti = r.ByteString("vouch.launch", "vouch.launch", kCtiSize);
  }
  if (r.Get("vouch.evlog", "vouch.evlog", /*required=*/false) != nullptr) {
    c.event_log_digest = r.ByteString("vouch.evlog", "vouch.evlog", 32);
  }
  if (const Value* g = r.Map("vouch.guest", "vouch.guest", /*required=*/false)) {
    Reader gr(*g, "host VC claim 'vouch.guest'", "claim");
    GuestEvidence ge;
    ge.quote = gr.ByteString("quote", "quote");
    ge.signature = gr.ByteString("sig", "sig");
    ge.pcrs = gr.Pcrs("pcrs", "pcrs");
    ge.log = gr.ByteString("log", "log", 32);
    ge.ak = gr.ByteString("ak", "ak");
    gr.NoUnknown();
    if (gr.error()) r.Fail(*gr.error());
    c.guest = std::move(ge);
  }
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  if (c.expires_at <= c.issued_at) {
    return Error(Code::kMalformed, "host VC: 'exp' must be after 'iat'");
  }
  if (c.guest && c.type != "reattest") {
    return Error(Code::kMalformed, "host VC: claim 'vouch.guest' is only allowed in a reattest VC");
  }
  if (!c.launch_cti.empty() && c.type != "reattest") {
    return Error(Code::kMalformed, "host VC: claim 'vouch.launch' is only allowed in a reattest VC");
  }
  if (c.guest && c.launch_cti.empty()) {
    return Error(Code::kMalformed,
                 "host VC: claim 'vouch.guest' needs 'vouch.launch' (the launch it re-attests)");
  }
  return c;
}

}  // namespace vouch

namespace vouch {

Result<HostVc> HostVc::Issue(const HostVcClaims& claims, const Ed25519PrivateKey& host_key) {
  DidKey did = DidKey::FromPublicKey(host_key.public_key());
  if (claims.issuer != did.did()) {
    return Error(Code::kInvalidArgument,
                 StrCat("host VC: issuer '", claims.issuer, "' is not the DID of the signing key ('",
                        did.did(), "')"));
  }
  Bytes payload = cbor::Encode(HostVcClaimsToCbor(claims));
  // Round-trip through the strict reader so nothing unreadable is ever issued.
  VOUCH_ASSIGN_OR_RETURN(auto decoded, cbor::Decode(payload));
  VOUCH_RETURN_IF_ERROR(HostVcClaimsFromCbor(decoded));
  cbor::Value protected_extra = cbor::Value::Map(
      {{cose::kHeaderContentType, std::string(kHostVcContentType)},
       {cose::kHeaderKid, cbor::Value(AsBytes(did.did()))}});
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 msg, CoseSign1::Sign(protected_extra, cbor::Value::Map({}),
                                                        payload, host_key));
  return HostVc(claims, std::move(did), std::move(msg));
}

Result<HostVc> HostVc::Parse(ByteView encoded) { return Parse(encoded, DidKey::Parse); }

Result<HostVc> HostVc::Parse(ByteView encoded, const DidResolver& resolve) {
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 msg, CoseSign1::Parse(encoded));
  const cbor::Value* ct = msg.protected_headers().Find(cose::kHeaderContentType);
  if (ct == nullptr || !ct->is_text() || ct->text() != kHostVcContentType) {
    return Error(Code::kMalformed,
                 StrCat("host VC: protected content type (3) must be \"", kHostVcContentType, "\""));
  }
  const cbor::Value* kid = msg.protected_headers().Find(cose::kHeaderKid);
  if (kid == nullptr || !kid->is_bytes()) {
    return Error(Code::kMalformed, "host VC: protected kid (4) must hold the host DID as bytes");
  }
  auto did = resolve(ToString(kid->bytes()));
  if (!did.ok()) return did.error().WithContext("host VC kid");
  if (msg.alg() != cose::kAlgEdDSA) {
    return Error(Code::kMalformed, "host VC: algorithm must be EdDSA (-8)");
  }
  auto verified = msg.Verify(did->public_key());
  if (!verified.ok()) {
    return Error(Code::kBadSignature,
                 StrCat("host VC signature does not verify with issuer '", did->did(), "'"));
  }
  for (const auto& [label, value] : msg.unprotected().map()) {
    if (!(label == cbor::Value(cose::kHeaderCountersignatureV2)) && !(label == cbor::Value(kCarriedProofLabel)) &&
        !(label == cbor::Value(kCarriedCoseLabel))) {
      return Error(Code::kMalformed, StrCat("host VC: unknown unprotected header label ", label.ToDiagnostic(),
                                            " (vouch reads 11, \"", kCarriedProofLabel, "\" and \"",
                                            kCarriedCoseLabel, "\")"));
    }
  }
  VOUCH_RETURN_IF_ERROR(CarriedProofIn(msg.unprotected(), "host VC"));
  VOUCH_RETURN_IF_ERROR(CarriedCoseSignatureIn(msg.unprotected(), "host VC"));
  auto payload = cbor::Decode(msg.payload());
  if (!payload.ok()) return payload.error().WithContext("host VC payload");
  VOUCH_ASSIGN_OR_RETURN(HostVcClaims claims, HostVcClaimsFromCbor(*payload));
  if (claims.issuer != did->did()) {
    return Error(Code::kMalformed, StrCat("host VC: iss '", claims.issuer,
                                          "' differs from the signing DID '", did->did(), "'"));
  }
  return HostVc(std::move(claims), std::move(did).value(), std::move(msg));
}

std::optional<CarriedProof> HostVc::carried_proof() const {
  auto proof = CarriedProofIn(message_.unprotected(), "host VC");
  return proof.ok() ? *proof : std::nullopt;  // Parse and CarryProof keep it well-formed
}

void HostVc::CarryProof(const CarriedProof& proof) {
  // Cannot fail: the label is text, neither alg, crit nor 11, and never protected.
  (void)message_.SetUnprotectedHeader(cbor::Value(kCarriedProofLabel), CarriedProofToCbor(proof));
}

std::optional<Bytes> HostVc::carried_cose_signature() const {
  auto signature = CarriedCoseSignatureIn(message_.unprotected(), "host VC");
  return signature.ok() ? *signature : std::nullopt;  // Parse and CarryCoseSignature keep it well-formed
}

void HostVc::CarryCoseSignature(const Bytes& signature) {
  // Cannot fail: the label is text, neither alg, crit nor 11, and never protected.
  (void)message_.SetUnprotectedHeader(cbor::Value(kCarriedCoseLabel), cbor::Value(signature));
}

VcDigest HostVc::Digest() const {
  cbor::MapEntries unprotected;
  for (const auto& [k, v] : message_.unprotected().map()) {
    if (!(k == cbor::Value(cose::kHeaderCountersignatureV2))) unprotected.emplace_back(k, v);
  }
  cbor::Value bare = cbor::Value::Tag(
      cose::kTagSign1,
      cbor::Array{cbor::Value(message_.protected_bytes()), cbor::Value::Map(std::move(unprotected)),
                  cbor::Value(message_.payload()), cbor::Value(message_.signature())});
  return VcDigest::Of(cbor::Encode(bare));
}

}  // namespace vouch
