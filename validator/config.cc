#include "vouch/validator/config.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "vouch/core/bytes.h"
#include "vouch/core/duration.h"
#include "vouch/core/flags.h"
#include "vouch/ledger/ledger_client.h"

#include "vouch/validator/validator_keys.h"

namespace vouch::validator {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

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
    {"--max-body", 1024, 16 << 20,
     [](VouchdConfig& c, int64_t v) { c.max_body_bytes = static_cast<size_t>(v); }},
    {"--threads", 1, 256, [](VouchdConfig& c, int64_t v) { c.threads = static_cast<size_t>(v); }},
    {"--queue", 0, 65536, [](VouchdConfig& c, int64_t v) { c.max_queue = static_cast<size_t>(v); }},
    {"--peer-connections", 1, 65536,
     [](VouchdConfig& c, int64_t v) { c.peer_connections = static_cast<size_t>(v); }},
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

// The flags that take a duration (vouch/core/duration.h): name, range, and
// the field it sets; whole_seconds where the value is counted in seconds.
struct DurationFlag {
  std::string_view name;
  milliseconds min, max;
  bool whole_seconds;
  void (*set)(VouchdConfig&, milliseconds);
};

constexpr DurationFlag kDurationFlags[] = {
    {"--nonce-validity", seconds(1), hours(1), true,
     [](VouchdConfig& c, milliseconds v) { c.nonce_validity = std::chrono::duration_cast<seconds>(v); }},
    {"--timeout", seconds(1), minutes(5), false, [](VouchdConfig& c, milliseconds v) { c.timeout = v; }},
    {"--request-deadline", seconds(1), minutes(5), false,
     [](VouchdConfig& c, milliseconds v) { c.request_deadline = v; }},
    {"--keep-alive", seconds(0), minutes(5), false, [](VouchdConfig& c, milliseconds v) { c.keep_alive = v; }},
};

const DurationFlag* FindDurationFlag(std::string_view flag) {
  for (const DurationFlag& f : kDurationFlags) {
    if (f.name == flag) return &f;
  }
  return nullptr;
}

// Sets the number or duration flag `flag` (with "--") from `text`; false if
// `flag` is neither.
Result<bool> SetValue(VouchdConfig& c, std::string_view flag, std::string_view text) {
  if (const NumberFlag* number = FindNumberFlag(flag)) {
    VOUCH_ASSIGN_OR_RETURN(int64_t n, ParseNumber(flag, text, number->min, number->max));
    number->set(c, n);
    return true;
  }
  const DurationFlag* duration = FindDurationFlag(flag);
  if (duration == nullptr) return false;
  VOUCH_ASSIGN_OR_RETURN(milliseconds d, ParseDurationIn(flag, text, duration->min, duration->max));
  if (duration->whole_seconds) VOUCH_RETURN_IF_ERROR(WholeSeconds(flag, d));
  duration->set(c, d);
  return true;
}

constexpr std::string_view kOtherSettings[] = {
    "listen",    "state-dir",   "key",        "hpke-key",    "ledger", "ledger-ca", "ledger-cert",
    "ledger-key", "ledger-user", "ledger-password-file", "genesis", "hosts",     "fault",       "init"};

bool KnownSetting(std::string_view name) {
  for (std::string_view k : kOtherSettings) {
    if (name == k) return true;
  }
  std::string flag = StrCat("--", name);
  return FindNumberFlag(flag) != nullptr || FindDurationFlag(flag) != nullptr;
}

std::string SettingNames() {
  std::string out;
  for (std::string_view k : VouchdSettingNames()) out += StrCat(out.empty() ? "" : ", ", k);
  return out;
}

}  // namespace

std::vector<std::string_view> VouchdSettingNames() {
  std::vector<std::string_view> names(std::begin(kOtherSettings), std::end(kOtherSettings));
  for (const NumberFlag& f : kNumberFlags) names.push_back(f.name.substr(2));
  for (const DurationFlag& f : kDurationFlags) names.push_back(f.name.substr(2));
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
    // A bad number or duration names its line here, not only its flag later.
    VouchdConfig scratch;
    if (auto set = SetValue(scratch, StrCat("--", name), value); !set.ok()) {
      return Error(Code::kConfig, StrCat("vouchd config '", path, "' line ", n, ": ", set.error().message()));
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
  std::set<std::string> value_flags;  // every setting but "init" takes a value
  for (std::string_view name : VouchdSettingNames()) {
    if (name != "init") value_flags.insert(std::string(name));
  }
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
  // --ledger-ca, --ledger-cert, --ledger-key, --ledger-user, --ledger-password-file.
  for (std::string_view setting : ledger::kLedgerAccessSettings) {
    std::string flag = StrCat("ledger-", setting);
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (auto v = last(flag)) *ledger::LedgerAccessField(c.ledger_access, setting) = *v;
  }
  if (auto v = last("genesis")) {
    VOUCH_ASSIGN_OR_RETURN(c.genesis, ledger::ParseGenesisPin("--genesis", *v));
  }
  for (std::string_view name : VouchdSettingNames()) {
    auto v = last(std::string(name));
    if (v) VOUCH_RETURN_IF_ERROR(SetValue(c, StrCat("--", name), *v));
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
