// UTF-8 validity (RFC 3629): the one rule for every text vouch reads from
// outside and later encodes as CBOR text (which must be valid UTF-8).
#ifndef VOUCH_CORE_UTF8_H_
#define VOUCH_CORE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "vouch/core/bytes.h"

namespace vouch {

// Length of the well-formed UTF-8 sequence starting at text[i] (1 to 4),
// its code point stored in *cp; 0 if an ill-formed one starts there.
// REQUIRES: i < text.size().
size_t DecodeUtf8(std::string_view text, size_t i, char32_t* cp);

// The offset of the first byte of `text` that starts no well-formed
// sequence; nullopt if `text` is well-formed UTF-8.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

// True if `text` is well-formed UTF-8: shortest forms only, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF.
bool IsValidUtf8(ByteView text);
inline bool IsValidUtf8(std::string_view text) { return IsValidUtf8(AsBytes(text)); }

}  // namespace vouch

#endif  // VOUCH_CORE_UTF8_H_
