// Base58 with the Bitcoin alphabet ("base58btc", the multibase 'z' encoding
// that did:key uses). Leading zero bytes map one-to-one to leading '1'
// characters; the rest is the big-endian number written in base 58, so every
// byte string has exactly one encoding and every valid text exactly one
// decoding.
//
// Both directions are quadratic in the length. They are meant for short
// identifiers (keys, DIDs); Base58Decode refuses long input to bound the work
// an attacker can cause.
#ifndef VOUCH_CORE_BASE58_H_
#define VOUCH_CORE_BASE58_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch {

// The longest text Base58Decode accepts (decodes to at most 188 bytes).
inline constexpr size_t kBase58MaxDecodeLength = 256;

// The Bitcoin base58 alphabet: digits and letters without 0, O, I and l.
inline constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Returns true if `c` is one of the 58 characters of kBase58Alphabet.
bool IsBase58Char(char c);

// Returns the base58btc text of `data` ("" for no bytes).
std::string Base58Encode(ByteView data);

// Decodes base58btc `text` ("" gives no bytes). No whitespace, prefix or
// checksum is accepted. Returns kMalformed naming the character and its
// offset if `text` has a character outside the alphabet, or if it is longer
// than kBase58MaxDecodeLength characters.
Result<Bytes> Base58Decode(std::string_view text);

}  // namespace vouch

#endif  // VOUCH_CORE_BASE58_H_
