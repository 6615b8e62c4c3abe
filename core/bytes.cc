#include "vouch/core/bytes.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vouch {

Bytes Concat(std::initializer_list<ByteView> parts) {
  size_t n = 0;
  for (auto p : parts) n += p.size();
  Bytes out;
  out.reserve(n);
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

static int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Error(Code::kMalformed, StrCat("hex string has odd length ", hex.size()));
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Error(Code::kMalformed, StrCat("hex string has a non-hex character at offset ",
                                            hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static std::string Base64With(ByteView data, const char* alphabet, bool pad) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(alphabet[(v >> s) & 63]);
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = data[i] << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = data[i] << 16 | data[i + 1] << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out += "=";
  }
  return out;
}

std::string Base64UrlEncode(ByteView data) { return Base64With(data, kB64Url, false); }
std::string Base64Encode(ByteView data) { return Base64With(data, kB64, true); }

Result<Bytes> Base64Decode(std::string_view text) {
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return Error(Code::kMalformed, "base64 text continues after '=' padding");
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else return Error(Code::kMalformed, StrCat("base64 text has an invalid character at offset ", i));
    acc = acc << 6 | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (bits >= 6 || padding > 2) return Error(Code::kMalformed, "base64 text has a truncated final group");
  return out;
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Bytes> ReadFile(const std::string& path) {
  // O_NONBLOCK so that a FIFO does not hang the open; only regular files
  // are read (a directory, a device or a FIFO is refused by name).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    return Error(e == ENOENT ? Code::kNotFound : Code::kIo,
                 StrCat("cannot open '", path, "': ", std::strerror(e)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(Code::kInvalidArgument,
                 StrCat("'", path, "' is ", S_ISDIR(st.st_mode) ? "a directory" : "not a regular file",
                        ": expected a file"));
  }
  // Files in /proc and securityfs say size 0: read to the end, capped.
  Bytes data;
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Error(Code::kIo, StrCat("cannot read '", path, "': ", std::strerror(e)));
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > kMaxReadFileSize) {
      ::close(fd);
      return Error(Code::kInvalidArgument, StrCat("'", path, "' is larger than the ",
                                                  kMaxReadFileSize >> 20, " MiB vouch reads"));
    }
    data.insert(data.end(), buf, buf + n);
  }
  ::close(fd);
  return data;
}

Status WriteFile(const std::string& path, ByteView data, unsigned mode) {
  // An unpredictable name created with O_EXCL (mkostemp): nobody can
  // pre-create or symlink the temp file to read or redirect what is written.
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    return Error(Code::kIo, StrCat("cannot create a temporary file next to '", path, "': ",
                                   std::strerror(errno)));
  }
  ::fchmod(fd, mode);  // umask must not widen or narrow what the caller asked for
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error(Code::kIo, StrCat("cannot write '", path, "': ", std::strerror(e)));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Error(Code::kIo, StrCat("cannot write '", path, "': ", std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error(Code::kIo, StrCat("cannot rename onto '", path, "': ", std::strerror(e)));
  }
  return Ok();
}

}  // namespace vouch
