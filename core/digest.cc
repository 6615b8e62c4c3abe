#include "vouch/core/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "vouch/core/ssl_ptr.h"

namespace vouch {

Sha256Digest Sha256(ByteView data) { return Sha256({data}); }

Sha256Digest Sha256(std::initializer_list<ByteView> parts) {
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  Sha256Digest out{};
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (auto p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  if (!ok) std::abort();  // only on allocation failure
  return out;
}

Sha256Digest HmacSha256(ByteView key, ByteView data) {
  Sha256Digest out{};
  unsigned int len = 0;
  static const uint8_t kEmpty = 0;
  if (HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
           data.data(), data.size(), out.data(), &len) == nullptr) {
    std::abort();
  }
  return out;
}

}  // namespace vouch
