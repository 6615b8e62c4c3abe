#include "vouch/validator/endpoint_check.h"

#include <cstdlib>

#include "vouch/core/errors.h"

namespace vouch::validator {
namespace {

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct Url {
  std::string host;
  int port = 0;
};

std::optional<Url> ParseHttpUrl(std::string_view url) {
  int default_port = 0;
  if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
    default_port = 80;
  } else if (url.rfind("https://", 0) == 0) {
    url.remove_prefix(8);
    default_port = 443;
  } else {
    return std::nullopt;
  }
  url = url.substr(0, url.find('/'));
  Url out{"", default_port};
  std::string_view port;
  if (!url.empty() && url.front() == '[') {
    size_t close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(url.substr(1, close - 1));
    std::string_view rest = url.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    size_t colon = url.rfind(':');
    out.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) port = url.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  if (!port.empty() || url.find(':') != std::string_view::npos) {
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    out.port = std::atoi(std::string(port).c_str());
  }
  return out;
}

}  // namespace

std::optional<std::string> EndpointMismatch(std::string_view endpoint, std::string_view listen_host,
                                            int listen_port) {
  std::optional<Url> url = ParseHttpUrl(endpoint);
  if (!url) return StrCat("'", endpoint, "' is not an http(s)://HOST[:PORT] URL");
  if (url->port != listen_port) {
    return StrCat("it names port ", url->port, ", vouchd listens on port ", listen_port);
  }
  if (IsLoopback(listen_host) && !IsLoopback(url->host)) {
    return StrCat("vouchd listens on loopback (", listen_host, ") only: no other machine can reach ", url->host);
  }
  return std::nullopt;
}

}  // namespace vouch::validator
