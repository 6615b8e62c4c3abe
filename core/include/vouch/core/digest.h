// SHA-256 and HMAC-SHA-256 (OpenSSL EVP).
#ifndef VOUCH_CORE_DIGEST_H_
#define VOUCH_CORE_DIGEST_H_

#include <array>
#include <cstdint>
#include <memory>

#include "vouch/core/bytes.h"

namespace vouch {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(ByteView data);
Sha256Digest Sha256(std::initializer_list<ByteView> parts);  // of the concatenation
Sha256Digest HmacSha256(ByteView key, ByteView data);

// An HMAC-SHA-256 key set up once (the padded key's hash states), for a key
// that MACs many messages: each Mac() then costs only the hashing, where the
// one-shot HmacSha256 looks up the algorithm and keys it on every call.
// Holds no copy of the raw key; OpenSSL cleanses its state when freed.
// Thread-safe: Mac() works on a copy of the keyed state.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(ByteView key);
  Sha256Digest Mac(ByteView data) const;  // == HmacSha256(key, data)

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

inline Bytes ToBytes(const Sha256Digest& d) { return Bytes(d.begin(), d.end()); }

}  // namespace vouch

#endif  // VOUCH_CORE_DIGEST_H_
