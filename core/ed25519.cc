#include "vouch/core/ed25519.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdlib>

#include "vouch/core/private_file.h"

namespace vouch {

Ed25519PublicKey::Ed25519PublicKey(Bytes raw, SslPtr<EVP_PKEY> key)
    : raw_(std::move(raw)), key_(key.release(), EVP_PKEY_free) {}

Result<Ed25519PublicKey> Ed25519PublicKey::FromRaw(ByteView raw) {
  if (raw.size() != kEd25519PublicKeySize) {
    return Error(Code::kInvalidArgument,
                 StrCat("Ed25519 public key: expected 32 bytes, got ", raw.size()));
  }
  SslPtr<EVP_PKEY> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
  if (!key) {
    return Error(Code::kInvalidArgument,
                 StrCat("Ed25519 public key rejected by OpenSSL: ", SslErrorString()));
  }
  return Ed25519PublicKey(Bytes(raw.begin(), raw.end()), std::move(key));
}

Status Ed25519PublicKey::Verify(ByteView message, ByteView signature) const {
  if (signature.size() != kEd25519SignatureSize) {
    return Error(Code::kBadSignature,
                 StrCat("Ed25519 signature: expected 64 bytes, got ", signature.size()));
  }
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return Error(Code::kInternal, StrCat("EVP_DigestVerifyInit failed: ", SslErrorString()));
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  ERR_clear_error();
  if (rc != 1) return Error(Code::kBadSignature, "Ed25519 signature does not verify");
  return Ok();
}

Ed25519PrivateKey::Ed25519PrivateKey(SslPtr<EVP_PKEY> key, Ed25519PublicKey pub)
    : key_(std::move(key)), public_key_(std::move(pub)) {}


Ed25519PrivateKey Ed25519PrivateKey::Generate() {
  SslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) std::abort();
  Bytes pub(kEd25519PublicKeySize);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1) std::abort();
  auto p = Ed25519PublicKey::FromRaw(pub);
  if (!p.ok()) std::abort();
  return Ed25519PrivateKey(std::move(key), std::move(p).value());
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(const SecretBytes& seed) {
  if (seed.size() != kEd25519SeedSize) {
    return Error(Code::kInvalidArgument,
                 StrCat("Ed25519 seed: expected 32 bytes, got ", seed.size()));
  }
  SslPtr<EVP_PKEY> key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                                    seed.Expose().data(), seed.size()));
  if (!key) return Error(Code::kInternal, StrCat("Ed25519 seed rejected: ", SslErrorString()));
  Bytes pub(kEd25519PublicKeySize);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1) {
    return Error(Code::kInternal, "cannot derive Ed25519 public key");
  }
  VOUCH_ASSIGN_OR_RETURN(auto p, Ed25519PublicKey::FromRaw(pub));
  return Ed25519PrivateKey(std::move(key), std::move(p));
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::LoadPem(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes pem_bytes, ReadFile(path));
  SecretBytes pem = SecretBytes::Adopt(std::move(pem_bytes));
  VOUCH_RETURN_IF_ERROR(CheckPrivateFile(path, "key file"));
  SslPtr<BIO> bio(BIO_new_mem_buf(pem.Expose().data(), static_cast<int>(pem.size())));
  SslPtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    return Error(Code::kMalformed, StrCat("'", path, "' is not a PEM Ed25519 private key"));
  }
  SecretBytes seed(kEd25519SeedSize);
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), seed.ExposeMutable().data(), &len) != 1) {
    return Error(Code::kInternal, "cannot read Ed25519 private key");
  }
  return FromSeed(seed);
}

Status Ed25519PrivateKey::SavePem(const std::string& path) const {
  SslPtr<BIO> bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return Error(Code::kInternal, StrCat("cannot encode private key: ", SslErrorString()));
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return WriteFile(path, ByteView(reinterpret_cast<const uint8_t*>(data), n), 0600);
}

SecretBytes Ed25519PrivateKey::Seed() const {
  SecretBytes seed(kEd25519SeedSize);
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), seed.ExposeMutable().data(), &len) != 1) {
    std::abort();
  }
  return seed;
}

Bytes Ed25519PrivateKey::Sign(ByteView message) const {
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  Bytes sig(kEd25519SignatureSize);
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    std::abort();  // cannot fail for a valid key except on allocation failure
  }
  return sig;
}

}  // namespace vouch
