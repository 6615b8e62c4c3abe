#include "vouch/measure/ek_certificate.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <string>

#include "vouch/core/ssl_ptr.h"

namespace vouch {
namespace {

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// Exactly one DER certificate, or null (OpenSSL's error queue cleared).
SslPtr<X509> ParseDer(ByteView der) {
  const uint8_t* p = der.data();
  SslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr || p != der.data() + der.size()) {
    ERR_clear_error();
    return nullptr;
  }
  return cert;
}

// "CN=…, O=…" (RFC 2253 order reversed to the usual one-line form).
std::string NameText(const X509_NAME* name) {
  if (name == nullptr) return "(none)";
  SslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return "(unprintable name)";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string text(data, static_cast<size_t>(len > 0 ? len : 0));
  return text.empty() ? "(empty name)" : text;
}

}  // namespace

Result<EkCertificate> EkCertificate::Parse(ByteView der) {
  if (der.empty()) return Error(Code::kMalformed, "EK certificate: empty");
  SslPtr<X509> cert = ParseDer(der);
  if (cert == nullptr) {
    return Error(Code::kMalformed,
                 StrCat("EK certificate: ", der.size(),
                        " bytes are not one DER X.509 certificate (truncated, trailing bytes, "
                        "or not DER)"));
  }
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) {
    ERR_clear_error();
    return Error(Code::kMalformed, "EK certificate: its subject public key does not parse");
  }
  EkKeyType type;
  int base = EVP_PKEY_get_base_id(key);
  if (base == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) != 2048) {
      return Error(Code::kMalformed, StrCat("EK certificate: expected an RSA 2048 or ECC P-256 "
                                            "public key, got RSA ",
                                            EVP_PKEY_get_bits(key)));
    }
    type = EkKeyType::kRsa2048;
  } else if (base == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t group_len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &group_len) != 1) {
      ERR_clear_error();
      return Error(Code::kMalformed,
                   "EK certificate: expected an RSA 2048 or ECC P-256 public key, got an ECC "
                   "key on an unnamed curve");
    }
    if (std::string(group) != "prime256v1") {
      return Error(Code::kMalformed, StrCat("EK certificate: expected an RSA 2048 or ECC P-256 "
                                            "public key, got ECC ",
                                            group));
    }
    type = EkKeyType::kEccP256;
  } else {
    return Error(Code::kMalformed,
                 StrCat("EK certificate: expected an RSA 2048 or ECC P-256 public key, got key "
                        "type ",
                        OBJ_nid2sn(base)));
  }
  uint8_t* spki = nullptr;
  int spki_len = i2d_PUBKEY(key, &spki);
  if (spki_len <= 0) {
    ERR_clear_error();
    return Error(Code::kMalformed, "EK certificate: its subject public key does not re-encode");
  }
  Bytes spki_der(spki, spki + spki_len);
  OPENSSL_free(spki);
  return EkCertificate(Bytes(der.begin(), der.end()), std::shared_ptr<X509>(std::move(cert)),
                       std::move(spki_der), type);
}

Status EkCertificate::VerifyChain(const std::vector<Bytes>& cas, int64_t at_unix_seconds) const {
  if (cas.empty()) {
    return Error(Code::kInvalidArgument,
                 "EK certificate: no TPM CA certificates to verify against (empty CA list)");
  }
  SslPtr<X509_STORE> store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  if (store == nullptr || untrusted == nullptr) {
    return Error(Code::kInternal, StrCat("EK certificate: out of memory: ", SslErrorString()));
  }
  size_t anchors = 0;
  for (size_t i = 0; i < cas.size(); ++i) {
    SslPtr<X509> ca = ParseDer(cas[i]);
    if (ca == nullptr) {
      return Error(Code::kInvalidArgument,
                   StrCat("TPM CA certificate ", i, ": ", cas[i].size(),
                          " bytes are not one DER X.509 certificate"));
    }
    // Self-signed (issuer = subject and the signature verifies with its own
    // key): a trust anchor. Anything else may only complete the chain.
    int self_signed = X509_self_signed(ca.get(), 1);
    ERR_clear_error();
    if (self_signed == 1) {
      if (X509_STORE_add_cert(store.get(), ca.get()) != 1) {
        return Error(Code::kInternal, StrCat("TPM CA certificate ", i,
                                             ": cannot add it to the trust store: ",
                                             SslErrorString()));
      }
      ++anchors;
    } else {
      if (sk_X509_push(untrusted.get(), ca.get()) <= 0) {
        return Error(Code::kInternal, "EK certificate: out of memory");
      }
      ca.release();  // owned by the stack now
    }
  }
  if (anchors == 0) {
    return Error(Code::kInvalidArgument,
                 StrCat("EK certificate: none of the ", cas.size(),
                        " TPM CA certificates is self-signed, so there is no trust anchor"));
  }
  SslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (ctx == nullptr ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert_.get(), untrusted.get()) != 1) {
    return Error(Code::kInternal,
                 StrCat("EK certificate: cannot set up verification: ", SslErrorString()));
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             static_cast<time_t>(at_unix_seconds));
  int ok = X509_verify_cert(ctx.get());
  if (ok == 1) return Ok();
  int err = X509_STORE_CTX_get_error(ctx.get());
  X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
  ERR_clear_error();
  std::string where =
      at == nullptr ? "" : StrCat(" (at certificate issued by ", NameText(X509_get_issuer_name(at)),
                                  ")");
  return Error(Code::kBadSignature, StrCat("EK certificate: chain does not verify: ",
                                           X509_verify_cert_error_string(err), where));
}

}  // namespace vouch
