#include "vouch/core/shamir.h"

#include <openssl/crypto.h>

#include <array>
#include <cstddef>
#include <utility>

#include "vouch/core/random.h"

namespace vouch {
namespace shamir_internal {

// Russian-peasant multiplication mod 0x11B. Each step adds `a` when the low
// bit of `b` is set and reduces `a·x` when its top bit was set; both choices
// are made with all-zeros/all-ones masks, never with a branch or a lookup.
uint8_t GfMul(uint8_t a, uint8_t b) {
  uint32_t x = a;
  uint32_t y = b;
  uint32_t r = 0;
  for (int i = 0; i < 8; ++i) {
    r ^= x & (0u - (y & 1u));
    y >>= 1;
    const uint32_t carry = 0u - (x >> 7);  // all ones iff bit 7 of x is set
    x = ((x << 1) ^ (0x11Bu & carry)) & 0xFFu;
  }
  return static_cast<uint8_t>(r);
}

// a^254 = a^2 · a^4 · a^8 · … · a^128, a fixed sequence of 13 multiplications.
// Since a^255 = 1 for a ≠ 0, this is a^-1; for a = 0 it is 0.
uint8_t GfInv(uint8_t a) {
  uint8_t square = a;
  uint8_t result = 1;
  for (int i = 1; i < 8; ++i) {
    square = GfMul(square, square);  // a^(2^i)
    result = GfMul(result, square);
  }
  return result;
}

}  // namespace shamir_internal

namespace {

using shamir_internal::GfInv;
using shamir_internal::GfMul;

}  // namespace

Result<std::vector<SecretBytes>> ShamirSplit(const SecretBytes& secret, int threshold, int shares) {
  if (secret.empty()) {
    return Error(Code::kInvalidArgument,
                 "Shamir split: secret is empty (expected at least 1 byte)");
  }
  if (threshold < 2) {
    return Error(Code::kInvalidArgument,
                 StrCat("Shamir split: threshold must be at least 2, got ", threshold));
  }
  if (shares > kShamirMaxShares) {
    return Error(Code::kInvalidArgument, StrCat("Shamir split: share count must be at most ",
                                                kShamirMaxShares, ", got ", shares));
  }
  if (threshold > shares) {
    return Error(Code::kInvalidArgument,
                 StrCat("Shamir split: threshold ", threshold, " exceeds share count ", shares));
  }

  const ByteView s = secret.Expose();
  const size_t len = s.size();
  const size_t degree = static_cast<size_t>(threshold) - 1;
  // coefficients[b * degree + k] is the coefficient of x^(k+1) in the
  // polynomial of secret byte b; its constant term is s[b].
  const SecretBytes coefficients = RandomSecret(len * degree);
  const ByteView c = coefficients.Expose();

  std::vector<SecretBytes> out;
  out.reserve(static_cast<size_t>(shares));
  for (int i = 0; i < shares; ++i) {
    SecretBytes share(len + 1);
    std::span<uint8_t> bytes = share.ExposeMutable();
    const uint8_t x = static_cast<uint8_t>(i + 1);
    for (size_t b = 0; b < len; ++b) {
      // Horner: f(x) = s + x·(c1 + x·(c2 + … + x·c_degree)).
      const uint8_t* poly = c.data() + b * degree;
      uint8_t y = poly[degree - 1];
      for (size_t k = degree - 1; k > 0; --k) y = GfMul(y, x) ^ poly[k - 1];
      bytes[b] = GfMul(y, x) ^ s[b];
    }
    bytes[len] = x;
    out.push_back(std::move(share));
  }
  return out;
}

Result<SecretBytes> ShamirCombine(std::span<const SecretBytes> shares) {
  if (shares.size() < 2) {
    return Error(Code::kInvalidArgument,
                 StrCat("Shamir shares: expected at least 2 shares, got ", shares.size()));
  }
  const size_t share_len = shares[0].size();
  // seen[x] = 1 + index of the share that has x, or 0.
  std::array<size_t, 256> seen{};
  for (size_t i = 0; i < shares.size(); ++i) {
    const size_t n = shares[i].size();
    if (n < 2) {
      return Error(Code::kMalformed,
                   StrCat("Shamir share at index ", i,
                          ": expected at least 2 bytes (y bytes then x byte), got ", n));
    }
    if (n != share_len) {
      return Error(Code::kMalformed, StrCat("Shamir share at index ", i, ": expected ", share_len,
                                            " bytes like the share at index 0, got ", n));
    }
    const uint8_t x = shares[i].Expose()[n - 1];
    if (x == 0) {
      return Error(Code::kMalformed,
                   StrCat("Shamir share at index ", i, ": x coordinate is 0 (expected 1-255)"));
    }
    if (seen[x] != 0) {
      return Error(Code::kInvalidArgument,
                   StrCat("Shamir share at index ", i, ": x coordinate ", static_cast<int>(x),
                          " repeats the share at index ", seen[x] - 1));
    }
    seen[x] = i + 1;
  }

  // Lagrange basis at 0: l_i(0) = Π_{j≠i} x_j / (x_i + x_j). It depends only
  // on the (public) x coordinates, so it is computed once per share.
  const size_t k = shares.size();
  const size_t len = share_len - 1;
  std::vector<uint8_t> basis(k);
  for (size_t i = 0; i < k; ++i) {
    const uint8_t xi = shares[i].Expose()[len];
    uint8_t num = 1;
    uint8_t den = 1;
    for (size_t j = 0; j < k; ++j) {
      if (j == i) continue;
      const uint8_t xj = shares[j].Expose()[len];
      num = GfMul(num, xj);
      den = GfMul(den, xi ^ xj);
    }
    basis[i] = GfMul(num, GfInv(den));
  }

  SecretBytes secret(len);
  std::span<uint8_t> out = secret.ExposeMutable();
  for (size_t i = 0; i < k; ++i) {
    const ByteView y = shares[i].Expose();
    for (size_t b = 0; b < len; ++b) out[b] ^= GfMul(y[b], basis[i]);
  }
  OPENSSL_cleanse(basis.data(), basis.size());
  return secret;
}

Result<uint8_t> ShamirShareX(const SecretBytes& share) {
  if (share.size() < 2) {
    return Error(Code::kMalformed,
                 StrCat("Shamir share: expected at least 2 bytes (y bytes then x byte), got ",
                        share.size()));
  }
  return share.Expose()[share.size() - 1];
}

}  // namespace vouch
