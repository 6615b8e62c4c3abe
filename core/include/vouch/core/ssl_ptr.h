// RAII owners for OpenSSL objects (the Tink SslUniquePtr pattern).
#ifndef VOUCH_CORE_SSL_PTR_H_
#define VOUCH_CORE_SSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace vouch {

template <typename T>
struct SslDeleter;
#define VOUCH_SSL_DELETER(T, fn) \
  template <>                    \
  struct SslDeleter<T> {         \
    void operator()(T* p) const { fn(p); } \
  }
VOUCH_SSL_DELETER(EVP_PKEY, EVP_PKEY_free);
VOUCH_SSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
VOUCH_SSL_DELETER(EVP_MD, EVP_MD_free);
VOUCH_SSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
VOUCH_SSL_DELETER(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
VOUCH_SSL_DELETER(EVP_MAC, EVP_MAC_free);
VOUCH_SSL_DELETER(EVP_MAC_CTX, EVP_MAC_CTX_free);
VOUCH_SSL_DELETER(EVP_KDF, EVP_KDF_free);
VOUCH_SSL_DELETER(EVP_KDF_CTX, EVP_KDF_CTX_free);
VOUCH_SSL_DELETER(BIO, BIO_free_all);
VOUCH_SSL_DELETER(BIGNUM, BN_free);
VOUCH_SSL_DELETER(ECDSA_SIG, ECDSA_SIG_free);
VOUCH_SSL_DELETER(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
VOUCH_SSL_DELETER(OSSL_PARAM, OSSL_PARAM_free);
VOUCH_SSL_DELETER(X509, X509_free);
VOUCH_SSL_DELETER(X509_STORE, X509_STORE_free);
VOUCH_SSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free);
#undef VOUCH_SSL_DELETER

template <typename T>
using SslPtr = std::unique_ptr<T, SslDeleter<T>>;

// The text of OpenSSL's most recent error ("" if none), for messages.
std::string SslErrorString();

}  // namespace vouch

#endif  // VOUCH_CORE_SSL_PTR_H_
