#include "vouch/core/base58.h"

#include <array>
#include <cstdint>

namespace vouch {
namespace {

// Maps a character to its digit value, or -1 if it is not in the alphabet.
constexpr std::array<int8_t, 256> kDigitOf = [] {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < kBase58Alphabet.size(); ++i) {
    table[static_cast<uint8_t>(kBase58Alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}();

// "'x'" for a printable ASCII character, "byte 0xNN" otherwise.
std::string Describe(char c) {
  auto u = static_cast<uint8_t>(c);
  if (u >= 0x21 && u <= 0x7e && c != '\'') return StrCat("character '", c, "'");
  static constexpr char kHex[] = "0123456789abcdef";
  return StrCat("byte 0x", kHex[u >> 4], kHex[u & 0xf]);
}

}  // namespace

bool IsBase58Char(char c) { return kDigitOf[static_cast<uint8_t>(c)] >= 0; }

std::string Base58Encode(ByteView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Base-58 digits, most significant first; log(256)/log(58) < 1.38.
  std::vector<uint8_t> digits((data.size() - zeros) * 138 / 100 + 1);
  size_t used = 0;  // digits in use, counted from the end
  for (size_t k = zeros; k < data.size(); ++k) {
    uint32_t carry = data[k];
    size_t i = 0;
    for (auto it = digits.rbegin(); (carry != 0 || i < used) && it != digits.rend(); ++it, ++i) {
      carry += 256u * *it;
      *it = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    used = i;
  }
  std::string out(zeros, kBase58Alphabet[0]);
  out.reserve(zeros + used);
  for (size_t i = digits.size() - used; i < digits.size(); ++i) out.push_back(kBase58Alphabet[digits[i]]);
  return out;
}

Result<Bytes> Base58Decode(std::string_view text) {
  if (text.size() > kBase58MaxDecodeLength) {
    return Error(Code::kMalformed, StrCat("base58 text: expected at most ", kBase58MaxDecodeLength,
                                          " characters, got ", text.size()));
  }
  size_t ones = 0;
  while (ones < text.size() && text[ones] == kBase58Alphabet[0]) ++ones;
  // Bytes, most significant first; log(58)/log(256) < 0.733.
  Bytes bytes((text.size() - ones) * 733 / 1000 + 1);
  size_t used = 0;  // bytes in use, counted from the end
  for (size_t k = ones; k < text.size(); ++k) {
    int digit = kDigitOf[static_cast<uint8_t>(text[k])];
    if (digit < 0) {
      return Error(Code::kMalformed, StrCat("base58 text: ", Describe(text[k]), " at offset ", k,
                                            " is not in the Bitcoin base58 alphabet"));
    }
    uint32_t carry = static_cast<uint32_t>(digit);
    size_t i = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || i < used) && it != bytes.rend(); ++it, ++i) {
      carry += 58u * *it;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = i;
  }
  Bytes out(ones, 0);
  out.insert(out.end(), bytes.end() - static_cast<std::ptrdiff_t>(used), bytes.end());
  return out;
}

}  // namespace vouch
