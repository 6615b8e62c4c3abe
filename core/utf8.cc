#include "vouch/core/utf8.h"

namespace vouch {

size_t DecodeUtf8(std::string_view text, size_t i, char32_t* cp) {
  auto at = [&](size_t j) { return static_cast<uint8_t>(text[j]); };
  const uint8_t b0 = at(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t length = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;  // the range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) lo = 0xa0;  // no overlong forms
    if (b0 == 0xed) hi = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) lo = 0x90;  // no overlong forms
    if (b0 == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  char32_t value = b0 & (0xff >> (length + 1));
  for (size_t j = 1; j < length; ++j) {
    if (j > 1 && (at(i + j) & 0xc0) != 0x80) return 0;
    value = (value << 6) | (at(i + j) & 0x3f);
  }
  *cp = value;
  return length;
}

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

bool IsValidUtf8(ByteView text) {
  return !FirstInvalidUtf8(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
}

}  // namespace vouch
