#include "vouch/validator/api.h"

#include <initializer_list>
#include <map>
#include <string>

#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"

namespace vouch::validator {

using cbor::Value;

namespace {

// Decodes a map of exactly the byte-string fields `fields` (each non-empty),
// any of `optional` (each non-empty when present) and "index" (uint). `what`
// names the request in errors.
Status DecodeIndexedRequest(ByteView body, std::string_view what,
                            std::initializer_list<std::pair<std::string_view, Bytes*>> fields,
                            uint64_t* index,
                            std::initializer_list<std::pair<std::string_view, Bytes*>> optional = {}) {
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
        return Error(Code::kMalformed,
                     StrCat(what, ": '", k, "' must be a non-empty byte string"));
      }
      *target = value.bytes();
    } else if (k == "index") {
      if (!value.is_unsigned()) {
        return Error(Code::kMalformed, StrCat(what, ": 'index' must be an unsigned integer"));
      }
      *index = value.uint_value();
    } else {
      return Error(Code::kMalformed,
                   StrCat(what, ": unknown key '", k, "' (expected ", expected, ")"));
    }
    if (required) ++found;
  }
  if (found != fields.size() + 1) {
    return Error(Code::kMalformed, StrCat(what, ": expected keys ", expected, ", got ", found,
                                          " of them"));
  }
  return Ok();
}

}  // namespace

Result<AttestRequest> DecodeAttestRequest(ByteView body) {
  AttestRequest r;
  VOUCH_RETURN_IF_ERROR(DecodeIndexedRequest(
      body, "attest request", {{"vc", &r.vc}, {"policy", &r.policy}, {"share", &r.share}},
      &r.index));
  return r;
}

Result<ReattestRequest> DecodeReattestRequest(ByteView body) {
  ReattestRequest r;
  VOUCH_RETURN_IF_ERROR(DecodeIndexedRequest(
      body, "reattest request", {{"vc", &r.vc}, {"policy", &r.policy}, {"launch", &r.launch}},
      &r.index, {{"guest_baseline", &r.guest_baseline}}));
  return r;
}

Bytes EncodeReattestRequest(const ReattestRequest& request) {
  cbor::MapEntries m = {{"vc", Value(request.vc)},
                        {"policy", Value(request.policy)},
                        {"launch", Value(request.launch)},
                        {"index", Value(request.index)}};
  if (!request.guest_baseline.empty()) m.emplace_back("guest_baseline", Value(request.guest_baseline));
  return cbor::Encode(Value::Map(std::move(m)));
}

Bytes EncodeReattestResponse(const Reendorsement& approval) {
  return cbor::Encode(Value::Map({{"endorsement", Value(approval.endorsement)}}));
}

Bytes EncodeAttestRequest(const AttestRequest& request) {
  return cbor::Encode(Value::Map({{"vc", Value(request.vc)},
                                  {"policy", Value(request.policy)},
                                  {"share", Value(request.share)},
                                  {"index", Value(request.index)}}));
}

Bytes EncodeAttestResponse(const Approval& approval) {
  return cbor::Encode(Value::Map(
      {{"endorsement", Value(approval.endorsement)}, {"share", Value(approval.sealed_share)}}));
}

Bytes EncodeChallengeResponse(ByteView nonce, std::string_view validator_did) {
  return cbor::Encode(Value::Map({{"nonce", Value(nonce)}, {"validator", Value(validator_did)}}));
}

Bytes EncodeRefusal(const Error& error, ByteView drift_verdict) {
  cbor::MapEntries m = {{"code", Value(CodeName(error.code()))}, {"reason", Value(error.message())}};
  if (!drift_verdict.empty()) m.emplace_back("verdict", Value(Bytes(drift_verdict.begin(), drift_verdict.end())));
  return cbor::Encode(Value::Map(std::move(m)));
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kMalformed:
    case Code::kInvalidArgument:
      return 400;
    case Code::kReplay:
      return 409;
    case Code::kRateLimited:
      return 429;
    case Code::kUnavailable:
    case Code::kTimeout:
      return 503;
    case Code::kInternal:
    case Code::kIo:
    case Code::kNotFound:
    case Code::kCrypto:
      return 500;
    case Code::kBadSignature:
    case Code::kUnknownHost:
    case Code::kRevoked:
    case Code::kStaleNonce:
    case Code::kNotInPolicy:
    case Code::kHostNotAllowed:
    case Code::kUncertifiedAk:
    case Code::kBadQuote:
    case Code::kPcrMismatch:
    case Code::kHvVersion:
    case Code::kConfig:
    case Code::kDrift:
      return 403;
  }
  return 500;
}


Bytes EncodeEnrollResponse(const EnrollChallenge& challenge) {
  return cbor::Encode(Value::Map({{"credential", Value(challenge.credential)},
                                  {"secret", Value(challenge.encrypted_secret)}}));
}

}  // namespace vouch::validator
