// Bounds-checked reader of TPM 2.0 marshalled (big-endian) structures, for
// the parsers of untrusted quotes. Every read names the structure and field
// so a failure is one sentence: "TPMS_ATTEST: truncated reading extraData at
// offset 40 (need 32 bytes, 5 left)". All failures are kBadQuote.
#ifndef VOUCH_MEASURE_INTERNAL_TPM_READER_H_
#define VOUCH_MEASURE_INTERNAL_TPM_READER_H_

#include <cstdint>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::internal {

class TpmReader {
 public:
  TpmReader(std::string_view object, ByteView data) : object_(object), data_(data) {}

  size_t offset() const { return offset_; }
  size_t remaining() const { return data_.size() - offset_; }

  Result<ByteView> Raw(std::string_view field, size_t n) {
    if (n > remaining()) {
      return Error(Code::kBadQuote,
                   StrCat(object_, ": truncated reading ", field, " at offset ", offset_, " (need ",
                          n, " bytes, ", remaining(), " left)"));
    }
    ByteView out = data_.subspan(offset_, n);
    offset_ += n;
    return out;
  }

  Result<uint8_t> U8(std::string_view field) { return Uint<uint8_t>(field); }
  Result<uint16_t> U16(std::string_view field) { return Uint<uint16_t>(field); }
  Result<uint32_t> U32(std::string_view field) { return Uint<uint32_t>(field); }
  Result<uint64_t> U64(std::string_view field) { return Uint<uint64_t>(field); }

  // A TPM2B: 2-byte size, then that many bytes; kBadQuote above `max`.
  Result<ByteView> Sized(std::string_view field, size_t max) {
    VOUCH_ASSIGN_OR_RETURN(uint16_t n, U16(field));
    if (n > max) {
      return Error(Code::kBadQuote, StrCat(object_, ": ", field, " is ", n,
                                           " bytes, more than its maximum of ", max));
    }
    return Raw(field, n);
  }

  // kBadQuote unless every byte was consumed.
  Status ExpectEnd() const {
    if (remaining() != 0) {
      return Error(Code::kBadQuote,
                   StrCat(object_, ": ", remaining(),
                          " unexpected bytes after the structure at offset ", offset_));
    }
    return Ok();
  }

  Error Fail(std::string_view sentence_tail) const {
    return Error(Code::kBadQuote, StrCat(object_, ": ", sentence_tail));
  }

 private:
  template <typename T>
  Result<T> Uint(std::string_view field) {
    VOUCH_ASSIGN_OR_RETURN(ByteView b, Raw(field, sizeof(T)));
    T v = 0;
    for (uint8_t byte : b) v = static_cast<T>((static_cast<uint64_t>(v) << 8) | byte);
    return v;
  }

  std::string_view object_;
  ByteView data_;
  size_t offset_ = 0;
};

}  // namespace vouch::internal

#endif  // VOUCH_MEASURE_INTERNAL_TPM_READER_H_
