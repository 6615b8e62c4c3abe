#include "vouch/validator/config.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "vouch/core/bytes.h"
#include "vouch/core/flags.h"
#include "vouch/ledger/ledger_client.h"

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

// The flags that take a number: name, range, and the field it sets.
struct NumberFlag {
  std::string_view name;
  int64_t min, max;
  void (*set)(VouchdConfig&, int64_t);
};

constexpr NumberFlag kNumberFlags[] = {
    {"--nonce-validity", 1, 3600, [](VouchdConfig& c, int64_t v) { c.nonce_validity_s = v; }},
    {"--max-body", 1024, 16 << 20,
     [](VouchdConfig& c, int64_t v) { c.max_body_bytes = static_cast<size_t>(v); }},
    {"--threads", 1, 256, [](VouchdConfig& c, int64_t v) { c.threads = static_cast<size_t>(v); }},
    {"--timeout", 1, 300, [](VouchdConfig& c, int64_t v) { c.timeout_s = v; }},
    {"--queue", 0, 65536, [](VouchdConfig& c, int64_t v) { c.max_queue = static_cast<size_t>(v); }},
    {"--peer-connections", 1, 65536,
     [](VouchdConfig& c, int64_t v) { c.peer_connections = static_cast<size_t>(v); }},
    {"--request-deadline", 1, 300, [](VouchdConfig& c, int64_t v) { c.request_deadline_s = v; }},
    {"--keep-alive", 0, 300, [](VouchdConfig& c, int64_t v) { c.keep_alive_s = v; }},
    {"--challenge-rate", 1, 1000000, [](VouchdConfig& c, int64_t v) { c.challenge_rate = v; }},
    {"--challenge-burst", 1, 1000000,
     [](VouchdConfig& c, int64_t v) { c.challenge_burst = static_cast<size_t>(v); }},
    {"--host-challenges", 1, 1000000,
     [](VouchdConfig& c, int64_t v) { c.host_challenges = static_cast<size_t>(v); }},
    {"--host-vcs", 1, 100000, [](VouchdConfig& c, int64_t v) { c.host_vcs = static_cast<size_t>(v); }},
};

const NumberFlag* FindNumberFlag(std::string_view flag) {
  for (const NumberFlag& f : kNumberFlags) {
    if (f.name == flag) return &f;
  }
  return nullptr;
}

constexpr std::string_view kOtherSettings[] = {
    "listen",    "state-dir",   "key",        "hpke-key",    "ledger", "ledger-ca", "ledger-cert",
    "ledger-key", "ledger-user", "ledger-password-file", "genesis", "hosts",     "fault",       "init"};

bool KnownSetting(std::string_view name) {
  for (std::string_view k : kOtherSettings) {
    if (name == k) return true;
  }
  return FindNumberFlag(StrCat("--", name)) != nullptr;
}

std::string SettingNames() {
  std::string out;
  for (std::string_view k : kOtherSettings) out += StrCat(out.empty() ? "" : ", ", k);
  for (const NumberFlag& f : kNumberFlags) out += StrCat(", ", f.name.substr(2));
  return out;
}

}  // namespace

std::vector<std::string_view> VouchdSettingNames() {
  std::vector<std::string_view> names(std::begin(kOtherSettings), std::end(kOtherSettings));
  for (const NumberFlag& f : kNumberFlags) names.push_back(f.name.substr(2));
  return names;
}

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

Result<std::vector<std::string>> ReadVouchdConfigFile(const std::string& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return Error(Code::kConfig, StrCat("vouchd config '", path, "': ", data.error().message()));
  std::vector<std::string> out;
  std::istringstream in(ToString(*data));
  std::string line;
  auto trim = [](std::string s) {
    size_t b = s.find_first_not_of(" \t\r");
    size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  for (int n = 1; std::getline(in, line); ++n) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    std::string name = trim(line.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : trim(line.substr(eq + 1));
    if (eq == std::string::npos || !KnownSetting(name)) {
      return Error(Code::kConfig,
                   StrCat("vouchd config '", path, "' line ", n,
                          ": expected NAME = VALUE with NAME one of ", SettingNames(), "; got '",
                          line, "'"));
    }
    if (name == "init") {
      if (value != "true" && value != "false") {
        return Error(Code::kConfig,
                     StrCat("vouchd config '", path, "' line ", n, ": init must be true or false"));
      }
      if (value == "true") out.push_back("--init");
      continue;
    }
    out.push_back(StrCat("--", name, "=", value));
  }
  return out;
}

Result<VouchdConfig> ParseVouchdFlags(const std::vector<std::string>& command_line,
                                      const VouchdFlagOptions& options) {
  // A --config file's settings come first, so flags on the command line win.
  std::vector<std::string> args;
  std::vector<std::string> rest;
  for (size_t i = 0; i < command_line.size(); ++i) {
    const std::string& a = command_line[i];
    std::string path;
    if (a == "--config") {
      if (i + 1 >= command_line.size()) return Error(Code::kInvalidArgument, "--config: missing value");
      path = command_line[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      path = a.substr(9);
    } else {
      rest.push_back(a);
      continue;
    }
    VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> from_file, ReadVouchdConfigFile(path));
    args.insert(args.end(), from_file.begin(), from_file.end());
  }
  args.insert(args.end(), rest.begin(), rest.end());
  std::set<std::string> value_flags = {"listen", "state-dir", "key", "hpke-key", "ledger", "genesis", "hosts",
                                       "fault"};
  // --ledger-ca, --ledger-cert, --ledger-key, --ledger-user, --ledger-password-file.
  auto access_flag = [](std::string_view setting) {
    std::string flag = StrCat("ledger-", setting);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
  };
  for (std::string_view setting : ledger::kLedgerAccessSettings) value_flags.insert(access_flag(setting));
  for (const NumberFlag& f : kNumberFlags) value_flags.insert(std::string(f.name.substr(2)));
  VOUCH_ASSIGN_OR_RETURN(Flags flags, Flags::Parse(args, value_flags, {"init"}));
  if (!flags.positional().empty()) {
    return Error(Code::kInvalidArgument, StrCat("unexpected argument '", flags.positional()[0], "'"));
  }
  // The file's settings come first and the command line after: the last wins.
  auto last = [&flags](const std::string& name) -> std::optional<std::string> {
    std::vector<std::string> all = flags.GetAll(name);
    if (all.empty()) return std::nullopt;
    return all.back();
  };
  VouchdConfig c;
  c.init = flags.Has("init");
  if (auto v = last("listen")) {
    VOUCH_ASSIGN_OR_RETURN(auto hp, ParseListenAddress(*v));
    c.host = hp.first;
    c.port = hp.second;
  }
  c.state_dir = last("state-dir").value_or("");
  c.key_file = last("key").value_or("");
  c.hpke_key_file = last("hpke-key").value_or("");
  c.ledger = last("ledger").value_or("");
  c.hosts_file = last("hosts").value_or("");
  for (std::string_view setting : ledger::kLedgerAccessSettings) {
    if (auto v = last(access_flag(setting))) *ledger::LedgerAccessField(c.ledger_access, setting) = *v;
  }
  if (auto v = last("genesis")) {
    VOUCH_ASSIGN_OR_RETURN(c.genesis, ledger::ParseGenesisPin("--genesis", *v));
  }
  for (const NumberFlag& number : kNumberFlags) {
    auto v = last(std::string(number.name.substr(2)));
    if (!v) continue;
    VOUCH_ASSIGN_OR_RETURN(int64_t n, ParseNumber(number.name, *v, number.min, number.max));
    number.set(c, n);
  }
  if (auto v = last("fault")) {
    if (!options.allow_fault) {
      return Error(Code::kInvalidArgument,
                   "unknown flag --fault (fault injection exists only in the test binary vouchd-byzantine)");
    }
    VOUCH_ASSIGN_OR_RETURN(c.fault, ParseFault(*v));
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
  if (!c.ledger.empty() && !c.genesis) {
    return Error(Code::kInvalidArgument,
                 "--ledger needs --genesis HEX, the digest 'vouch ledger init' printed: a ledger is "
                 "trusted only from its pinned genesis");
  }
  return c;
}

}  // namespace vouch::validator
