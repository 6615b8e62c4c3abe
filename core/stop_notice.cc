#include "vouch/core/stop_notice.h"

#include "internal/cbor_reader.h"
#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"
#include "vouch/core/host_vc.h"

namespace vouch {
namespace {

using cbor::Value;

constexpr std::string_view kDomain = "vouch-stop-v1";
constexpr std::string_view kWhere = "stop notice";

Bytes SigningInput(const StopNotice& n) {
  return cbor::Encode(Value(cbor::Array{Value(std::string(kDomain)), Value(n.did), Value(n.launch), Value(n.at)}));
}

}  // namespace

StopNotice SignStopNotice(const Ed25519PrivateKey& host_key, ByteView launch, int64_t at) {
  StopNotice n;
  n.did = DidKey::FromPublicKey(host_key.public_key()).did();
  n.launch.assign(launch.begin(), launch.end());
  n.at = at;
  n.signature = host_key.Sign(SigningInput(n));
  return n;
}

Bytes EncodeStopNotice(const StopNotice& n) {
  return cbor::Encode(Value::Map({{Value("did"), Value(n.did)},
                                  {Value("launch"), Value(n.launch)},
                                  {Value("at"), Value(n.at)},
                                  {Value("sig"), Value(n.signature)}}));
}

Result<StopNotice> DecodeStopNotice(ByteView body) {
  const std::string where(kWhere);
  cbor::DecodeLimits limits;
  limits.max_input_size = body.size();
  limits.max_depth = 2;
  limits.max_items = 16;
  auto decoded = cbor::Decode(body, limits);
  if (!decoded.ok()) return decoded.error().WithContext(where);
  if (!decoded->is_map()) return Error(Code::kMalformed, StrCat(where, ": expected a CBOR map"));
  internal::CborMapReader reader(*decoded, where);
  StopNotice n;
  n.did = reader.Text(Value("did"), "did");
  n.launch = reader.ByteString(Value("launch"), "launch", kCtiSize);
  n.at = reader.Int(Value("at"), "at");
  n.signature = reader.ByteString(Value("sig"), "sig", kEd25519SignatureSize);
  reader.NoUnknown();
  if (reader.error()) return Error(Code::kMalformed, *reader.error());
  auto did = DidKey::Parse(n.did);
  if (!did.ok()) return did.error().WithContext(StrCat(where, ": 'did'"));
  return n;
}

Status VerifyStopNotice(const StopNotice& n) {
  VOUCH_ASSIGN_OR_RETURN(DidKey did, DidKey::Parse(n.did));
  if (!did.public_key().Verify(SigningInput(n), n.signature).ok()) {
    return Error(Code::kBadSignature, StrCat("stop notice for launch cti:", HexEncode(n.launch), " is not signed by '",
                                             n.did, "' (only the host that launched a domain may say it stopped)"));
  }
  return Ok();
}

}  // namespace vouch
