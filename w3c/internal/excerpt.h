// Outside text as it may stand in an error sentence (private to vouch_w3c).
#ifndef VOUCH_W3C_INTERNAL_EXCERPT_H_
#define VOUCH_W3C_INTERNAL_EXCERPT_H_

#include <string>
#include <string_view>

namespace vouch::w3c::internal {

// Returns at most `max` bytes of `text`, each control byte (below 0x20, and
// 0x7f) as '?', and "..." after a cut: a JSON string may hold anything, an
// error is one line of bounded length.
inline std::string Excerpt(std::string_view text, size_t max = 64) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace vouch::w3c::internal

#endif  // VOUCH_W3C_INTERNAL_EXCERPT_H_
