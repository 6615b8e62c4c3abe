#include "vouch/core/secret_bytes.h"

#include <openssl/crypto.h>

namespace vouch {

SecretBytes::SecretBytes(size_t size) : data_(size, 0) {}
SecretBytes::SecretBytes(ByteView data) : data_(data.begin(), data.end()) {}

SecretBytes SecretBytes::Adopt(Bytes&& data) {
  SecretBytes s;
  s.data_ = std::move(data);  // the buffer moves; no copy is left behind
  data.clear();
  return s;
}

SecretBytes::~SecretBytes() { Wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) {
  other.data_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    other.data_.clear();
  }
  return *this;
}

void SecretBytes::Wipe() {
  if (!data_.empty()) OPENSSL_cleanse(data_.data(), data_.size());
  data_.clear();
}

bool SecretBytes::operator==(const SecretBytes& other) const {
  return ConstantTimeEqual(data_, other.data_);
}

}  // namespace vouch
