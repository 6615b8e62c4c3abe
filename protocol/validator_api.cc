#include "vouch/protocol/validator_api.h"

#include <initializer_list>
#include <utility>

#include "vouch/core/cbor.h"

namespace vouch::protocol {
namespace {

using cbor::Value;
using Fields = std::initializer_list<std::pair<std::string_view, Bytes*>>;

// Decodes a request map of exactly the byte-string fields `fields` (each
// non-empty), any of `optional` (each non-empty when present) and "index"
// (uint). `what` names the request in errors.
Status DecodeIndexedRequest(ByteView body, std::string_view what, Fields fields, uint64_t* index,
                            Fields optional = {}) {
  cbor::DecodeLimits limits;
  limits.max_input_size = body.size();
  limits.max_depth = 4;
  limits.max_items = 16;
  auto decoded = cbor::Decode(body, limits);
  if (!decoded.ok()) return decoded.error().WithContext(what);
  const Value& v = *decoded;
  if (!v.is_map()) return Error(Code::kMalformed, StrCat(what, ": expected a CBOR map"));
  std::string expected;
  for (const auto& [name, target] : fields) expected += StrCat(name, ", ");
  expected += "index";
  for (const auto& [name, field] : optional) expected += StrCat(", ", name, " (optional)");
  size_t found = 0;
  for (const auto& [key, value] : v.map()) {
    if (!key.is_text()) return Error(Code::kMalformed, StrCat(what, ": keys must be text strings"));
    const std::string& k = key.text();
    Bytes* target = nullptr;
    for (const auto& [name, field] : fields) {
      if (k == name) target = field;
    }
    bool required = target != nullptr || k == "index";
    for (const auto& [name, field] : optional) {
      if (k == name) target = field;
    }
    if (target != nullptr) {
      if (!value.is_bytes() || value.bytes().empty()) {
        return Error(Code::kMalformed, StrCat(what, ": '", k, "' must be a non-empty byte string"));
      }
      *target = value.bytes();
    } else if (k == "index") {
      if (!value.is_unsigned()) {
        return Error(Code::kMalformed, StrCat(what, ": 'index' must be an unsigned integer"));
      }
      *index = value.uint_value();
    } else {
      return Error(Code::kMalformed, StrCat(what, ": unknown key '", k, "' (expected ", expected, ")"));
    }
    if (required) ++found;
  }
  if (found != fields.size() + 1) {
    return Error(Code::kMalformed, StrCat(what, ": expected keys ", expected, ", got ", found, " of them"));
  }
  return Ok();
}

// An answer: a CBOR map of at most kMaxAnswerBytes.
Result<Value> DecodeAnswer(ByteView body, std::string_view what) {
  cbor::DecodeLimits limits;
  limits.max_input_size = kMaxAnswerBytes;
  auto v = cbor::Decode(body, limits);
  if (!v.ok()) return v.error().WithContext(what);
  if (!v->is_map()) return Error(Code::kMalformed, StrCat(what, " is not a CBOR map"));
  return v;
}

// The byte string `key` of answer `v`; kMalformed naming it if absent or
// of another type.
Result<Bytes> AnswerBytes(const Value& v, std::string_view key, std::string_view what) {
  const Value* field = v.Find(key);
  if (field == nullptr || !field->is_bytes()) {
    return Error(Code::kMalformed, StrCat(what, " lacks the byte string '", key, "'"));
  }
  return field->bytes();
}

}  // namespace

Bytes EncodeAttestRequest(const AttestRequest& request) {
  cbor::MapEntries m = {{"vc", Value(request.vc)},
                        {"policy", Value(request.policy)},
                        {"share", Value(request.share)},
                        {"index", Value(request.index)}};
  if (!request.event_log.empty()) m.emplace_back("evlog", Value(request.event_log));
  return cbor::Encode(Value::Map(std::move(m)));
}

Result<AttestRequest> DecodeAttestRequest(ByteView body) {
  AttestRequest r;
  VOUCH_RETURN_IF_ERROR(DecodeIndexedRequest(
      body, "attest request", {{"vc", &r.vc}, {"policy", &r.policy}, {"share", &r.share}}, &r.index,
      {{"evlog", &r.event_log}}));
  return r;
}

Bytes EncodeReattestRequest(const ReattestRequest& request) {
  cbor::MapEntries m = {{"vc", Value(request.vc)},
                        {"policy", Value(request.policy)},
                        {"launch", Value(request.launch)},
                        {"index", Value(request.index)}};
  if (!request.guest_baseline.empty()) m.emplace_back("guest_baseline", Value(request.guest_baseline));
  if (!request.event_log.empty()) m.emplace_back("evlog", Value(request.event_log));
  return cbor::Encode(Value::Map(std::move(m)));
}

Result<ReattestRequest> DecodeReattestRequest(ByteView body) {
  ReattestRequest r;
  VOUCH_RETURN_IF_ERROR(DecodeIndexedRequest(body, "reattest request",
                                             {{"vc", &r.vc}, {"policy", &r.policy}, {"launch", &r.launch}},
                                             &r.index, {{"guest_baseline", &r.guest_baseline}, {"evlog", &r.event_log}}));
  return r;
}

Bytes EncodeChallengeAnswer(const ChallengeAnswer& answer) {
  return cbor::Encode(Value::Map({{"nonce", Value(answer.nonce)}, {"validator", Value(answer.validator_did)}}));
}

Result<ChallengeAnswer> DecodeChallengeAnswer(ByteView body) {
  constexpr std::string_view kWhat = "challenge";
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeAnswer(body, kWhat));
  ChallengeAnswer a;
  VOUCH_ASSIGN_OR_RETURN(a.nonce, AnswerBytes(v, "nonce", kWhat));
  if (a.nonce.empty() || a.nonce.size() > kMaxNonceBytes) {
    return Error(Code::kMalformed, StrCat("challenge nonce must be 1 to ", kMaxNonceBytes, " bytes, got ",
                                          a.nonce.size()));
  }
  const Value* did = v.Find("validator");
  if (did == nullptr || !did->is_text()) {
    return Error(Code::kMalformed, "challenge lacks the text string 'validator'");
  }
  a.validator_did = did->text();
  return a;
}

Bytes EncodeAttestAnswer(const AttestAnswer& answer) {
  return cbor::Encode(Value::Map({{"endorsement", Value(answer.endorsement)}, {"share", Value(answer.share)}}));
}

Result<AttestAnswer> DecodeAttestAnswer(ByteView body) {
  constexpr std::string_view kWhat = "attest answer";
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeAnswer(body, kWhat));
  AttestAnswer a;
  VOUCH_ASSIGN_OR_RETURN(a.endorsement, AnswerBytes(v, "endorsement", kWhat));
  VOUCH_ASSIGN_OR_RETURN(a.share, AnswerBytes(v, "share", kWhat));
  return a;
}

Bytes EncodeReattestAnswer(ByteView endorsement) {
  return cbor::Encode(Value::Map({{"endorsement", Value(endorsement)}}));
}

Result<Bytes> DecodeReattestAnswer(ByteView body) {
  constexpr std::string_view kWhat = "reattest answer";
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeAnswer(body, kWhat));
  return AnswerBytes(v, "endorsement", kWhat);
}

Bytes EncodeEnrollAnswer(const EnrollAnswer& answer) {
  return cbor::Encode(
      Value::Map({{"credential", Value(answer.credential)}, {"secret", Value(answer.encrypted_secret)}}));
}

Result<EnrollAnswer> DecodeEnrollAnswer(ByteView body) {
  constexpr std::string_view kWhat = "enroll answer";
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeAnswer(body, kWhat));
  EnrollAnswer a;
  VOUCH_ASSIGN_OR_RETURN(a.credential, AnswerBytes(v, "credential", kWhat));
  VOUCH_ASSIGN_OR_RETURN(a.encrypted_secret, AnswerBytes(v, "secret", kWhat));
  return a;
}

Bytes EncodeRefusal(const Error& error, ByteView drift_verdict) {
  cbor::MapEntries m = {{"code", Value(CodeName(error.code()))}, {"reason", Value(error.message())}};
  if (!drift_verdict.empty()) m.emplace_back("verdict", Value(drift_verdict));
  return cbor::Encode(Value::Map(std::move(m)));
}

Result<Refusal> DecodeRefusal(ByteView body) {
  constexpr std::string_view kWhat = "refusal";
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeAnswer(body, kWhat));
  const Value* code = v.Find("code");
  const Value* reason = v.Find("reason");
  if (code == nullptr || !code->is_text() || reason == nullptr || !reason->is_text()) {
    return Error(Code::kMalformed, "refusal lacks the text strings 'code' and 'reason'");
  }
  Refusal r{CodeFromName(code->text()), code->text(), reason->text(), {}};
  if (const Value* verdict = v.Find("verdict"); verdict != nullptr && verdict->is_bytes()) {
    r.drift_verdict = verdict->bytes();
  }
  return r;
}

}  // namespace vouch::protocol
