#include "vouch/measure/credential.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "vouch/core/digest.h"
#include "vouch/core/random.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/core/ssl_ptr.h"

namespace vouch {
namespace {

constexpr size_t kSeedSize = 32;     // digest size of the EK's nameAlg (SHA-256)
constexpr size_t kSymKeySize = 16;   // the EK's symmetric: AES-128
constexpr size_t kHmacKeySize = 32;  // digest size of the EK's nameAlg
constexpr size_t kP256CoordinateSize = 32;
// The label TPM 2.0 uses for credential protection ("IDENTITY" with its NUL
// where the label is a byte string: RSA-OAEP's L; KDFe adds the NUL itself).
constexpr std::string_view kIdentityLabel = "IDENTITY";

Error OpenSslError(std::string_view what) {
  return Error(Code::kInternal, StrCat("MakeCredential: ", what, " failed: ", SslErrorString()));
}

void PutU16(Bytes& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// TPM 2.0 Part 1 §11.4.10.2 KDFa with HMAC-SHA256: OpenSSL's SP 800-108
// counter-mode KBKDF lays out its input exactly as KDFa does:
// [i]32 ‖ label ‖ 00 ‖ contextU ‖ contextV ‖ [bits]32.
Result<SecretBytes> KdfA(ByteView key, std::string_view label, ByteView context_u, size_t bytes) {
  SslPtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "KBKDF", nullptr));
  if (kdf == nullptr) return OpenSslError("fetching KBKDF");
  SslPtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (ctx == nullptr) return OpenSslError("KBKDF context");
  OSSL_PARAM params[7];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>("COUNTER"), 0);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, const_cast<char*>("HMAC"), 0);
  params[n++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(key.data()), key.size());
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_SALT, const_cast<char*>(label.data()), label.size());  // KBKDF's "label"
  if (!context_u.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(context_u.data()), context_u.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(bytes);
  if (EVP_KDF_derive(ctx.get(), out.ExposeMutable().data(), bytes, params) != 1) {
    return OpenSslError("KDFa (KBKDF)");
  }
  return out;
}

// TPM 2.0 Part 1 §11.4.10.3 KDFe with SHA-256 for one digest of output:
// SHA-256([1]32 ‖ Z ‖ label ‖ 00 ‖ partyUInfo ‖ partyVInfo), which is
// SP 800-56A's one-step KDF (OpenSSL "SSKDF", digest variant) with
// FixedInfo = label ‖ 00 ‖ partyUInfo ‖ partyVInfo.
Result<SecretBytes> KdfE(ByteView z, std::string_view label, ByteView party_u, ByteView party_v,
                         size_t bytes) {
  SslPtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "SSKDF", nullptr));
  if (kdf == nullptr) return OpenSslError("fetching SSKDF");
  SslPtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (ctx == nullptr) return OpenSslError("SSKDF context");
  Bytes fixed_info(label.begin(), label.end());
  fixed_info.push_back(0);
  fixed_info.insert(fixed_info.end(), party_u.begin(), party_u.end());
  fixed_info.insert(fixed_info.end(), party_v.begin(), party_v.end());
  OSSL_PARAM params[4];
  params[0] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                const_cast<uint8_t*>(z.data()), z.size());
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, fixed_info.data(),
                                                fixed_info.size());
  params[3] = OSSL_PARAM_construct_end();
  SecretBytes out(bytes);
  if (EVP_KDF_derive(ctx.get(), out.ExposeMutable().data(), bytes, params) != 1) {
    return OpenSslError("KDFe (SSKDF)");
  }
  return out;
}

// The big-endian, zero-padded P-256 coordinates of an EC key.
Result<std::pair<Bytes, Bytes>> PointCoordinates(const EVP_PKEY* key) {
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
  SslPtr<BIGNUM> x(x_raw), y(y_raw);
  Bytes xb(kP256CoordinateSize), yb(kP256CoordinateSize);
  if (x == nullptr || y == nullptr ||
      BN_bn2binpad(x.get(), xb.data(), static_cast<int>(xb.size())) < 0 ||
      BN_bn2binpad(y.get(), yb.data(), static_cast<int>(yb.size())) < 0) {
    return OpenSslError("reading an EC point");
  }
  return std::make_pair(std::move(xb), std::move(yb));
}

// RSA: a random seed and its OAEP encryption (Part 1 Annex B.10.3).
Status RsaSeed(EVP_PKEY* ek, SecretBytes* seed, Bytes* encrypted) {
  *seed = RandomSecret(kSeedSize);
  SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, ek, nullptr));
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx.get(), "SHA256", nullptr) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx.get(), "SHA256", nullptr) != 1) {
    return OpenSslError("RSA-OAEP setup");
  }
  // OAEP's label L is "IDENTITY" with its terminating NUL (Part 1 §24.4).
  void* label = OPENSSL_malloc(kIdentityLabel.size() + 1);
  if (label == nullptr) return OpenSslError("allocating the OAEP label");
  std::memcpy(label, kIdentityLabel.data(), kIdentityLabel.size());
  static_cast<uint8_t*>(label)[kIdentityLabel.size()] = 0;
  if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), label,
                                       static_cast<int>(kIdentityLabel.size() + 1)) != 1) {
    OPENSSL_free(label);
    return OpenSslError("setting the OAEP label");
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, seed->Expose().data(), seed->size()) != 1) {
    return OpenSslError("RSA-OAEP encryption");
  }
  Bytes ct(len);
  if (EVP_PKEY_encrypt(ctx.get(), ct.data(), &len, seed->Expose().data(), seed->size()) != 1) {
    return OpenSslError("RSA-OAEP encryption");
  }
  ct.resize(len);
  encrypted->clear();
  PutU16(*encrypted, ct.size());
  encrypted->insert(encrypted->end(), ct.begin(), ct.end());
  return Ok();
}

// ECC: one-pass Diffie-Hellman with an ephemeral key (Part 1 Annex C.6.1).
Status EccSeed(EVP_PKEY* ek, SecretBytes* seed, Bytes* encrypted) {
  SslPtr<EVP_PKEY> ephemeral(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (ephemeral == nullptr) return OpenSslError("ephemeral P-256 key generation");
  SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, ephemeral.get(), nullptr));
  size_t z_len = 0;
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), ek) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &z_len) != 1 || z_len != kP256CoordinateSize) {
    return OpenSslError("ECDH with the endorsement key");
  }
  SecretBytes z(z_len);
  if (EVP_PKEY_derive(ctx.get(), z.ExposeMutable().data(), &z_len) != 1 ||
      z_len != kP256CoordinateSize) {
    return OpenSslError("ECDH with the endorsement key");
  }
  VOUCH_ASSIGN_OR_RETURN(auto e_point, PointCoordinates(ephemeral.get()));
  VOUCH_ASSIGN_OR_RETURN(auto ek_point, PointCoordinates(ek));
  VOUCH_ASSIGN_OR_RETURN(*seed,
                         KdfE(z.Expose(), kIdentityLabel, e_point.first, ek_point.first, kSeedSize));
  // TPM2B_ENCRYPTED_SECRET holding the marshalled TPMS_ECC_POINT of e.
  encrypted->clear();
  PutU16(*encrypted, 2 + kP256CoordinateSize + 2 + kP256CoordinateSize);
  PutU16(*encrypted, kP256CoordinateSize);
  encrypted->insert(encrypted->end(), e_point.first.begin(), e_point.first.end());
  PutU16(*encrypted, kP256CoordinateSize);
  encrypted->insert(encrypted->end(), e_point.second.begin(), e_point.second.end());
  return Ok();
}

Result<Bytes> Aes128CfbEncrypt(ByteView key, ByteView plaintext) {
  SslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  const uint8_t iv[16] = {0};
  if (ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_cfb128(), key.data(), iv, nullptr) != 1) {
    return OpenSslError("AES-128-CFB setup");
  }
  Bytes out(plaintext.size() + 16);
  int len = 0, final_len = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
    return OpenSslError("AES-128-CFB encryption");
  }
  out.resize(static_cast<size_t>(len + final_len));
  return out;
}

}  // namespace

Result<MadeCredential> MakeCredential(const EkCertificate& ek, ByteView ak_name, ByteView secret) {
  if (secret.empty() || secret.size() > kMaxCredentialSecret) {
    return Error(Code::kInvalidArgument,
                 StrCat("credential secret: expected 1 to ", kMaxCredentialSecret, " bytes, got ",
                        secret.size()));
  }
  if (ak_name.size() != 2 + 32 || ak_name[0] != 0x00 || ak_name[1] != 0x0b) {
    return Error(Code::kInvalidArgument,
                 StrCat("AK name: expected 34 bytes (SHA-256 TPM name, 000b ‖ digest), got ",
                        ak_name.size(), " bytes starting ",
                        HexEncode(ak_name.subspan(0, std::min<size_t>(2, ak_name.size())))));
  }
  const uint8_t* p = ek.public_key_der().data();
  SslPtr<EVP_PKEY> key(
      d2i_PUBKEY(nullptr, &p, static_cast<long>(ek.public_key_der().size())));
  if (key == nullptr) return OpenSslError("decoding the EK public key");

  MadeCredential out;
  SecretBytes seed;
  if (ek.key_type() == EkKeyType::kRsa2048) {
    VOUCH_RETURN_IF_ERROR(RsaSeed(key.get(), &seed, &out.encrypted_secret));
  } else {
    VOUCH_RETURN_IF_ERROR(EccSeed(key.get(), &seed, &out.encrypted_secret));
  }

  VOUCH_ASSIGN_OR_RETURN(SecretBytes sym_key,
                         KdfA(seed.Expose(), "STORAGE", ak_name, kSymKeySize));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes hmac_key,
                         KdfA(seed.Expose(), "INTEGRITY", ByteView(), kHmacKeySize));
  // encIdentity = CFB(TPM2B_DIGEST(secret)): the plaintext is the secret, so
  // wipe the marshalled copy too.
  SecretBytes plain(2 + secret.size());
  plain.ExposeMutable()[0] = static_cast<uint8_t>(secret.size() >> 8);
  plain.ExposeMutable()[1] = static_cast<uint8_t>(secret.size());
  std::copy(secret.begin(), secret.end(), plain.ExposeMutable().begin() + 2);
  VOUCH_ASSIGN_OR_RETURN(Bytes enc_identity, Aes128CfbEncrypt(sym_key.Expose(), plain.Expose()));
  Sha256Digest integrity = HmacSha256(hmac_key.Expose(), Concat({enc_identity, ak_name}));

  PutU16(out.id_object, 2 + integrity.size() + enc_identity.size());
  PutU16(out.id_object, integrity.size());
  out.id_object.insert(out.id_object.end(), integrity.begin(), integrity.end());
  out.id_object.insert(out.id_object.end(), enc_identity.begin(), enc_identity.end());
  return out;
}

}  // namespace vouch
