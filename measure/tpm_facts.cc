#include "vouch/measure/tpm_facts.h"

#include "vouch/core/errors.h"

namespace vouch {

std::string FormatTpmManufacturer(uint32_t value) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) {
    char c = static_cast<char>((value >> shift) & 0xff);
    s += (c == '\0' || (c >= 0x20 && c < 0x7f)) ? c : '?';
  }
  size_t begin = s.find_first_not_of(std::string_view("\0 ", 2));
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(std::string_view("\0 ", 2));
  s = s.substr(begin, end - begin + 1);
  for (char& c : s) {
    if (c == '\0') c = '?';
  }
  return s;
}

std::string FormatTpmFirmwareVersion(uint64_t value) {
  return StrCat(value >> 48, ".", (value >> 32) & 0xffff, ".", (value >> 16) & 0xffff, ".",
                value & 0xffff);
}

}  // namespace vouch
