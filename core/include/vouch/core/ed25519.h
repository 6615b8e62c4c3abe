// Ed25519 keys (RFC 8032, pure EdDSA) over OpenSSL EVP. Host DID keys,
// validator keys and owner keys are all of this kind.
#ifndef VOUCH_CORE_ED25519_H_
#define VOUCH_CORE_ED25519_H_

#include <memory>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/core/ssl_ptr.h"

namespace vouch {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

class Ed25519PublicKey {
 public:
  // kInvalidArgument unless `raw` is 32 bytes that OpenSSL accepts.
  static Result<Ed25519PublicKey> FromRaw(ByteView raw);

  const Bytes& raw() const { return raw_; }

  // Ok if `signature` is a valid RFC 8032 signature of `message`;
  // kBadSignature otherwise (including a signature of the wrong size).
  Status Verify(ByteView message, ByteView signature) const;

  bool operator==(const Ed25519PublicKey& o) const { return raw_ == o.raw_; }

 private:
  Ed25519PublicKey(Bytes raw, SslPtr<EVP_PKEY> key);
  Bytes raw_;
  std::shared_ptr<EVP_PKEY> key_;  // immutable after construction; shared copies are safe
};

class Ed25519PrivateKey {
 public:
  static Ed25519PrivateKey Generate();
  // kInvalidArgument unless `seed` is 32 bytes.
  static Result<Ed25519PrivateKey> FromSeed(const SecretBytes& seed);
  // Reads a PKCS#8 PEM file; kNotFound, kIo or kMalformed (not an Ed25519
  // key); kInvalidArgument for a file group or others may read (a key every
  // party signs with is refused, as vouchd refuses its own: private_file.h).
  static Result<Ed25519PrivateKey> LoadPem(const std::string& path);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept = default;

  // Writes the key as PKCS#8 PEM, mode 0600, atomically.
  Status SavePem(const std::string& path) const;

  const Ed25519PublicKey& public_key() const { return public_key_; }
  SecretBytes Seed() const;

  // Returns the 64-byte signature of `message`.
  Bytes Sign(ByteView message) const;

 private:
  Ed25519PrivateKey(SslPtr<EVP_PKEY> key, Ed25519PublicKey pub);
  SslPtr<EVP_PKEY> key_;
  Ed25519PublicKey public_key_;
};

}  // namespace vouch

#endif  // VOUCH_CORE_ED25519_H_
