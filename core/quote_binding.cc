#include "vouch/core/quote_binding.h"

#include <string_view>

#include "vouch/core/cbor.h"

namespace vouch {

Sha256Digest NonceDigest(const std::vector<Bytes>& nonces) {
  cbor::Array array;
  for (const Bytes& n : nonces) array.emplace_back(n);
  return Sha256(cbor::Encode(cbor::Value(std::move(array))));
}

Bytes HostQuoteExtraData(const std::vector<Bytes>& nonces, ByteView ephemeral_public_key,
                         ByteView config_digest) {
  Sha256Digest nonce_digest = NonceDigest(nonces);
  return ToBytes(Sha256({nonce_digest, ephemeral_public_key, config_digest}));
}

Bytes GuestQuoteExtraData(const std::vector<Bytes>& nonces) {
  static constexpr std::string_view kLabel = "vouch-guest-v1";
  Sha256Digest nonce_digest = NonceDigest(nonces);
  return ToBytes(Sha256({AsBytes(kLabel), nonce_digest}));
}

}  // namespace vouch
