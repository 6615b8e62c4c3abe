// ECDSA over NIST P-256 with SHA-256: TPM attestation-key signatures and
// COSE ES256 (signatures are raw r ‖ s, 64 bytes, as COSE and TPMT_SIGNATURE
// carry them).
#ifndef VOUCH_CORE_P256_H_
#define VOUCH_CORE_P256_H_

#include <memory>

#include "vouch/core/bytes.h"
#include "vouch/core/ssl_ptr.h"

namespace vouch {

inline constexpr size_t kP256CoordinateSize = 32;
inline constexpr size_t kP256SignatureSize = 64;

class P256PublicKey {
 public:
  // From affine coordinates (32 bytes each, big-endian). kInvalidArgument if
  // the point is not on the curve.
  static Result<P256PublicKey> FromCoordinates(ByteView x, ByteView y);
  // From a SubjectPublicKeyInfo PEM.
  static Result<P256PublicKey> FromPem(std::string_view pem);

  const Bytes& x() const { return x_; }
  const Bytes& y() const { return y_; }
  std::string ToPem() const;

  // Verifies raw r‖s over SHA-256(message). kBadSignature on mismatch.
  Status Verify(ByteView message, ByteView signature) const;
  // Verifies raw r‖s over an already computed 32-byte digest.
  Status VerifyDigest(ByteView digest, ByteView signature) const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  P256PublicKey(Bytes x, Bytes y, SslPtr<EVP_PKEY> key);
  Bytes x_, y_;
  std::shared_ptr<EVP_PKEY> key_;
};

class P256PrivateKey {
 public:
  static P256PrivateKey Generate();
  P256PrivateKey(P256PrivateKey&&) noexcept = default;
  P256PrivateKey& operator=(P256PrivateKey&&) noexcept = default;

  const P256PublicKey& public_key() const { return public_key_; }
  // Returns raw r‖s (64 bytes) over SHA-256(message).
  Bytes Sign(ByteView message) const;

 private:
  P256PrivateKey(SslPtr<EVP_PKEY> key, P256PublicKey pub);
  SslPtr<EVP_PKEY> key_;
  P256PublicKey public_key_;
};

}  // namespace vouch

#endif  // VOUCH_CORE_P256_H_
