#include "vouch/core/sealed_share.h"

#include "vouch/core/cbor.h"

namespace vouch {
namespace {

constexpr HpkeAead kShareAead = HpkeAead::kAes128Gcm;

Bytes Info(std::string_view prefix, ByteView binding) { return Concat({AsBytes(prefix), binding}); }

Result<Bytes> SealTo(ByteView public_key, const Bytes& info, ByteView aad, const SecretBytes& share) {
  VOUCH_ASSIGN_OR_RETURN(HpkeSealed sealed,
                         HpkeSeal(public_key, info, aad, share.Expose(), kShareAead));
  return cbor::Encode(cbor::Value(cbor::Array{cbor::Value(std::move(sealed.enc)),
                                              cbor::Value(std::move(sealed.ct))}));
}

Result<SecretBytes> OpenWith(const X25519PrivateKey& key, const Bytes& info, ByteView aad,
                             ByteView sealed) {
  cbor::DecodeLimits limits;
  limits.max_input_size = 4096;
  limits.max_depth = 2;
  auto v = cbor::Decode(sealed, limits);
  if (!v.ok()) return v.error().WithContext("sealed share");
  if (!v->is_array() || v->array().size() != 2 || !v->array()[0].is_bytes() ||
      !v->array()[1].is_bytes()) {
    return Error(Code::kMalformed, "sealed share: expected CBOR array [enc: bstr, ct: bstr]");
  }
  auto opened = HpkeOpen(key, v->array()[0].bytes(), info, aad, v->array()[1].bytes(), kShareAead);
  if (!opened.ok()) return opened.error().WithContext("sealed share");
  return opened;
}

}  // namespace

Result<Bytes> SealShareForValidator(ByteView validator_public_key, std::string_view domain_uuid,
                                    const PolicyDigest& policy, const SecretBytes& share) {
  return SealTo(validator_public_key, Info(kShareInfoPrefix, AsBytes(domain_uuid)), policy.bytes(),
                share);
}

Result<SecretBytes> OpenShareAsValidator(const X25519PrivateKey& validator_key,
                                         std::string_view domain_uuid, const PolicyDigest& policy,
                                         ByteView sealed) {
  return OpenWith(validator_key, Info(kShareInfoPrefix, AsBytes(domain_uuid)), policy.bytes(),
                  sealed);
}

Result<Bytes> SealShareForHost(ByteView ephemeral_public_key, ByteView vc_cti, const VcDigest& vc,
                               const SecretBytes& share) {
  return SealTo(ephemeral_public_key, Info(kReleaseInfoPrefix, vc_cti), vc.bytes(), share);
}

Result<SecretBytes> OpenShareAsHost(const X25519PrivateKey& ephemeral_key, ByteView vc_cti,
                                    const VcDigest& vc, ByteView sealed) {
  return OpenWith(ephemeral_key, Info(kReleaseInfoPrefix, vc_cti), vc.bytes(), sealed);
}

}  // namespace vouch
