// libvirt's UUID grammar (internal to qemu-integration): the domain XML's
// <uuid> and a Proxmox VM's smbios1 uuid= both name a domain by it.
#ifndef VOUCH_QEMU_INTERNAL_UUID_H_
#define VOUCH_QEMU_INTERNAL_UUID_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "text.h"  // beside this file
#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::qemu::internal {

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// libvirt's virUUIDParse: 16 hex byte pairs, '-' or ' ' allowed between
// pairs, leading spaces and trailing whitespace allowed. Returns the
// canonical lower-case 8-4-4-4-12 form.
inline Result<std::string> CanonicalUuid(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return Error(Code::kMalformed, StrCat(what, ": expected a UUID, got '", Printable(text), "'"));
  };
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  uint8_t bytes[16];
  for (int b = 0; b < 16;) {
    if (i >= text.size()) return bad();
    if (text[i] == '-' || text[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return bad();
    int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    bytes[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  for (; i < text.size(); ++i) {
    if (std::string_view(" \t\n\r\f\v").find(text[i]) == std::string_view::npos) return bad();
  }
  std::string hex = HexEncode(ByteView(bytes, 16));
  return StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                hex.substr(16, 4), "-", hex.substr(20, 12));
}

}  // namespace vouch::qemu::internal

#endif  // VOUCH_QEMU_INTERNAL_UUID_H_
