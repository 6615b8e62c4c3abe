// SecretBytes holds key material: it is wiped (OPENSSL_cleanse) when
// destroyed or overwritten, is not copyable (Clone() is explicit), compares
// in constant time and has no stream operator. Reading the bytes goes through
// Expose() so `grep Expose` lists every place a secret leaves its box.
#ifndef VOUCH_CORE_SECRET_BYTES_H_
#define VOUCH_CORE_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>

#include "vouch/core/bytes.h"

namespace vouch {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);  // zero-filled
  explicit SecretBytes(ByteView data);
  // Takes ownership of `data` and wipes the source vector's storage.
  static SecretBytes Adopt(Bytes&& data);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const { return SecretBytes(Expose()); }

  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }

  ByteView Expose() const { return data_; }
  std::span<uint8_t> ExposeMutable() { return data_; }

  bool operator==(const SecretBytes& other) const;

 private:
  void Wipe();
  Bytes data_;
};

}  // namespace vouch

#endif  // VOUCH_CORE_SECRET_BYTES_H_
