#include "vouch/ledger/entry.h"

#include <algorithm>
#include <limits>

#include "internal/cbor_reader.h"
#include "vouch/core/countersign.h"

namespace vouch::ledger {
namespace {

using cbor::Value;

cbor::DecodeLimits EntryLimits() {
  cbor::DecodeLimits limits;
  limits.max_input_size = kMaxEntrySize;
  limits.max_string_size = kMaxEntrySize;
  limits.max_items = 1 << 14;
  limits.max_depth = 16;
  return limits;
}

bool CarriesCountersignatures(EntryType type) {
  return type == EntryType::kValidatorRegister || type == EntryType::kRevoke ||
         type == EntryType::kCheckpoint || type == EntryType::kReinstate || type == EntryType::kReference;
}

// The DID in the kid (label 4) of `headers`, a protected header of `what`.
Result<DidKey> KidDid(const Value& headers, std::string_view what) {
  const Value* kid = headers.Find(cose::kHeaderKid);
  if (kid == nullptr || !kid->is_bytes()) {
    return Error(Code::kMalformed, StrCat(what, ": protected kid (4) must hold the signer's DID as bytes"));
  }
  auto did = DidKey::Parse(ToString(kid->bytes()));
  if (!did.ok()) return did.error().WithContext(StrCat(what, " kid"));
  return std::move(did).value();
}

// Every label of the map `headers` is one of `allowed`.
Status OnlyLabels(const Value& headers, std::initializer_list<int64_t> allowed, std::string_view what) {
  for (const auto& [label, v] : headers.map()) {
    bool ok = false;
    for (int64_t a : allowed) ok = ok || label == Value(a);
    if (!ok) {
      return Error(Code::kMalformed, StrCat(what, " has an unexpected label ", label.ToDiagnostic()));
    }
  }
  return Ok();
}

Value ProtectedExtra(const DidKey& did, bool with_content_type) {
  cbor::MapEntries m = {{cose::kHeaderKid, Value(AsBytes(did.did()))}};
  if (with_content_type) m.emplace_back(cose::kHeaderContentType, std::string(kEntryContentType));
  return Value::Map(std::move(m));
}

}  // namespace

Entry::Entry(CoseSign1 message, Bytes encoded, DidKey author, uint64_t index, Sha256Digest prev,
             int64_t at, EntryBody body, std::vector<std::string> countersigners, bool verified)
    : message_(std::move(message)),
      encoded_(std::move(encoded)),
      digest_(Sha256(encoded_)),
      author_(std::move(author)),
      index_(index),
      prev_(prev),
      at_(at),
      body_(std::move(body)),
      countersigners_(std::move(countersigners)),
      signatures_verified_(verified) {}

Result<Entry> Entry::Sign(uint64_t index, const Sha256Digest& prev, int64_t at, EntryBody body,
                          const Ed25519PrivateKey& author) {
  if (index > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Error(Code::kInvalidArgument, StrCat("entry index ", index, " is above 2^63-1"));
  }
  EntryType type = TypeOf(body);
  Value payload = Value::Map({{"type", std::string(EntryTypeName(type))},
                              {"index", index},
                              {"prev", Value(ByteView(prev))},
                              {"at", at},
                              {"body", BodyToCbor(body)}});
  DidKey did = DidKey::FromPublicKey(author.public_key());
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 message,
                         CoseSign1::Sign(ProtectedExtra(did, /*with_content_type=*/true),
                                         Value::Map({}), cbor::Encode(payload), author));
  // Read the result back with the strict reader so nothing Parse would
  // refuse is ever handed out (the body rules, sizes and limits are Parse's).
  auto entry = ParseImpl(message.Encode(), /*verify=*/false);
  if (!entry.ok()) {
    return Error(Code::kInvalidArgument,
                 StrCat("cannot sign this ", EntryTypeName(type), " entry: ", entry.error().message()));
  }
  entry->signatures_verified_ = true;
  return entry;
}

Result<Entry> Entry::Parse(ByteView encoded) { return ParseImpl(encoded, /*verify=*/true); }

Result<Entry> Entry::ParsePinned(ByteView encoded) { return ParseImpl(encoded, /*verify=*/false); }

Result<Entry> Entry::ParseImpl(ByteView encoded, bool verify) {
  if (encoded.size() > kMaxEntrySize) {
    return Error(Code::kMalformed, StrCat("entry is ", encoded.size(),
                                          " bytes, more than the limit of ", kMaxEntrySize));
  }
  const cbor::DecodeLimits limits = EntryLimits();
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 message, CoseSign1::Parse(encoded, limits));
  if (message.alg() != cose::kAlgEdDSA) {
    return Error(Code::kMalformed, "entry: algorithm must be EdDSA (-8)");
  }
  const Value& prot = message.protected_headers();
  VOUCH_RETURN_IF_ERROR(OnlyLabels(
      prot, {cose::kHeaderAlg, cose::kHeaderContentType, cose::kHeaderKid}, "entry protected header"));
  const Value* ct = prot.Find(cose::kHeaderContentType);
  if (ct == nullptr || !ct->is_text() || ct->text() != kEntryContentType) {
    return Error(Code::kMalformed,
                 StrCat("entry: protected content type (3) must be \"", kEntryContentType, "\""));
  }
  VOUCH_ASSIGN_OR_RETURN(DidKey author, KidDid(prot, "entry"));
  VOUCH_RETURN_IF_ERROR(OnlyLabels(message.unprotected(), {cose::kHeaderCountersignatureV2},
                                   "entry unprotected header"));
  if (verify && !message.Verify(author.public_key()).ok()) {
    return Error(Code::kBadSignature,
                 StrCat("entry signature does not verify with its author '", author.did(), "'"));
  }

  auto payload = cbor::Decode(message.payload(), limits);
  if (!payload.ok()) return payload.error().WithContext("entry payload");
  if (!payload->is_map()) return Error(Code::kMalformed, "entry payload: expected a CBOR map");
  internal::CborMapReader r(*payload, "entry payload");
  std::string type_name = r.Text("type", "type");
  uint64_t index = r.Uint("index", "index");
  Bytes prev = r.ByteString("prev", "prev", sizeof(Sha256Digest));
  int64_t at = r.Int("at", "at");
  const Value* body_cbor = r.Map("body", "body");
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  std::optional<EntryType> type = EntryTypeFromName(type_name);
  if (!type) return Error(Code::kMalformed, StrCat("entry payload: unknown entry type \"", type_name, "\""));
  if (index > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Error(Code::kMalformed, StrCat("entry payload: index ", index, " is above 2^63-1"));
  }
  VOUCH_ASSIGN_OR_RETURN(EntryBody body, BodyFromCbor(*type, *body_cbor));
  Sha256Digest prev_digest;
  std::copy(prev.begin(), prev.end(), prev_digest.begin());

  VOUCH_ASSIGN_OR_RETURN(std::vector<Countersignature> countersignatures,
                         Countersignatures(message, limits));
  if (!countersignatures.empty() && !CarriesCountersignatures(*type)) {
    return Error(Code::kMalformed, StrCat("a ", type_name, " entry carries no countersignatures, "
                                          "found ", countersignatures.size()));
  }
  std::vector<std::string> signers;
  for (size_t i = 0; i < countersignatures.size(); ++i) {
    const Countersignature& cs = countersignatures[i];
    std::string what = StrCat("countersignature ", i);
    VOUCH_RETURN_IF_ERROR(OnlyLabels(cs.protected_headers(), {cose::kHeaderAlg, cose::kHeaderKid},
                                     StrCat(what, " protected header")));
    if (cs.alg() != cose::kAlgEdDSA) {
      return Error(Code::kMalformed, StrCat(what, ": algorithm must be EdDSA (-8)"));
    }
    if (!cs.unprotected().map().empty()) {
      return Error(Code::kMalformed, StrCat(what, ": unprotected header must be empty"));
    }
    VOUCH_ASSIGN_OR_RETURN(DidKey signer, KidDid(cs.protected_headers(), what));
    if (signer == author) {
      return Error(Code::kMalformed, StrCat(what, " is by the entry's own author '", author.did(), "'"));
    }
    if (std::find(signers.begin(), signers.end(), signer.did()) != signers.end()) {
      return Error(Code::kMalformed, StrCat("'", signer.did(), "' countersigned the entry twice"));
    }
    if (verify && !cs.Verify(message, signer.public_key()).ok()) {
      return Error(Code::kBadSignature, StrCat("countersignature by '", signer.did(),
                                               "' does not verify over this entry"));
    }
    signers.push_back(signer.did());
  }
  return Entry(std::move(message), Bytes(encoded.begin(), encoded.end()), std::move(author), index,
               prev_digest, at, std::move(body), std::move(signers), verify);
}

Result<Entry> Entry::Countersigned(const Ed25519PrivateKey& key) const {
  if (!CarriesCountersignatures(type())) {
    return Error(Code::kInvalidArgument, StrCat("a ", EntryTypeName(type()),
                                                " entry carries no countersignatures"));
  }
  DidKey signer = DidKey::FromPublicKey(key.public_key());
  if (signer == author_) {
    return Error(Code::kInvalidArgument, StrCat("'", signer.did(), "' is the entry's author and "
                                                "cannot countersign it"));
  }
  if (std::find(countersigners_.begin(), countersigners_.end(), signer.did()) != countersigners_.end()) {
    return Error(Code::kInvalidArgument, StrCat("'", signer.did(), "' has countersigned this entry already"));
  }
  VOUCH_ASSIGN_OR_RETURN(Countersignature cs,
                         Countersign(message_, ProtectedExtra(signer, /*with_content_type=*/false), key));
  CoseSign1 message = message_;
  VOUCH_RETURN_IF_ERROR(AddCountersignature(message, cs));
  Bytes encoded = message.Encode();
  if (encoded.size() > kMaxEntrySize) {
    return Error(Code::kInvalidArgument, StrCat("countersigned entry would be ", encoded.size(),
                                                " bytes, more than the limit of ", kMaxEntrySize));
  }
  std::vector<std::string> signers = countersigners_;
  signers.push_back(signer.did());
  return Entry(std::move(message), std::move(encoded), author_, index_, prev_, at_, body_,
               std::move(signers), signatures_verified_);
}

}  // namespace vouch::ledger
