#include "vouch/ledger/entry_body.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <array>
#include <set>

#include "internal/cbor_reader.h"
#include "vouch/core/did_key.h"
#include "vouch/core/ssl_ptr.h"

namespace vouch::ledger {
namespace {

using cbor::Value;
using Reader = internal::CborMapReader;

constexpr std::array<std::string_view, 10> kTypeNames = {
    "genesis", "did-register",  "did-update", "validator-register",
    "validator-update", "revoke", "attested", "checkpoint", "reinstate", "reference"};

constexpr size_t kDigestSize = 32;
constexpr size_t kHpkePublicKeySize = 32;

std::string Did(Reader& r, const char* key) {
  std::string did = r.Text(key, key);
  if (r.error()) return did;
  auto parsed = DidKey::Parse(did);
  if (!parsed.ok()) r.Fail(StrCat("field '", key, "' is not a did:key: ", parsed.error().message()));
  return did;
}

void NonEmptyText(Reader& r, const char* key, std::string* out) {
  *out = r.Text(key, key);
  if (!r.error() && out->empty()) r.Fail(StrCat("field '", key, "' must not be empty"));
}

// TPM2B_PUBLIC: a 2-byte big-endian size followed by exactly that many bytes.
void CheckTpm2bPublic(Reader& r, const char* key, const Bytes& b) {
  if (r.error()) return;
  if (b.size() < 3 || (size_t{b[0]} << 8 | b[1]) != b.size() - 2) {
    r.Fail(StrCat("field '", key,
                  "' must be a TPM2B_PUBLIC (2-byte size followed by that many bytes), got ",
                  b.size(), " bytes"));
  }
}

bool IsDerCertificate(const Bytes& der) {
  const unsigned char* p = der.data();
  SslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  bool ok = cert != nullptr && p == der.data() + der.size();
  if (!ok) ERR_clear_error();
  return ok;
}

void CheckFacts(Reader& r, const char* key, const Value& facts) {
  for (const auto& [k, v] : facts.map()) {
    if (!k.is_text()) return r.Fail(StrCat("field '", key, "' must have text keys"));
  }
}

std::vector<std::string> DidList(Reader& r, const char* key, bool non_empty) {
  std::vector<std::string> out = r.TextList(key, key);
  if (r.error()) return out;
  if (non_empty && out.empty()) {
    r.Fail(StrCat("field '", key, "' must name at least one DID"));
    return out;
  }
  std::set<std::string> seen;
  for (const auto& did : out) {
    auto parsed = DidKey::Parse(did);
    if (!parsed.ok()) {
      r.Fail(StrCat("field '", key, "' holds something that is not a did:key: ",
                    parsed.error().message()));
      return out;
    }
    if (!seen.insert(did).second) {
      r.Fail(StrCat("field '", key, "' lists '", did, "' twice"));
      return out;
    }
  }
  return out;
}

GenesisBody ReadGenesis(Reader& r) {
  GenesisBody b;
  b.governance = DidList(r, "governance", /*non_empty=*/true);
  if (const Value* cas = r.Get("tpm_cas", "tpm_cas")) {
    if (!cas->is_array()) {
      r.Fail("field 'tpm_cas' must be an array of byte strings");
    } else {
      for (size_t i = 0; i < cas->array().size(); ++i) {
        const Value& c = cas->array()[i];
        if (!c.is_bytes() || !IsDerCertificate(c.bytes())) {
          r.Fail(StrCat("field 'tpm_cas' element ", i, " is not a DER X.509 certificate"));
          break;
        }
        b.tpm_cas.push_back(c.bytes());
      }
    }
  }
  b.certify_quorum = r.Uint("certify_quorum", "certify_quorum");
  b.admit_quorum = r.Uint("admit_quorum", "admit_quorum");
  b.revoke_quorum = r.Uint("revoke_quorum", "revoke_quorum");
  if (r.error()) return b;
  for (auto [name, q] : {std::pair{"certify_quorum", b.certify_quorum},
                         std::pair{"admit_quorum", b.admit_quorum},
                         std::pair{"revoke_quorum", b.revoke_quorum}}) {
    if (q == 0) return r.Fail(StrCat("field '", name, "' must be at least 1")), b;
  }
  if (b.admit_quorum > b.governance.size()) {
    r.Fail(StrCat("field 'admit_quorum' is ", b.admit_quorum, " but only ", b.governance.size(),
                  " governance keys are named"));
  }
  return b;
}

DidRegisterBody ReadDidRegister(Reader& r) {
  DidRegisterBody b;
  b.did = Did(r, "did");
  b.ak_public = r.ByteString("ak_public", "ak_public");
  CheckTpm2bPublic(r, "ak_public", b.ak_public);
  if (const Value* ek = r.Get("ek_cert", "ek_cert")) {
    if (ek->is_bytes()) {
      if (!IsDerCertificate(ek->bytes())) r.Fail("field 'ek_cert' is not a DER X.509 certificate");
      b.ek_cert = ek->bytes();
    } else if (!ek->is_null()) {
      r.Fail("field 'ek_cert' must be a byte string or null");
    }
  }
  if (const Value* facts = r.Map("facts", "facts")) {
    CheckFacts(r, "facts", *facts);
    b.facts = *facts;
  }
  return b;
}

DidUpdateBody ReadDidUpdate(Reader& r) {
  DidUpdateBody b;
  b.did = Did(r, "did");
  if (r.Get("certify_ak", "certify_ak", /*required=*/false) != nullptr) {
    b.certify_ak = r.ByteString("certify_ak", "certify_ak", kDigestSize);
  }
  if (r.Get("ak_public", "ak_public", /*required=*/false) != nullptr) {
    b.ak_public = r.ByteString("ak_public", "ak_public");
    CheckTpm2bPublic(r, "ak_public", *b.ak_public);
  }
  if (const Value* facts = r.Map("facts", "facts", /*required=*/false)) {
    CheckFacts(r, "facts", *facts);
    b.facts = *facts;
  }
  if (r.error()) return b;
  if (b.certify_ak && (b.ak_public || b.facts)) {
    r.Fail("'certify_ak' (a certification) cannot be combined with 'ak_public' or 'facts'");
  } else if (!b.certify_ak && !b.ak_public && !b.facts) {
    r.Fail("expected 'certify_ak', or at least one of 'ak_public' and 'facts'");
  }
  return b;
}

ValidatorRegisterBody ReadValidatorRegister(Reader& r) {
  ValidatorRegisterBody b;
  b.did = Did(r, "did");
  b.hpke_pk = r.ByteString("hpke_pk", "hpke_pk", kHpkePublicKeySize);
  NonEmptyText(r, "endpoint", &b.endpoint);
  NonEmptyText(r, "operator", &b.operator_name);
  NonEmptyText(r, "region", &b.region);
  return b;
}

ValidatorUpdateBody ReadValidatorUpdate(Reader& r) {
  ValidatorUpdateBody b;
  b.did = Did(r, "did");
  if (r.Get("reputation", "reputation", /*required=*/false) != nullptr) {
    b.reputation = r.Uint("reputation", "reputation");
    if (!r.error() && *b.reputation > kMaxReputation) {
      r.Fail(StrCat("field 'reputation' must be 0..", kMaxReputation, ", got ", *b.reputation));
    }
  }
  if (r.Get("endpoint", "endpoint", /*required=*/false) != nullptr) {
    b.endpoint.emplace();
    NonEmptyText(r, "endpoint", &*b.endpoint);
  }
  if (r.Get("hpke_pk", "hpke_pk", /*required=*/false) != nullptr) {
    b.hpke_pk = r.ByteString("hpke_pk", "hpke_pk", kHpkePublicKeySize);
  }
  if (!r.error() && !b.reputation && !b.endpoint && !b.hpke_pk) {
    r.Fail("expected at least one of 'reputation', 'endpoint' and 'hpke_pk'");
  }
  return b;
}

void Reason(Reader& r, std::string* out) {
  NonEmptyText(r, "reason", out);
  if (!r.error() && out->size() > kMaxReasonSize) {
    r.Fail(StrCat("field 'reason' must be at most ", kMaxReasonSize, " bytes, got ", out->size()));
  }
}

void Domain(Reader& r, std::string* out) {
  NonEmptyText(r, "domain", out);
  if (!r.error() && out->size() > kMaxDomainSize) {
    r.Fail(StrCat("field 'domain' must be at most ", kMaxDomainSize, " bytes, got ", out->size()));
  }
}

RevokeBody ReadRevoke(Reader& r) {
  RevokeBody b;
  b.subject = r.Text("subject", "subject");
  if (!r.error() && !IsCtiSubject(b.subject)) {
    auto did = DidKey::Parse(b.subject);
    if (!did.ok()) {
      r.Fail(StrCat("field 'subject' must be a did:key or \"cti:\" followed by 32 lower-case hex "
                    "digits: ",
                    did.error().message()));
    }
  }
  Reason(r, &b.reason);
  b.evidence = r.ByteString("evidence", "evidence");
  if (!r.error() && b.evidence.size() > kMaxEvidenceSize) {
    r.Fail(StrCat("field 'evidence' must be at most ", kMaxEvidenceSize, " bytes, got ",
                  b.evidence.size()));
  }
  const bool has_host = r.Get("host", "host", /*required=*/false) != nullptr;
  const bool has_domain = r.Get("domain", "domain", /*required=*/false) != nullptr;
  const bool has_owner = r.Get("owner", "owner", /*required=*/false) != nullptr;
  if (r.error()) return b;
  if (!has_host && !has_domain) {
    if (has_owner) r.Fail("field 'owner' goes with 'host' and 'domain' (the launch's owner)");
    return b;
  }
  if (has_host != has_domain) {
    r.Fail("fields 'host' and 'domain' go together (the launch's host and domain)");
  } else if (!IsCtiSubject(b.subject)) {
    r.Fail("fields 'host' and 'domain' are only for a launch credential (a \"cti:\" subject)");
  } else {
    b.host = Did(r, "host");
    Domain(r, &b.domain);
  }
  if (has_owner) b.owner = Did(r, "owner");
  if (r.Get("owner_proof", "owner_proof", /*required=*/false) != nullptr) {
    b.owner_proof = r.ByteString("owner_proof", "owner_proof");
    if (!r.error() && b.owner.empty()) {
      r.Fail("field 'owner_proof' goes with 'owner' (the owner whose policy it proves)");
    } else if (!r.error() && (b.owner_proof.empty() || b.owner_proof.size() > kMaxOwnerProofSize)) {
      r.Fail(StrCat("field 'owner_proof' must be 1 to ", kMaxOwnerProofSize, " bytes, got ",
                    b.owner_proof.size()));
    }
  }
  return b;
}

ReinstateBody ReadReinstate(Reader& r) {
  ReinstateBody b;
  b.host = Did(r, "host");
  Domain(r, &b.domain);
  Reason(r, &b.reason);
  return b;
}

AttestedBody ReadAttested(Reader& r) {
  AttestedBody b;
  b.vc_digest = r.ByteString("vc_digest", "vc_digest", kDigestSize);
  NonEmptyText(r, "domain", &b.domain);
  b.host = Did(r, "host");
  b.validators = DidList(r, "validators", /*non_empty=*/false);
  return b;
}

CheckpointBody ReadCheckpoint(Reader& r) {
  CheckpointBody b;
  b.head_index = r.Uint("head_index", "head_index");
  b.head_digest = r.ByteString("head_digest", "head_digest", kDigestSize);
  return b;
}

Value DidArray(const std::vector<std::string>& dids) {
  cbor::Array a;
  for (const auto& d : dids) a.emplace_back(d);
  return Value(std::move(a));
}

struct ToCbor {
  Value operator()(const GenesisBody& b) const {
    cbor::Array cas;
    for (const auto& c : b.tpm_cas) cas.emplace_back(c);
    return Value::Map({{"governance", DidArray(b.governance)},
                       {"tpm_cas", Value(std::move(cas))},
                       {"certify_quorum", b.certify_quorum},
                       {"admit_quorum", b.admit_quorum},
                       {"revoke_quorum", b.revoke_quorum}});
  }
  Value operator()(const DidRegisterBody& b) const {
    return Value::Map({{"did", b.did},
                       {"ak_public", Value(b.ak_public)},
                       {"ek_cert", b.ek_cert ? Value(*b.ek_cert) : Value::Null()},
                       {"facts", b.facts}});
  }
  Value operator()(const DidUpdateBody& b) const {
    cbor::MapEntries m = {{"did", b.did}};
    if (b.certify_ak) m.emplace_back("certify_ak", Value(*b.certify_ak));
    if (b.ak_public) m.emplace_back("ak_public", Value(*b.ak_public));
    if (b.facts) m.emplace_back("facts", *b.facts);
    return Value::Map(std::move(m));
  }
  Value operator()(const ValidatorRegisterBody& b) const {
    return Value::Map({{"did", b.did},
                       {"hpke_pk", Value(b.hpke_pk)},
                       {"endpoint", b.endpoint},
                       {"operator", b.operator_name},
                       {"region", b.region}});
  }
  Value operator()(const ValidatorUpdateBody& b) const {
    cbor::MapEntries m = {{"did", b.did}};
    if (b.reputation) m.emplace_back("reputation", *b.reputation);
    if (b.endpoint) m.emplace_back("endpoint", *b.endpoint);
    if (b.hpke_pk) m.emplace_back("hpke_pk", Value(*b.hpke_pk));
    return Value::Map(std::move(m));
  }
  Value operator()(const RevokeBody& b) const {
    cbor::MapEntries m = {{"subject", b.subject}, {"reason", b.reason}, {"evidence", Value(b.evidence)}};
    if (!b.host.empty()) m.emplace_back("host", b.host);
    if (!b.domain.empty()) m.emplace_back("domain", b.domain);
    if (!b.owner.empty()) m.emplace_back("owner", b.owner);
    if (!b.owner_proof.empty()) m.emplace_back("owner_proof", Value(b.owner_proof));
    return Value::Map(std::move(m));
  }
  Value operator()(const AttestedBody& b) const {
    return Value::Map({{"vc_digest", Value(b.vc_digest)},
                       {"domain", b.domain},
                       {"host", b.host},
                       {"validators", DidArray(b.validators)}});
  }
  Value operator()(const CheckpointBody& b) const {
    return Value::Map({{"head_index", b.head_index}, {"head_digest", Value(b.head_digest)}});
  }
  Value operator()(const ReinstateBody& b) const {
    return Value::Map({{"host", b.host}, {"domain", b.domain}, {"reason", b.reason}});
  }
  Value operator()(const ReferenceBody& b) const { return BootReferenceToCbor(b.reference); }
};

}  // namespace

std::string_view EntryTypeName(EntryType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::optional<EntryType> EntryTypeFromName(std::string_view name) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<EntryType>(i);
  }
  return std::nullopt;
}

EntryType TypeOf(const EntryBody& body) { return static_cast<EntryType>(body.index()); }

bool IsCtiSubject(std::string_view subject) {
  if (subject.substr(0, kCtiSubjectPrefix.size()) != kCtiSubjectPrefix) return false;
  std::string_view hex = subject.substr(kCtiSubjectPrefix.size());
  if (hex.size() != 32) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::string> SingleOperatorWarning(const GenesisBody& genesis) {
  std::string ones;
  for (auto [name, quorum] : {std::pair{"certify_quorum", genesis.certify_quorum},
                              std::pair{"admit_quorum", genesis.admit_quorum},
                              std::pair{"revoke_quorum", genesis.revoke_quorum}}) {
    if (quorum <= 1) ones += StrCat(ones.empty() ? "" : ", ", name, " ", quorum);
  }
  if (ones.empty()) return std::nullopt;
  return StrCat("ledger genesis allows a single operator (", ones, "): a lab set-up, not a threshold");
}

cbor::Value BodyToCbor(const EntryBody& body) { return std::visit(ToCbor{}, body); }

Result<EntryBody> BodyFromCbor(EntryType type, const cbor::Value& body) {
  std::string where = StrCat(EntryTypeName(type), " body");
  if (!body.is_map()) return Error(Code::kMalformed, StrCat(where, ": expected a CBOR map"));
  if (type == EntryType::kReference) {
    auto reference = BootReferenceFromCbor(body);
    if (!reference.ok()) return reference.error().WithContext(where);
    return EntryBody(ReferenceBody{std::move(reference).value()});
  }
  Reader r(body, where);
  EntryBody out;
  switch (type) {
    case EntryType::kGenesis: out = ReadGenesis(r); break;
    case EntryType::kDidRegister: out = ReadDidRegister(r); break;
    case EntryType::kDidUpdate: out = ReadDidUpdate(r); break;
    case EntryType::kValidatorRegister: out = ReadValidatorRegister(r); break;
    case EntryType::kValidatorUpdate: out = ReadValidatorUpdate(r); break;
    case EntryType::kRevoke: out = ReadRevoke(r); break;
    case EntryType::kAttested: out = ReadAttested(r); break;
    case EntryType::kCheckpoint: out = ReadCheckpoint(r); break;
    case EntryType::kReinstate: out = ReadReinstate(r); break;
    case EntryType::kReference: break;  // above
  }
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  return out;
}

}  // namespace vouch::ledger
