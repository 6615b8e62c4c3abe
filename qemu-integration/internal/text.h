// Text helpers for one-line error messages (internal to qemu-integration).
#ifndef VOUCH_QEMU_INTERNAL_TEXT_H_
#define VOUCH_QEMU_INTERNAL_TEXT_H_

#include <cstdio>
#include <string>
#include <string_view>

namespace vouch::qemu::internal {

// `s` with CR, LF and tabs turned into spaces and trailing spaces removed:
// for messages from libxml2 and libvirt.
inline std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Untrusted text quoted in a message: at most `max` bytes, control
// characters as \xHH, "..." appended when cut.
inline std::string Printable(std::string_view s, size_t max = 60) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace vouch::qemu::internal

#endif  // VOUCH_QEMU_INTERNAL_TEXT_H_
