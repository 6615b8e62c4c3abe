// Byte strings and their text encodings.
#ifndef VOUCH_CORE_BYTES_H_
#define VOUCH_CORE_BYTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteView b) { return std::string(b.begin(), b.end()); }

// Returns a ‖ b ‖ … .
Bytes Concat(std::initializer_list<ByteView> parts);

// Lower-case hex, no prefix.
std::string HexEncode(ByteView data);
// Accepts upper or lower case; kMalformed on odd length or a non-hex digit.
Result<Bytes> HexDecode(std::string_view hex);

// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(ByteView data);
// RFC 4648 §4 standard base64 with padding.
std::string Base64Encode(ByteView data);
// Accepts standard or url alphabet, padded or not, ignores ASCII whitespace;
// kMalformed otherwise.
Result<Bytes> Base64Decode(std::string_view text);

// Constant-time equality (length is not secret).
bool ConstantTimeEqual(ByteView a, ByteView b);

// Largest file ReadFile reads: every file vouch reads (keys, configs,
// bundles, credentials, event logs, domain XML) is far smaller.
inline constexpr size_t kMaxReadFileSize = 64u << 20;
// Reads a whole regular file, with the path in every error: kNotFound if
// absent, kInvalidArgument if it is a directory, FIFO, device or socket, or
// larger than kMaxReadFileSize; kIo otherwise. Never blocks on a FIFO.
Result<Bytes> ReadFile(const std::string& path);
// Writes atomically with the given mode: a temporary file with an
// unpredictable name next to `path`, created O_EXCL (nobody can pre-create
// or symlink it), fsync, rename.
Status WriteFile(const std::string& path, ByteView data, unsigned mode = 0644);

}  // namespace vouch

#endif  // VOUCH_CORE_BYTES_H_
