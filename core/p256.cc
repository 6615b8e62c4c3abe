#include "vouch/core/p256.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdlib>

namespace vouch {
namespace {

// Raw r‖s → DER ECDSA-Sig-Value. Empty on a size mismatch.
Bytes RawToDer(ByteView raw) {
  if (raw.size() != kP256SignatureSize) return {};
  SslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (n <= 0) return {};
  Bytes der(static_cast<size_t>(n));
  uint8_t* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

Bytes DerToRaw(ByteView der) {
  const uint8_t* p = der.data();
  SslPtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) std::abort();
  Bytes raw(kP256SignatureSize);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32) != 32) {
    std::abort();
  }
  return raw;
}

Result<std::pair<Bytes, Bytes>> Coordinates(EVP_PKEY* key) {
  uint8_t buf[65];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) != 1 ||
      len != 65 || buf[0] != 0x04) {
    // Keys read from PEM may come compressed; ask for uncompressed form.
    if (EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       "uncompressed") != 1 ||
        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) != 1 ||
        len != 65) {
      return Error(Code::kInternal, "cannot read P-256 public point");
    }
  }
  return std::make_pair(Bytes(buf + 1, buf + 33), Bytes(buf + 33, buf + 65));
}

}  // namespace

P256PublicKey::P256PublicKey(Bytes x, Bytes y, SslPtr<EVP_PKEY> key)
    : x_(std::move(x)), y_(std::move(y)), key_(key.release(), EVP_PKEY_free) {}

Result<P256PublicKey> P256PublicKey::FromCoordinates(ByteView x, ByteView y) {
  if (x.size() != kP256CoordinateSize || y.size() != kP256CoordinateSize) {
    return Error(Code::kInvalidArgument,
                 StrCat("P-256 public key: expected 32-byte coordinates, got ", x.size(), " and ",
                        y.size()));
  }
  Bytes point = Concat({Bytes{0x04}, x, y});
  SslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  SslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return Error(Code::kInvalidArgument, "P-256 public key: point is not on the curve");
  }
  SslPtr<EVP_PKEY> key(raw);
  // fromdata does not always check the point; do it explicitly.
  SslPtr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return Error(Code::kInvalidArgument, "P-256 public key: point is not on the curve");
  }
  return P256PublicKey(Bytes(x.begin(), x.end()), Bytes(y.begin(), y.end()), std::move(key));
}

Result<P256PublicKey> P256PublicKey::FromPem(std::string_view pem) {
  SslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  SslPtr<EVP_PKEY> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  char group[32] = {0};
  size_t glen = 0;
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &glen) != 1 ||
      std::string_view(group) != "prime256v1") {
    ERR_clear_error();
    return Error(Code::kMalformed, "PEM text is not a P-256 public key");
  }
  VOUCH_ASSIGN_OR_RETURN(auto xy, Coordinates(key.get()));
  return FromCoordinates(xy.first, xy.second);
}

std::string P256PublicKey::ToPem() const {
  SslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) std::abort();
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Status P256PublicKey::Verify(ByteView message, ByteView signature) const {
  Bytes der = RawToDer(signature);
  if (der.empty()) {
    return Error(Code::kBadSignature,
                 StrCat("ECDSA P-256 signature: expected 64 bytes r||s, got ", signature.size()));
  }
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    return Error(Code::kInternal, StrCat("EVP_DigestVerifyInit failed: ", SslErrorString()));
  }
  int rc = EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(), message.size());
  ERR_clear_error();
  if (rc != 1) return Error(Code::kBadSignature, "ECDSA P-256 signature does not verify");
  return Ok();
}

Status P256PublicKey::VerifyDigest(ByteView digest, ByteView signature) const {
  Bytes der = RawToDer(signature);
  if (der.empty()) {
    return Error(Code::kBadSignature,
                 StrCat("ECDSA P-256 signature: expected 64 bytes r||s, got ", signature.size()));
  }
  if (digest.size() != 32) {
    return Error(Code::kInvalidArgument, StrCat("digest: expected 32 bytes, got ", digest.size()));
  }
  SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return Error(Code::kInternal, StrCat("EVP_PKEY_verify_init failed: ", SslErrorString()));
  }
  int rc = EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(), digest.size());
  ERR_clear_error();
  if (rc != 1) return Error(Code::kBadSignature, "ECDSA P-256 signature does not verify");
  return Ok();
}

P256PrivateKey::P256PrivateKey(SslPtr<EVP_PKEY> key, P256PublicKey pub)
    : key_(std::move(key)), public_key_(std::move(pub)) {}

P256PrivateKey P256PrivateKey::Generate() {
  SslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) std::abort();
  auto xy = Coordinates(key.get());
  if (!xy.ok()) std::abort();
  auto pub = P256PublicKey::FromCoordinates(xy->first, xy->second);
  if (!pub.ok()) std::abort();
  return P256PrivateKey(std::move(key), std::move(pub).value());
}

Bytes P256PrivateKey::Sign(ByteView message) const {
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    std::abort();
  }
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) != 1) std::abort();
  der.resize(len);
  return DerToRaw(der);
}

}  // namespace vouch
