#include "vouch/shim/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vouch/core/bytes.h"
#include "vouch/core/did_key.h"
#include "vouch/core/duration.h"
#include "vouch/core/guest_channel.h"

namespace vouch::shim {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// The keys that named their unit before durations took one (DESIGN §7).
constexpr RenamedDuration kRenamedKeys[] = {{"grace_s", "grace", "s"}, {"timeout_s", "timeout", "s"}};

const RenamedDuration* FindRenamed(std::string_view key) {
  for (const RenamedDuration& r : kRenamedKeys) {
    if (key == r.old_name) return &r;
  }
  return nullptr;
}

// grace (whole seconds: it is added to the boot time) and timeout.
Status SetDuration(ShimConfig& c, const std::string& key, const std::string& value) {
  if (key == "timeout") {
    VOUCH_ASSIGN_OR_RETURN(c.timeout, ParseDurationIn(key, value, std::chrono::seconds(1), std::chrono::hours(1)));
    return Ok();
  }
  VOUCH_ASSIGN_OR_RETURN(auto grace, ParseDurationIn(key, value, std::chrono::seconds(1), std::chrono::hours(720)));
  VOUCH_ASSIGN_OR_RETURN(c.grace, WholeSeconds(key, grace));
  return Ok();
}

bool LooksLikeUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

Result<ShimConfig> ParseShimConfig(std::string_view text, const std::string& path) {
  ShimConfig c;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto where = [&](std::string_view what) { return Error(Code::kConfig, StrCat(path, ":", n, ": ", what)); };
    size_t eq = t.find('=');
    if (eq == std::string::npos) return where("expected 'key = value'");
    std::string key = Trim(t.substr(0, eq)), value = Trim(t.substr(eq + 1));
    if (key == "owner") {
      if (!DidKey::Parse(value).ok()) return where(StrCat("owner '", value, "' is not a did:key"));
      c.owner = value;
    } else if (key == "domain") {
      if (!LooksLikeUuid(value)) return where(StrCat("domain '", value, "' is not a UUID"));
      c.domain = value;
    } else if (key == "channel") {
      c.channel = value;
    } else if (key == "tcti") {
      c.tcti = value;
    } else if (key == "state_dir") {
      c.state_dir = value;
    } else if (key == "key_dir") {
      c.key_dir = value;
    } else if (key == "action") {
      if (value != "poweroff" && value != "reboot" && value != "none" &&
          !(value.rfind("exec:/", 0) == 0)) {
        return where(StrCat("action '", value, "' is not poweroff, reboot, none or exec:/PATH"));
      }
      c.action = value;
    } else if (key == "grace" || key == "timeout") {
      if (Status s = SetDuration(c, key, value); !s.ok()) return where(s.error().message());
    } else if (const RenamedDuration* r = FindRenamed(key)) {
      return where(StrCat("'", key, "' was renamed: write '", r->new_name, " = ", RespelledDuration(*r, value), "'"));
    } else {
      return where(StrCat("unknown key '", key, "'"));
    }
    if (value.empty()) return where(StrCat("key '", key, "' has no value"));
  }
  if (c.owner.empty()) return Error(Code::kConfig, StrCat(path, ": 'owner' (the owner's did:key) is required"));
  return c;
}

Result<ShimConfig> LoadShimConfig(const std::string& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return Error(Code::kConfig, StrCat("cannot read ", path, ": ", data.error().message()));
  return ParseShimConfig(ToString(*data), path);
}

Result<std::string> FindChannel(const std::string& dev_root, const std::string& sys_root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string link = StrCat(dev_root, "/virtio-ports/", guest_channel::kPortName);
  if (fs::exists(link, ec)) return link;
  fs::path ports = fs::path(sys_root) / "class/virtio-ports";
  for (const auto& e : fs::directory_iterator(ports, ec)) {
    // sysfs files report no size: read them as streams.
    std::ifstream in(e.path() / "name");
    std::string name;
    if (!std::getline(in, name)) continue;
    if (Trim(name) == guest_channel::kPortName) {
      return StrCat(dev_root, "/", e.path().filename().string());
    }
  }
  return Error(Code::kNotFound, StrCat("no virtio-serial port named ", guest_channel::kPortName,
                                       " (is the domain's <channel> defined?)"));
}

}  // namespace vouch::shim
