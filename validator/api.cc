#include "vouch/validator/api.h"

#include "vouch/core/cbor.h"

namespace vouch::validator {

using cbor::Value;

Result<AttestRequest> DecodeAttestRequest(ByteView body) {
  cbor::DecodeLimits limits;
  limits.max_input_size = body.size();
  limits.max_depth = 4;
  limits.max_items = 16;
  auto decoded = cbor::Decode(body, limits);
  if (!decoded.ok()) return decoded.error().WithContext("attest request");
  const Value& v = *decoded;
  if (!v.is_map()) return Error(Code::kMalformed, "attest request: expected a CBOR map");
  AttestRequest r;
  int found = 0;
  for (const auto& [key, value] : v.map()) {
    if (!key.is_text()) {
      return Error(Code::kMalformed, "attest request: keys must be text strings");
    }
    const std::string& k = key.text();
    Bytes* target = k == "vc"       ? &r.vc
                    : k == "policy" ? &r.policy
                    : k == "share"  ? &r.share
                                    : nullptr;
    if (target != nullptr) {
      if (!value.is_bytes() || value.bytes().empty()) {
        return Error(Code::kMalformed,
                     StrCat("attest request: '", k, "' must be a non-empty byte string"));
      }
      *target = value.bytes();
    } else if (k == "index") {
      if (!value.is_unsigned()) {
        return Error(Code::kMalformed, "attest request: 'index' must be an unsigned integer");
      }
      r.index = value.uint_value();
    } else {
      return Error(Code::kMalformed, StrCat("attest request: unknown key '", k,
                                            "' (expected vc, policy, share, index)"));
    }
    ++found;
  }
  if (found != 4) {
    return Error(Code::kMalformed,
                 StrCat("attest request: expected keys vc, policy, share and index, got ", found,
                        " of them"));
  }
  return r;
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

Bytes EncodeRefusal(const Error& error) {
  return cbor::Encode(
      Value::Map({{"code", Value(CodeName(error.code()))}, {"reason", Value(error.message())}}));
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kMalformed:
    case Code::kInvalidArgument:
      return 400;
    case Code::kReplay:
      return 409;
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

}  // namespace vouch::validator
