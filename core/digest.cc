#include "vouch/core/digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <cstdlib>

#include "vouch/core/ssl_ptr.h"

namespace vouch {

namespace {

// Fetched once per process: OpenSSL 3 otherwise looks the algorithm up by
// name, under a lock, on every EVP_DigestInit_ex / HMAC call. Immutable after
// the (thread-safe) initialisation.
const EVP_MD* FetchedSha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  if (md == nullptr) std::abort();  // the default provider has no SHA-256
  return md;
}

EVP_MAC* FetchedHmac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) std::abort();
  return mac;
}

}  // namespace

Sha256Digest Sha256(ByteView data) { return Sha256({data}); }

Sha256Digest Sha256(std::initializer_list<ByteView> parts) {
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  Sha256Digest out{};
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), FetchedSha256(), nullptr) == 1;
  for (auto p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  if (!ok) std::abort();  // only on allocation failure
  return out;
}

Sha256Digest HmacSha256(ByteView key, ByteView data) {
  Sha256Digest out{};
  unsigned int len = 0;
  static const uint8_t kEmpty = 0;
  if (HMAC(FetchedSha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
           data.data(), data.size(), out.data(), &len) == nullptr) {
    std::abort();
  }
  return out;
}

struct HmacSha256Key::State {
  SslPtr<EVP_MAC_CTX> keyed;
};

HmacSha256Key::HmacSha256Key(ByteView key) {
  auto state = std::make_shared<State>();
  state->keyed.reset(EVP_MAC_CTX_new(FetchedHmac()));
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  static const uint8_t kEmpty = 0;
  if (!state->keyed ||
      EVP_MAC_init(state->keyed.get(), key.empty() ? &kEmpty : key.data(), key.size(), params) != 1) {
    std::abort();  // only on allocation failure
  }
  state_ = std::move(state);
}

Sha256Digest HmacSha256Key::Mac(ByteView data) const {
  SslPtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_dup(state_->keyed.get()));
  Sha256Digest out{};
  size_t len = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    std::abort();
  }
  return out;
}

}  // namespace vouch
