#include "vouch/host/hook_config.h"

#include "vouch/host/hook_config_example.h"
#include "vouch/host/hook_config_keys.h"
#include "vouch/host/ledger_submitter.h"

#include <sstream>

#include "vouch/core/bytes.h"
#include "vouch/core/duration.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::host {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// The keys that named their unit before durations took one (DESIGN §7).
constexpr RenamedDuration kRenamedKeys[] = {{"deadline_ms", "deadline", "ms"},
                                            {"libvirt_timeout_ms", "libvirt_timeout", "ms"}};

// An old key refuses the file rather than fall back to a default.
Status RefuseRenamedKey(std::string_view where, std::string_view key, std::string_view value) {
  for (const RenamedDuration& r : kRenamedKeys) {
    if (key != r.old_name) continue;
    return Error(Code::kInvalidArgument, StrCat(where, ": '", key, "' was renamed: write '", r.new_name, " = ",
                                                RespelledDuration(r, value), "'"));
  }
  return Ok();
}

// deadline and libvirt_timeout: 1ms..10m.
Status SetDuration(std::string_view where, std::string_view key, std::string_view value,
                   std::chrono::milliseconds* out) {
  VOUCH_ASSIGN_OR_RETURN(*out, ParseDurationIn(StrCat(where, ": ", key), value, std::chrono::milliseconds(1),
                                               std::chrono::minutes(10)));
  return Ok();
}

}  // namespace

Result<HookConfig> LoadHookConfig(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path));
  HookConfig c;
  std::istringstream in(ToString(data));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      return Error(Code::kInvalidArgument, StrCat("'", path, "' line ", n, ": expected 'key = value'"));
    }
    std::string key = Trim(line.substr(0, eq)), value = Trim(line.substr(eq + 1));
    const std::string where = StrCat("'", path, "' line ", n);
    VOUCH_RETURN_IF_ERROR(RefuseRenamedKey(where, key, value));
    if (!IsHookConfigKey(key)) return Error(Code::kInvalidArgument, StrCat(where, ": unknown key '", key, "'"));
    if (key == "tcti") c.tcti = value;
    else if (key == "host_key") c.host_key = value;
    else if (key == "ak_dir") c.ak_dir = value;
    else if (key == "ledger") c.ledger = value;
    else if (key == "genesis") {
      auto pin = ledger::ParseGenesisPin(StrCat(where, ": genesis"), value);
      if (!pin.ok()) return pin.error();
      c.genesis = *pin;
    }
    else if (key == "ledger_append") {
      if (auto via = ParseLedgerAppend(value); !via.ok()) return via.error().WithContext(where);
      c.ledger_append = value;
    }
    else if (std::string* field = key.rfind("ledger_", 0) == 0 ? ledger::LedgerAccessField(c.ledger_access, key.substr(7))
                                                              : nullptr) {
      *field = value;
    }
    else if (key == "audit_dir") c.audit_dir = value;
    else if (key == "bundle_dir") c.bundle_dir = value;
    else if (key == "state_dir") c.state_dir = value;
    else if (key == "libvirt_uri") c.libvirt_uri = value;
    else if (key == "deadline") VOUCH_RETURN_IF_ERROR(SetDuration(where, key, value, &c.deadline));
    else if (key == "libvirt_timeout") VOUCH_RETURN_IF_ERROR(SetDuration(where, key, value, &c.libvirt_timeout));
    else if (key == "metrics_listen") c.metrics_listen = value;
    else if (key == "event_log") c.event_log = value;
    else if (key == "pve_config_dir") c.pve_config_dir = value;
    else if (key == "pve_key_dir") c.pve_key_dir = value;
    else if (key == "pve_emulator") c.pve_emulator = value;
    else {
      return Error(Code::kInternal, StrCat("hook config key '", key, "' is listed but not parsed"));
    }
  }
  if (!c.ledger.empty() && !c.genesis) {
    return Error(Code::kInvalidArgument,
                 StrCat("'", path, "': 'ledger' needs 'genesis = HEX', the digest 'vouch ledger init' "
                        "printed: a ledger is trusted only from its pinned genesis"));
  }
  return c;
}

Result<HookConfig> LoadHookConfigOrDefaults(const std::string& path) {
  auto c = LoadHookConfig(path);
  if (!c.ok() && c.error().code() == Code::kNotFound) return HookConfig{};
  return c;
}

std::string HookConfigForNewHost(std::string_view tcti, std::string_view host_key, std::string_view ak_dir) {
  std::string text = kHookConfigExample;
  // Each "#key = default" line of the example becomes "key = value".
  auto set = [&text](std::string_view key, std::string_view value) {
    std::string commented = StrCat("\n#", key, " =");
    size_t at = text.find(commented);
    if (at == std::string::npos) {
      text += StrCat(key, " = ", value, "\n");
      return;
    }
    size_t end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, StrCat(key, " = ", value));
  };
  set("tcti", tcti);
  set("host_key", host_key);
  set("ak_dir", ak_dir);
  return text;
}

}  // namespace vouch::host
