#include "vouch/core/enrollment_request.h"

#include "internal/cbor_reader.h"
#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"

namespace vouch {
namespace {

using cbor::Value;

constexpr std::string_view kDomain = "vouch-enroll-v1";
constexpr size_t kMaxSecret = 64;

std::string_view StepName(EnrollStep step) { return step == EnrollStep::kBegin ? "begin" : "finish"; }

Bytes SigningInput(const EnrollmentRequest& r, std::string_view validator_did) {
  return cbor::Encode(Value(cbor::Array{Value(std::string(kDomain)), Value(std::string(StepName(r.step))),
                                        Value(std::string(validator_did)), Value(r.did), Value(r.at),
                                        Value(r.secret)}));
}

}  // namespace

EnrollmentRequest SignEnrollmentRequest(EnrollStep step, const Ed25519PrivateKey& host_key,
                                        std::string_view validator_did, int64_t at, ByteView secret) {
  EnrollmentRequest r;
  r.step = step;
  r.did = DidKey::FromPublicKey(host_key.public_key()).did();
  r.at = at;
  if (step == EnrollStep::kFinish) r.secret.assign(secret.begin(), secret.end());
  r.signature = host_key.Sign(SigningInput(r, validator_did));
  return r;
}

Bytes EncodeEnrollmentRequest(const EnrollmentRequest& r) {
  cbor::MapEntries m = {{Value("did"), Value(r.did)}, {Value("at"), Value(r.at)}};
  if (r.step == EnrollStep::kFinish) m.emplace_back(Value("secret"), Value(r.secret));
  m.emplace_back(Value("sig"), Value(r.signature));
  return cbor::Encode(Value::Map(std::move(m)));
}

Result<EnrollmentRequest> DecodeEnrollmentRequest(EnrollStep step, ByteView body) {
  const std::string where = StrCat("enroll ", StepName(step), " request");
  cbor::DecodeLimits limits;
  limits.max_input_size = body.size();
  limits.max_depth = 2;
  limits.max_items = 16;
  auto decoded = cbor::Decode(body, limits);
  if (!decoded.ok()) return decoded.error().WithContext(where);
  if (!decoded->is_map()) return Error(Code::kMalformed, StrCat(where, ": expected a CBOR map"));
  internal::CborMapReader reader(*decoded, where);
  EnrollmentRequest r;
  r.step = step;
  r.did = reader.Text(Value("did"), "did");
  r.at = reader.Int(Value("at"), "at");
  if (step == EnrollStep::kFinish) r.secret = reader.ByteString(Value("secret"), "secret");
  r.signature = reader.ByteString(Value("sig"), "sig", kEd25519SignatureSize);
  reader.NoUnknown();
  if (reader.error()) return Error(Code::kMalformed, *reader.error());
  if (step == EnrollStep::kFinish && (r.secret.empty() || r.secret.size() > kMaxSecret)) {
    return Error(Code::kMalformed, StrCat(where, ": 'secret' must be 1..", kMaxSecret, " bytes"));
  }
  auto did = DidKey::Parse(r.did);
  if (!did.ok()) return did.error().WithContext(StrCat(where, ": 'did'"));
  return r;
}

Status VerifyEnrollmentRequest(const EnrollmentRequest& r, std::string_view validator_did) {
  VOUCH_ASSIGN_OR_RETURN(DidKey did, DidKey::Parse(r.did));
  if (!did.public_key().Verify(SigningInput(r, validator_did), r.signature).ok()) {
    return Error(Code::kBadSignature,
                 StrCat("enroll ", StepName(r.step), " request for '", r.did,
                        "' is not signed by that DID's key (only the host itself may enroll)"));
  }
  return Ok();
}

}  // namespace vouch
