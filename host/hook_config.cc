#include "vouch/host/hook_config.h"

#include "vouch/host/hook_config_example.h"
#include "vouch/host/hook_config_keys.h"
#include "vouch/host/ledger_submitter.h"

#include <cstdlib>
#include <sstream>

#include "vouch/core/bytes.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::host {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
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
    if (!IsHookConfigKey(key)) {
      return Error(Code::kInvalidArgument, StrCat("'", path, "' line ", n, ": unknown key '", key, "'"));
    }
    auto millis = [&](std::chrono::milliseconds* out) -> Status {
      char* end = nullptr;
      long v = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v <= 0 || v > 600000) {
        return Error(Code::kInvalidArgument,
                     StrCat("'", path, "' line ", n, ": ", key, " must be 1..600000 milliseconds"));
      }
      *out = std::chrono::milliseconds(v);
      return Ok();
    };
    if (key == "tcti") c.tcti = value;
    else if (key == "host_key") c.host_key = value;
    else if (key == "ak_dir") c.ak_dir = value;
    else if (key == "ledger") c.ledger = value;
    else if (key == "genesis") {
      auto pin = ledger::ParseGenesisPin(StrCat("'", path, "' line ", n, ": genesis"), value);
      if (!pin.ok()) return pin.error();
      c.genesis = *pin;
    }
    else if (key == "ledger_append") {
      if (auto via = ParseLedgerAppend(value); !via.ok()) return via.error().WithContext(StrCat("'", path, "' line ", n));
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
    else if (key == "deadline_ms") VOUCH_RETURN_IF_ERROR(millis(&c.deadline));
    else if (key == "libvirt_timeout_ms") VOUCH_RETURN_IF_ERROR(millis(&c.libvirt_timeout));
    else if (key == "metrics_listen") c.metrics_listen = value;
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
