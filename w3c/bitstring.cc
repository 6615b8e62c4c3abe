#include "vouch/w3c/bitstring.h"

#include <zlib.h>

#include <algorithm>
#include <memory>

namespace vouch::w3c {
namespace {

// windowBits for deflateInit2/inflateInit2: 15 (32 KiB window) + 16 (a
// GZIP wrapper, not zlib's).
constexpr int kGzipWindowBits = 15 + 16;

struct DeflateEnd {
  void operator()(z_stream* s) const { deflateEnd(s); }
};
struct InflateEnd {
  void operator()(z_stream* s) const { inflateEnd(s); }
};

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

Result<Bytes> Gzip(ByteView data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error(Code::kInternal, "zlib deflateInit2 failed");
  }
  std::unique_ptr<z_stream, DeflateEnd> guard(&stream);
  Bytes out(deflateBound(&stream, data.size()));
  stream.next_in = const_cast<Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) return Error(Code::kInternal, "zlib deflate did not finish");
  out.resize(stream.total_out);
  return out;
}

Result<Bytes> Gunzip(ByteView data, size_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) return Error(Code::kInternal, "zlib inflateInit2 failed");
  std::unique_ptr<z_stream, InflateEnd> guard(&stream);
  Bytes out(max_bytes + 1);  // one byte more: room to see that it is too long
  stream.next_in = const_cast<Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  if (stream.total_out > max_bytes) {
    return Error(Code::kMalformed, StrCat("status list expands to more than ", max_bytes, " bytes"));
  }
  if (rc != Z_STREAM_END) {
    return Error(Code::kMalformed, StrCat("status list is not GZIP data (",
                                          stream.msg != nullptr ? stream.msg : "truncated", ")"));
  }
  if (stream.avail_in != 0) return Error(Code::kMalformed, "status list has bytes after its GZIP member");
  out.resize(stream.total_out);
  return out;
}

}  // namespace

bool BitAt(ByteView bits, uint64_t index) { return (bits[index / 8] & (0x80u >> (index % 8))) != 0; }

void SetBit(Bytes& bits, uint64_t index) { bits[index / 8] |= static_cast<uint8_t>(0x80u >> (index % 8)); }

Result<std::string> EncodeBitstring(ByteView bits) {
  VOUCH_ASSIGN_OR_RETURN(Bytes compressed, Gzip(bits));
  return StrCat("u", Base64UrlEncode(compressed));
}

Result<Bytes> DecodeBitstring(std::string_view encoded, size_t max_bytes) {
  if (encoded.empty() || encoded[0] != 'u') {
    return Error(Code::kMalformed, "encodedList does not start with 'u' (multibase base64url)");
  }
  const std::string_view text = encoded.substr(1);
  if (!std::all_of(text.begin(), text.end(), IsBase64UrlChar) || text.size() % 4 == 1) {
    return Error(Code::kMalformed, "encodedList is not base64url without padding");
  }
  auto compressed = Base64Decode(text);
  if (!compressed.ok()) return Error(Code::kMalformed, "encodedList is not base64url without padding");
  return Gunzip(*compressed, max_bytes);
}

}  // namespace vouch::w3c
