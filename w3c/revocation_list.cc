#include "vouch/w3c/revocation_list.h"

#include <algorithm>
#include <utility>

#include "vouch/core/did_document.h"
#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/w3c/bitstring.h"
#include "vouch/w3c/data_integrity.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/host_credential.h"
#include "internal/excerpt.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using internal::Excerpt;

constexpr std::string_view kIndexDomain = "vouch status v1";
constexpr std::string_view kRevocationPurpose = "revocation";
constexpr size_t kListBytes = kRevocationListLength / 8;

bool HasType(const Json& node, std::string_view type) {
  auto t = node.find("type");
  if (t == node.end()) return false;
  if (t->is_string()) return t->get<std::string>() == type;
  return t->is_array() && std::find(t->begin(), t->end(), Json(type)) != t->end();
}

Json EntryOf(std::string_view subject) {
  return Json{{"type", kStatusListEntryType},
              {"statusPurpose", kRevocationPurpose},
              {"statusListIndex", std::to_string(StatusListIndex(subject))},
              {"statusListCredential", kRevocationListId}};
}

// The string member `name` of `node`, or kMalformed naming `where`.
Result<std::string> StringMember(const Json& node, const char* name, std::string_view where) {
  auto it = node.find(name);
  if (it == node.end() || !it->is_string()) {
    return Error(Code::kMalformed, StrCat(where, " has no string '", name, "'"));
  }
  return it->get<std::string>();
}

// Checks the list's shape and returns its bits (kMalformed otherwise).
Result<Bytes> ListBits(const Json& list) {
  auto ctx = list.find("@context");
  if (ctx == list.end() || !ctx->is_array() || ctx->empty() || (*ctx)[0] != Json(kCredentialsContextV2)) {
    return Error(Code::kMalformed, StrCat("status list @context does not start with '", kCredentialsContextV2, "'"));
  }
  if (!HasType(list, "VerifiableCredential") || !HasType(list, kStatusListCredentialType)) {
    return Error(Code::kMalformed, "status list is not a VerifiableCredential of type BitstringStatusListCredential");
  }
  VOUCH_ASSIGN_OR_RETURN(std::string id, StringMember(list, "id", "status list"));
  if (id != kRevocationListId) {
    return Error(Code::kMalformed, StrCat("status list id is '", Excerpt(id), "', not '", kRevocationListId, "'"));
  }
  auto subject = list.find("credentialSubject");
  if (subject == list.end() || !subject->is_object() || !HasType(*subject, "BitstringStatusList")) {
    return Error(Code::kMalformed, "status list credentialSubject is not a BitstringStatusList");
  }
  VOUCH_ASSIGN_OR_RETURN(std::string purpose, StringMember(*subject, "statusPurpose", "status list credentialSubject"));
  if (purpose != kRevocationPurpose) {
    return Error(Code::kMalformed, StrCat("status list statusPurpose is '", Excerpt(purpose), "', not 'revocation'"));
  }
  VOUCH_ASSIGN_OR_RETURN(std::string encoded, StringMember(*subject, "encodedList", "status list credentialSubject"));
  VOUCH_ASSIGN_OR_RETURN(Bytes bits, DecodeBitstring(encoded, kListBytes));
  if (bits.size() != kListBytes) {
    return Error(Code::kMalformed, StrCat("status list has ", bits.size() * 8, " bits, not vouch's ",
                                          kRevocationListLength));
  }
  return bits;
}

// The issuer's did:key (a string or an object with an id), kMalformed otherwise.
Result<std::string> IssuerOf(const Json& list) {
  auto it = list.find("issuer");
  const Json* id = nullptr;
  if (it != list.end() && it->is_string()) id = &*it;
  if (it != list.end() && it->is_object() && it->contains("id")) id = &(*it)["id"];
  if (id == nullptr || !id->is_string()) return Error(Code::kMalformed, "status list has no issuer");
  auto did = DidKey::Parse(id->get<std::string>());
  if (!did.ok()) return did.error().WithContext("status list issuer");
  return did->did();
}

// The one proof, by the issuer, verifies.
Status CheckProof(const Json& list, const std::string& issuer) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<ProofCheck> proofs, VerifyProofs(list));
  if (proofs.size() != 1) {
    return Error(Code::kMalformed, StrCat("status list has ", proofs.size(), " proofs, not one"));
  }
  const ProofCheck& p = proofs[0];
  if (!p.status.ok()) return p.status.error().WithContext("status list proof");
  if (p.verification_method.substr(0, p.verification_method.find('#')) != issuer || !p.previous_proof.empty()) {
    return Error(Code::kBadSignature, StrCat("status list proof is by '", Excerpt(p.verification_method, 120),
                                             "', not its issuer '", issuer, "'"));
  }
  return Ok();
}

Result<std::string> DateMember(const Json& list, const char* name) {
  VOUCH_ASSIGN_OR_RETURN(std::string text, StringMember(list, name, "status list"));
  if (!ParseDateTime(text).ok()) {
    return Error(Code::kMalformed, StrCat("status list ", name, " is not an XML dateTimeStamp"));
  }
  return text;
}

// The names of `credential`'s entries: a host credential's are its launch's
// and its host's (the rendering's order, which CheckCredential holds to
// the signed CBOR); any other's their positions.
std::string EntryName(const Json& credential, size_t position) {
  if (HasType(credential, kHostCredentialType) && position < 2) return position == 0 ? "launch" : "host";
  return StrCat("entry ", position + 1);
}

// Checks one entry into vouch's list; kRevoked if its bit is set.
Status CheckEntry(const Json& entry, const std::string& name, const RevocationList& list) {
  VOUCH_ASSIGN_OR_RETURN(std::string purpose, StringMember(entry, "statusPurpose", "credentialStatus " + name));
  VOUCH_ASSIGN_OR_RETURN(std::string index_text, StringMember(entry, "statusListIndex", "credentialStatus " + name));
  if (!HasType(entry, kStatusListEntryType) || purpose != kRevocationPurpose) {
    return Error(Code::kMalformed, StrCat("credentialStatus ", name, " is not a revocation BitstringStatusListEntry"));
  }
  const bool digits = !index_text.empty() && index_text.size() <= 7 &&
                      std::all_of(index_text.begin(), index_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const uint64_t index = digits ? std::stoull(index_text) : kRevocationListLength;
  if (index >= kRevocationListLength || (index_text.size() > 1 && index_text[0] == '0')) {
    return Error(Code::kMalformed, StrCat("credentialStatus ", name, " statusListIndex '", Excerpt(index_text),
                                          "' is not an index below ", kRevocationListLength));
  }
  if (BitAt(list.bits, index)) {
    return Error(Code::kRevoked, StrCat("credential is revoked: its ", name, " entry (statusListIndex ", index,
                                        ") is set in the status list of '", list.issuer, "'"));
  }
  return Ok();
}

}  // namespace

uint64_t StatusListIndex(std::string_view subject) {
  const Sha256Digest d = Sha256({AsBytes(kIndexDomain), AsBytes(subject)});
  uint64_t first = 0;
  for (int i = 0; i < 8; ++i) first = (first << 8) | d[i];
  return first % kRevocationListLength;
}

std::string LaunchSubjectOf(const HostVc& vc) {
  const HostVcClaims& c = vc.claims();
  return StrCat("cti:", HexEncode(c.launch_cti.empty() ? c.cti : c.launch_cti));
}

Json CredentialStatusOf(const HostVc& vc) {
  return Json::array({EntryOf(LaunchSubjectOf(vc)), EntryOf(vc.issuer().did())});
}

Result<Json> SignRevocationList(const std::vector<std::string>& revoked, const Ed25519PrivateKey& key, int64_t at,
                                int64_t validity) {
  Bytes bits(kListBytes, 0);
  for (const std::string& subject : revoked) SetBit(bits, StatusListIndex(subject));
  VOUCH_ASSIGN_OR_RETURN(std::string encoded, EncodeBitstring(bits));
  VOUCH_ASSIGN_OR_RETURN(std::string valid_from, FormatDateTime(at));
  VOUCH_ASSIGN_OR_RETURN(std::string valid_until, FormatDateTime(at + validity));
  const DidKey issuer = DidKey::FromPublicKey(key.public_key());
  const Json list = {
      {"@context", Json::array({kCredentialsContextV2})},
      {"id", kRevocationListId},
      {"type", Json::array({"VerifiableCredential", kStatusListCredentialType})},
      {"issuer", issuer.did()},
      {"validFrom", valid_from},
      {"validUntil", std::move(valid_until)},
      {"credentialSubject",
       {{"id", StrCat(kRevocationListId, "#list")},
        {"type", "BitstringStatusList"},
        {"statusPurpose", kRevocationPurpose},
        {"encodedList", std::move(encoded)}}},
  };
  ProofOptions options;
  options.verification_method = DidKeyVerificationMethodId(issuer);
  options.created = std::move(valid_from);
  return AddProof(list, options, key);
}

Result<RevocationList> CheckRevocationList(const Json& list, int64_t now) {
  if (!list.is_object()) return Error(Code::kMalformed, "status list is not a JSON object");
  RevocationList out;
  VOUCH_ASSIGN_OR_RETURN(out.bits, ListBits(list));
  VOUCH_ASSIGN_OR_RETURN(out.issuer, IssuerOf(list));
  VOUCH_ASSIGN_OR_RETURN(out.valid_from, DateMember(list, "validFrom"));
  VOUCH_ASSIGN_OR_RETURN(out.valid_until, DateMember(list, "validUntil"));
  VOUCH_RETURN_IF_ERROR(CheckProof(list, out.issuer));
  if (now < *ParseDateTime(out.valid_from)) {
    return Error(Code::kInvalidArgument, StrCat("status list is valid from ", out.valid_from, ", not yet at ",
                                                *FormatDateTime(now)));
  }
  if (now > *ParseDateTime(out.valid_until)) {
    return Error(Code::kInvalidArgument, StrCat("status list expired at ", out.valid_until, " (now ",
                                                *FormatDateTime(now), ")"));
  }
  return out;
}

Status CheckCredentialStatus(const Json& credential, const RevocationList& list) {
  auto status = credential.find("credentialStatus");
  if (status == credential.end()) return Ok();
  const Json entries = status->is_array() ? *status : Json::array({*status});
  for (size_t i = 0; i < entries.size(); ++i) {
    const Json& entry = entries[i];
    if (!entry.is_object()) return Error(Code::kMalformed, "credentialStatus holds a non-object");
    if (entry.value("statusListCredential", Json()) != Json(kRevocationListId)) continue;
    VOUCH_RETURN_IF_ERROR(CheckEntry(entry, EntryName(credential, i), list));
  }
  return Ok();
}

}  // namespace vouch::w3c
