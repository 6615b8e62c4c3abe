#include "installed_hook.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace vouch::cli {
namespace {

constexpr const char* kShebang = "#!/bin/sh\n";
// The second line of every wrapper vouch writes; --uninstall, reinstall and
// doctor recognize vouch's own file by it.
constexpr const char* kMarker =
    "# vouch-managed libvirt hook: written by 'vouch host install-hook', removed by '--uninstall'.\n";

// 'text' for sh: single quotes, each ' as '\''.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The next single-quoted sh word of `text` from `*at` (ShellQuote's form).
std::optional<std::string> ShellUnquote(const std::string& text, size_t* at) {
  std::string out;
  if (*at >= text.size() || text[*at] != '\'') return std::nullopt;
  for (size_t i = *at + 1; i < text.size(); ++i) {
    if (text[i] != '\'') {
      out += text[i];
    } else if (text.compare(i, 4, "'\\''") == 0) {
      out += '\'';
      i += 3;
    } else {
      *at = i + 1;
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string HookWrapper(const std::string& hook, const std::string& config) {
  return StrCat(kShebang, kMarker, "exec ", ShellQuote(hook), " --config ", ShellQuote(config), " \"$@\"\n");
}

bool IsVouchWrapper(const Bytes& content) {
  std::string text(content.begin(), content.end());
  return text.rfind(StrCat(kShebang, kMarker), 0) == 0;
}

Result<std::optional<InstalledHook>> ReadInstalledHook(const std::string& hooks_dir) {
  InstalledHook hook;
  hook.path = hooks_dir + "/qemu.d/vouch";
  struct stat st;
  if (::lstat(hook.path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<InstalledHook>();
    return Error(Code::kIo, StrCat("cannot inspect '", hook.path, "': ", std::strerror(errno)));
  }
  hook.modified = st.st_mtime;
  auto content = ReadFile(hook.path);
  if (!content.ok() || !IsVouchWrapper(*content)) {
    return Error(Code::kInvalidArgument, StrCat("'", hook.path, "' was not written by vouch"));
  }
  std::string text(content->begin(), content->end());
  size_t at = StrCat(kShebang, kMarker).size() + 5;  // past "exec "
  auto program = ShellUnquote(text, &at);
  const std::string flag = " --config ";
  if (!program || text.compare(at, flag.size(), flag) != 0) {
    return Error(Code::kInvalidArgument, StrCat("'", hook.path, "' does not read as vouch's wrapper"));
  }
  at += flag.size();
  auto config = ShellUnquote(text, &at);
  if (!config) return Error(Code::kInvalidArgument, StrCat("'", hook.path, "' does not read as vouch's wrapper"));
  hook.program = *program;
  hook.config = *config;
  return std::optional<InstalledHook>(std::move(hook));
}

namespace {

// The system's boot time (/proc/stat btime), for process start times.
std::time_t BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  long long value = 0;
  while (in >> key) {
    if (key == "btime" && (in >> value)) return static_cast<std::time_t>(value);
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

std::optional<LibvirtDaemon> RunningLibvirtDaemon() {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<LibvirtDaemon> found;
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    auto stat = ReadFile(StrCat("/proc/", pid, "/stat"));
    if (!stat.ok()) continue;
    std::string s(stat->begin(), stat->end());
    size_t open = s.find('('), close = s.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= s.size()) continue;
    std::string comm = s.substr(open + 1, close - open - 1);
    char state = s[close + 2];
    if ((comm != "libvirtd" && comm != "virtqemud") || state == 'Z' || state == 'X') continue;
    // Field 22, starttime, in clock ticks after boot (fields counted from pid = 1).
    std::string rest = s.substr(close + 2);
    size_t field = 3;
    size_t pos = 0;
    while (field < 22 && pos != std::string::npos) {
      pos = rest.find(' ', pos);
      if (pos != std::string::npos) ++pos;
      ++field;
    }
    long long ticks = pos == std::string::npos ? 0 : std::atoll(rest.c_str() + pos);
    found = LibvirtDaemon{pid, comm, BootTime() + static_cast<std::time_t>(ticks / ::sysconf(_SC_CLK_TCK))};
    break;
  }
  ::closedir(proc);
  return found;
}

}  // namespace vouch::cli
