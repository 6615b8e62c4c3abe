// SHA-256 and HMAC-SHA-256 (OpenSSL EVP).
#ifndef VOUCH_CORE_DIGEST_H_
#define VOUCH_CORE_DIGEST_H_

#include <array>
#include <cstdint>

#include "vouch/core/bytes.h"

namespace vouch {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(ByteView data);
Sha256Digest Sha256(std::initializer_list<ByteView> parts);  // of the concatenation
Sha256Digest HmacSha256(ByteView key, ByteView data);

inline Bytes ToBytes(const Sha256Digest& d) { return Bytes(d.begin(), d.end()); }

}  // namespace vouch

#endif  // VOUCH_CORE_DIGEST_H_
