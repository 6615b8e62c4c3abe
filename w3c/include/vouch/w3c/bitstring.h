// The bitstring of a W3C Bitstring Status List (Bitstring Status List v1.0
// §2.2 "BitstringStatusList", §3.1 "Bitstring Generation Algorithm", §3.2
// "Bitstring Expansion Algorithm"; DESIGN §3 "Revocation as a status list").
//
// A bitstring is a byte string read most significant bit first: index 0 is
// the left-most bit of the first byte (0x80), index 8 the left-most of the
// second. Its encoded form, the `encodedList` of a status list credential,
// is "u" (the multibase prefix of base64url without padding) followed by the
// base64url of the GZIP (RFC 1952) compression of the bytes.
#ifndef VOUCH_W3C_BITSTRING_H_
#define VOUCH_W3C_BITSTRING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::w3c {

// Whether bit `index` of `bits` is set. REQUIRES: index < 8 * bits.size().
bool BitAt(ByteView bits, uint64_t index);
// Sets bit `index` of `bits`. REQUIRES: index < 8 * bits.size().
void SetBit(Bytes& bits, uint64_t index);

// Returns the encodedList of `bits`: "u" + base64url(gzip(bits)). The gzip
// header is fixed (no name, mtime 0) and the level zlib's default, so equal
// bits give equal text, and an empty list the spec's example byte for byte.
// kInternal only if zlib fails. Thread-safe.
Result<std::string> EncodeBitstring(ByteView bits);

// Returns the bytes an `encoded` list expands to. Returns kMalformed, naming
// what is wrong, if `encoded` does not start with 'u', is not base64url, is
// not one complete GZIP member (trailing bytes, a bad CRC or length), or
// expands to more than `max_bytes` (decompression stops there: a small list
// cannot make the reader allocate more). Thread-safe.
Result<Bytes> DecodeBitstring(std::string_view encoded, size_t max_bytes);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_BITSTRING_H_
