#include "vouch/core/ssl_ptr.h"

#include <openssl/err.h>

namespace vouch {

std::string SslErrorString() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

}  // namespace vouch
