#include "vouch/validator/peer_key.h"

#include <arpa/inet.h>

#include <cstring>

namespace vouch::validator {

std::string PeerKey(std::string_view address) {
  std::string text(address);
  in6_addr v6;
  if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;
  char buf[INET6_ADDRSTRLEN];
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    return ::inet_ntop(AF_INET, &v6.s6_addr[12], buf, sizeof buf) ? buf : text;
  }
  std::memset(&v6.s6_addr[8], 0, 8);
  return ::inet_ntop(AF_INET6, &v6, buf, sizeof buf) ? std::string(buf) + "/64" : text;
}

}  // namespace vouch::validator
