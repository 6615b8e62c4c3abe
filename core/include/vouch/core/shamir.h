// Shamir secret sharing over GF(2^8) (DESIGN §3 "Shares").
//
// The field is GF(2)[x]/(x^8 + x^4 + x^3 + x + 1), the AES polynomial 0x11B.
// Every secret byte is shared on its own polynomial of degree t-1 whose
// constant term is that byte and whose other coefficients are fresh random
// bytes (vouch::RandomSecret, i.e. OpenSSL RAND). A share is encoded as its
// y bytes (one per secret byte) followed by one x byte:
//
//   share = y[0] ‖ y[1] ‖ … ‖ y[L-1] ‖ x        (L = secret length)
//
// This is the layout of HashiCorp Vault's shamir package and of the npm
// package `shamir-secret-sharing` ported from it, so shares interoperate
// with both (tests/interop/shamir_interop.mjs checks it both ways).
//
// Field arithmetic runs in constant time: no secret-dependent branch or table
// lookup (multiplication is shift-and-xor with masks, inversion is a^254).
// The x coordinates are public; only y bytes and the secret are treated as
// secret. Intermediate buffers are wiped.
//
// All functions are thread-safe (no shared state).
#ifndef VOUCH_CORE_SHAMIR_H_
#define VOUCH_CORE_SHAMIR_H_

#include <cstdint>
#include <span>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/core/secret_bytes.h"

namespace vouch {

// Largest share count: x runs over the 255 non-zero field elements.
inline constexpr int kShamirMaxShares = 255;

// Splits `secret` into `shares` shares, any `threshold` of which recover it.
// Share i (0-based) has x = i + 1, so the result is in x order 1…n; each
// share is secret.size() + 1 bytes long.
// Returns kInvalidArgument if `secret` is empty, `threshold` < 2,
// `threshold` > `shares`, or `shares` > 255.
Result<std::vector<SecretBytes>> ShamirSplit(const SecretBytes& secret, int threshold, int shares);

// Recombines `shares` (any order, any distinct non-zero x) by Lagrange
// interpolation at x = 0 and returns the secret (share length - 1 bytes).
// Errors name the offending share by its 0-based index in `shares`:
//   kInvalidArgument  fewer than 2 shares; two shares with the same x;
//   kMalformed        a share shorter than 2 bytes; a share whose length
//                     differs from share 0's; a share whose x byte is 0.
//
// WARNING: combine cannot know the threshold t. Given fewer than t shares,
// or a tampered share, it returns a WRONG secret without any error. Callers
// must verify the result, e.g. against the policy's key-check value
// (DESIGN §3 "kcv") before using it.
Result<SecretBytes> ShamirCombine(std::span<const SecretBytes> shares);

// Returns the x coordinate of `share` (its last byte), or kMalformed if the
// share is shorter than 2 bytes. x is public; this does not expose y.
Result<uint8_t> ShamirShareX(const SecretBytes& share);

// Field operations, exposed only so shamir_test.cc can check them against an
// independently computed reference. Not for use outside core/shamir.
namespace shamir_internal {
// a · b in GF(2^8) mod 0x11B, constant time.
uint8_t GfMul(uint8_t a, uint8_t b);
// a^-1 = a^254 in GF(2^8), constant time; GfInv(0) == 0.
uint8_t GfInv(uint8_t a);
}  // namespace shamir_internal

}  // namespace vouch

#endif  // VOUCH_CORE_SHAMIR_H_
