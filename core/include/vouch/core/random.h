// Cryptographically secure random bytes (OpenSSL RAND_bytes, which seeds
// itself from the OS). Aborts if the RNG fails: nothing safe can follow.
#ifndef VOUCH_CORE_RANDOM_H_
#define VOUCH_CORE_RANDOM_H_

#include "vouch/core/bytes.h"
#include "vouch/core/secret_bytes.h"

namespace vouch {

Bytes RandomBytes(size_t n);
SecretBytes RandomSecret(size_t n);

}  // namespace vouch

#endif  // VOUCH_CORE_RANDOM_H_
