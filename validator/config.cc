#include "vouch/validator/config.h"

#include <charconv>

#include "vouch/validator/validator_keys.h"

namespace vouch::validator {
namespace {

Result<int64_t> ParseNumber(std::string_view flag, std::string_view text, int64_t min,
                            int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return Error(Code::kInvalidArgument,
                 StrCat(flag, ": expected a number from ", min, " to ", max, ", got '", text, "'"));
  }
  return v;
}

}  // namespace

Result<std::pair<std::string, int>> ParseListenAddress(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error(Code::kInvalidArgument,
                   StrCat("--listen: expected [V6]:PORT, got '", text, "'"));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return Error(Code::kInvalidArgument,
                   StrCat("--listen: expected HOST:PORT, got '", text, "'"));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) {
    return Error(Code::kInvalidArgument, StrCat("--listen: no host in '", text, "'"));
  }
  VOUCH_ASSIGN_OR_RETURN(int64_t p, ParseNumber("--listen port", port, 0, 65535));
  return std::make_pair(std::string(host), static_cast<int>(p));
}

Result<VouchdConfig> ParseVouchdFlags(const std::vector<std::string>& args) {
  VouchdConfig c;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      has_value = true;
    }
    auto take = [&]() -> Result<std::string> {
      if (has_value) return value;
      if (i + 1 >= args.size()) {
        return Error(Code::kInvalidArgument, StrCat(flag, ": missing value"));
      }
      return args[++i];
    };
    if (flag == "--init") {
      if (has_value) return Error(Code::kInvalidArgument, "--init takes no value");
      c.init = true;
      continue;
    }
    if (flag == "--listen") {
      VOUCH_ASSIGN_OR_RETURN(std::string v, take());
      VOUCH_ASSIGN_OR_RETURN(auto hp, ParseListenAddress(v));
      c.host = hp.first;
      c.port = hp.second;
    } else if (flag == "--state-dir") {
      VOUCH_ASSIGN_OR_RETURN(c.state_dir, take());
    } else if (flag == "--key") {
      VOUCH_ASSIGN_OR_RETURN(c.key_file, take());
    } else if (flag == "--hpke-key") {
      VOUCH_ASSIGN_OR_RETURN(c.hpke_key_file, take());
    } else if (flag == "--ledger") {
      VOUCH_ASSIGN_OR_RETURN(c.ledger, take());
    } else if (flag == "--hosts") {
      VOUCH_ASSIGN_OR_RETURN(c.hosts_file, take());
    } else if (flag == "--nonce-validity") {
      VOUCH_ASSIGN_OR_RETURN(std::string v, take());
      VOUCH_ASSIGN_OR_RETURN(c.nonce_validity_s, ParseNumber(flag, v, 1, 3600));
    } else if (flag == "--max-body") {
      VOUCH_ASSIGN_OR_RETURN(std::string v, take());
      VOUCH_ASSIGN_OR_RETURN(int64_t n, ParseNumber(flag, v, 1024, 16 << 20));
      c.max_body_bytes = static_cast<size_t>(n);
    } else if (flag == "--threads") {
      VOUCH_ASSIGN_OR_RETURN(std::string v, take());
      VOUCH_ASSIGN_OR_RETURN(int64_t n, ParseNumber(flag, v, 1, 256));
      c.threads = static_cast<size_t>(n);
    } else if (flag == "--timeout") {
      VOUCH_ASSIGN_OR_RETURN(std::string v, take());
      VOUCH_ASSIGN_OR_RETURN(c.timeout_s, ParseNumber(flag, v, 1, 300));
    } else if (flag == "--fault") {
      VOUCH_ASSIGN_OR_RETURN(std::string v, take());
      VOUCH_ASSIGN_OR_RETURN(c.fault, ParseFault(v));
    } else {
      return Error(Code::kInvalidArgument, StrCat("unknown flag '", flag, "' (see vouchd --help)"));
    }
  }
  if (c.key_file.empty() || c.hpke_key_file.empty()) {
    if (c.state_dir.empty()) {
      return Error(Code::kInvalidArgument,
                   "no key files: give --state-dir, or both --key and --hpke-key");
    }
    if (c.key_file.empty()) c.key_file = c.state_dir + "/" + kDefaultKeyFile;
    if (c.hpke_key_file.empty()) c.hpke_key_file = c.state_dir + "/" + kDefaultHpkeKeyFile;
  }
  if (c.ledger.empty() == c.hosts_file.empty()) {
    return Error(
        Code::kInvalidArgument,
        "give exactly one host directory: --ledger LOCATOR, or --hosts FILE (static, for tests)");
  }
  return c;
}

}  // namespace vouch::validator
