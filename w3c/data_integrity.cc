#include "vouch/w3c/data_integrity.h"

#include <set>
#include <utility>

#include "vouch/core/base58.h"
#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/date_time.h"
#include "internal/excerpt.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using internal::Excerpt;

constexpr std::string_view kDidKeyPrefix = "did:key:";

// The proofs of `document` as a list: its `proof` object, or the members of
// its `proof` array. kMalformed if there is none or one is not an object.
Result<std::vector<Json>> ProofsOf(const Json& document) {
  if (!document.is_object()) {
    return Error(Code::kMalformed, "secured document is not a JSON object");
  }
  auto it = document.find("proof");
  if (it == document.end()) return std::vector<Json>{};
  std::vector<Json> proofs;
  if (it->is_object()) {
    proofs.push_back(*it);
  } else if (it->is_array()) {
    for (const Json& p : *it) {
      if (!p.is_object()) return Error(Code::kMalformed, "an element of 'proof' is not an object");
      proofs.push_back(p);
    }
  } else {
    return Error(Code::kMalformed, "'proof' is neither an object nor an array of objects");
  }
  return proofs;
}

// The document a proof chaining to `previous` covers (Data Integrity §4.2
// step 4, §4.3 step 4.2): `document` without its proofs, plus "proof" = the
// proofs `previous` names, in its order. kMalformed naming the first id that
// names no proof.
Result<Json> ChainInput(const Json& document, const std::vector<Json>& proofs,
                        const std::vector<std::string>& previous) {
  Json input = document;
  input.erase("proof");
  if (previous.empty()) return input;
  Json matching = Json::array();
  for (const std::string& id : previous) {
    const Json* found = nullptr;
    for (const Json& p : proofs) {
      auto pid = p.find("id");
      if (pid != p.end() && pid->is_string() && pid->get<std::string>() == id) found = &p;
    }
    if (found == nullptr) {
      return Error(Code::kMalformed, StrCat("previousProof '", Excerpt(id), "' names no proof of the document"));
    }
    matching.push_back(*found);
  }
  input["proof"] = std::move(matching);
  return input;
}

// previousProof as a list: absent, one string, or an array of strings.
Result<std::vector<std::string>> PreviousProofOf(const Json& proof) {
  auto it = proof.find("previousProof");
  if (it == proof.end()) return std::vector<std::string>{};
  if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
  std::vector<std::string> ids;
  if (it->is_array() && !it->empty()) {
    for (const Json& id : *it) {
      if (!id.is_string()) break;
      ids.push_back(id.get<std::string>());
    }
    if (ids.size() == it->size()) return ids;
  }
  return Error(Code::kMalformed, "previousProof is neither a string nor an array of strings");
}

// The Ed25519 key of a did:key verification method "did:key:z6Mk…#z6Mk…".
Result<Ed25519PublicKey> ResolveDidKeyMethod(std::string_view method) {
  const size_t hash = method.find('#');
  if (method.substr(0, kDidKeyPrefix.size()) != kDidKeyPrefix || hash == std::string_view::npos) {
    return Error(Code::kMalformed, StrCat("verification method '", Excerpt(method, 80),
                                          "' is not a did:key key (did:key:z…#z…)"));
  }
  VOUCH_ASSIGN_OR_RETURN(DidKey did, DidKey::Parse(method.substr(0, hash)));
  if (method.substr(hash + 1) != method.substr(kDidKeyPrefix.size(), hash - kDidKeyPrefix.size())) {
    return Error(Code::kMalformed, StrCat("verification method '", Excerpt(method, 120),
                                          "' names no key of its DID (the fragment must be the DID's key)"));
  }
  return did.public_key();
}

// A required string member of a proof.
Result<std::string> StringMember(const Json& proof, std::string_view name) {
  auto it = proof.find(name);
  if (it == proof.end() || !it->is_string()) {
    return Error(Code::kMalformed, StrCat("proof has no string '", name, "'"));
  }
  return it->get<std::string>();
}

// True if the array (or string) `prefix` is the start of `context`.
bool ContextStartsWith(const Json& context, const Json& prefix) {
  const Json ctx = context.is_array() ? context : Json::array({context});
  const Json pre = prefix.is_array() ? prefix : Json::array({prefix});
  if (pre.size() > ctx.size()) return false;
  for (size_t i = 0; i < pre.size(); ++i) {
    if (ctx[i] != pre[i]) return false;
  }
  return true;
}

// Data Integrity §4.4 with eddsa-jcs-2022 §3.3.2 for one proof of `document`.
Status VerifyOne(const Json& document, const std::vector<Json>& proofs, const Json& proof,
                 ProofCheck& check) {
  VOUCH_ASSIGN_OR_RETURN(std::string type, StringMember(proof, "type"));
  VOUCH_ASSIGN_OR_RETURN(std::string suite, StringMember(proof, "cryptosuite"));
  if (type != kDataIntegrityProofType || suite != kEddsaJcs2022) {
    return Error(Code::kMalformed, StrCat("proof is a '", Excerpt(type, 40), "' with cryptosuite '",
                                          Excerpt(suite, 40), "', not a DataIntegrityProof with eddsa-jcs-2022"));
  }
  VOUCH_ASSIGN_OR_RETURN(std::string purpose, StringMember(proof, "proofPurpose"));
  if (purpose != kAssertionMethod) {
    return Error(Code::kMalformed,
                 StrCat("proof purpose '", Excerpt(purpose, 40), "' is not assertionMethod"));
  }
  if (auto created = proof.find("created"); created != proof.end()) {
    if (!created->is_string()) return Error(Code::kMalformed, "proof 'created' is not a string");
    VOUCH_RETURN_IF_ERROR(ParseDateTime(created->get<std::string>()));
  }
  VOUCH_ASSIGN_OR_RETURN(Ed25519PublicKey key, ResolveDidKeyMethod(check.verification_method));
  VOUCH_ASSIGN_OR_RETURN(std::string proof_value, StringMember(proof, "proofValue"));
  if (proof_value.empty() || proof_value[0] != 'z') {
    return Error(Code::kMalformed, "proofValue is not base58btc multibase ('z…')");
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes signature, Base58Decode(std::string_view(proof_value).substr(1)));
  if (signature.size() != kEd25519SignatureSize) {
    return Error(Code::kMalformed, StrCat("proofValue holds ", signature.size(),
                                          " bytes, not a 64-byte Ed25519 signature"));
  }
  VOUCH_ASSIGN_OR_RETURN(Json unsecured, ChainInput(document, proofs, check.previous_proof));
  Json config = proof;
  config.erase("proofValue");
  if (auto ctx = config.find("@context"); ctx != config.end()) {
    auto doc_ctx = document.find("@context");
    if (doc_ctx == document.end() || !ContextStartsWith(*doc_ctx, *ctx)) {
      return Error(Code::kMalformed, "the proof's @context does not begin the document's @context");
    }
    unsecured["@context"] = *ctx;
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes hash_data, EddsaJcs2022HashData(unsecured, config));
  return key.Verify(hash_data, signature);
}

}  // namespace

Result<Bytes> EddsaJcs2022HashData(const Json& unsecured_document, const Json& proof_config) {
  VOUCH_ASSIGN_OR_RETURN(std::string config, CanonicalJson(proof_config));
  VOUCH_ASSIGN_OR_RETURN(std::string doc, CanonicalJson(unsecured_document));
  return Concat({ToBytes(Sha256(AsBytes(config))), ToBytes(Sha256(AsBytes(doc)))});
}

Result<Json> ProofConfiguration(const Json& document, const ProofOptions& options) {
  if (!document.is_object()) return Error(Code::kInvalidArgument, "document to prove is not a JSON object");
  if (options.verification_method.empty()) {
    return Error(Code::kInvalidArgument, "proof options name no verification method");
  }
  if (!options.created.empty()) {
    auto created = ParseDateTime(options.created);
    if (!created.ok()) return Error(Code::kInvalidArgument, created.error().message());
  }
  Json proof = {{"type", kDataIntegrityProofType},
                {"cryptosuite", kEddsaJcs2022},
                {"verificationMethod", options.verification_method},
                {"proofPurpose", kAssertionMethod}};
  if (!options.created.empty()) proof["created"] = options.created;
  if (!options.id.empty()) proof["id"] = options.id;
  if (options.previous_proof.size() == 1) proof["previousProof"] = options.previous_proof[0];
  if (options.previous_proof.size() > 1) proof["previousProof"] = options.previous_proof;
  if (auto ctx = document.find("@context"); ctx != document.end()) proof["@context"] = *ctx;
  return proof;
}

Result<Json> AddProof(const Json& document, const ProofOptions& options, const Ed25519PrivateKey& key) {
  VOUCH_ASSIGN_OR_RETURN(Json proof, ProofConfiguration(document, options));
  auto proofs = ProofsOf(document);
  if (!proofs.ok()) return Error(Code::kInvalidArgument, proofs.error().message());
  for (const Json& p : *proofs) {
    if (!options.id.empty() && p.value("id", Json()) == Json(options.id)) {
      return Error(Code::kInvalidArgument, StrCat("document already has a proof with id '", Excerpt(options.id), "'"));
    }
  }
  auto input = ChainInput(document, *proofs, options.previous_proof);
  if (!input.ok()) return Error(Code::kInvalidArgument, input.error().message());

  VOUCH_ASSIGN_OR_RETURN(Bytes hash_data, EddsaJcs2022HashData(*input, proof));
  proof["proofValue"] = StrCat("z", Base58Encode(key.Sign(hash_data)));

  Json secured = document;
  if (proofs->empty()) {
    secured["proof"] = std::move(proof);
  } else {
    Json all(std::move(*proofs));
    all.push_back(std::move(proof));
    secured["proof"] = std::move(all);
  }
  return secured;
}

Result<std::vector<ProofCheck>> VerifyProofs(const Json& document) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<Json> proofs, ProofsOf(document));
  if (proofs.empty()) return Error(Code::kMalformed, "document carries no proof");
  // previousProof must name one proof, not pick among namesakes.
  std::set<std::string> ids;
  for (const Json& proof : proofs) {
    auto id = proof.find("id");
    if (id != proof.end() && id->is_string() && !ids.insert(id->get<std::string>()).second) {
      return Error(Code::kMalformed, StrCat("two proofs have the id '", Excerpt(id->get<std::string>()), "'"));
    }
  }
  std::vector<ProofCheck> checks;
  for (const Json& proof : proofs) {
    ProofCheck check;
    if (auto id = proof.find("id"); id != proof.end() && id->is_string()) check.id = id->get<std::string>();
    if (auto vm = proof.find("verificationMethod"); vm != proof.end() && vm->is_string()) {
      check.verification_method = vm->get<std::string>();
    }
    auto previous = PreviousProofOf(proof);
    if (previous.ok()) {
      check.previous_proof = std::move(*previous);
      check.status = VerifyOne(document, proofs, proof, check);
    } else {
      check.status = previous.error();
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace vouch::w3c
