// vouch host install-hook: installs vouch-hook as a libvirt QEMU hook without
// clobbering an existing one (issue 6; DESIGN §2 Start).
//
// libvirt (since 6.5; Debian 12 ships 9.0) runs `HOOKS/qemu` if it exists
// and then every executable file in `HOOKS/qemu.d/` in alphabetical order,
// each with the same arguments and the domain XML on stdin. vouch installs
// one file, `HOOKS/qemu.d/vouch`: a two-line sh wrapper that execs vouch-hook
// with its config. It never touches `HOOKS/qemu` or any other file, and
// --uninstall removes only a file carrying the wrapper's marker line.
// libvirt looks for hooks only when the daemon starts, so the command says
// whether a daemon is running; it never restarts one.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "command_exit.h"
#include "commands.h"
#include "installed_hook.h"
#include "vouch/core/bytes.h"
#include "vouch/core/flags.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch host install-hook [--hooks-dir /etc/libvirt/hooks] [--hook PATH]\n"
    "                               [--config /etc/vouch/hook.conf] [--force] [--uninstall]\n"
    "  writes HOOKS/qemu.d/vouch (mode 0755, atomically): an sh wrapper running\n"
    "  'PATH --config CONFIG \"$@\"'. libvirt runs HOOKS/qemu, then every executable in\n"
    "  HOOKS/qemu.d/; an existing HOOKS/qemu is never touched. PATH defaults to vouch-hook\n"
    "  next to this vouch binary, else ../libexec/vouch/vouch-hook from it (an install).\n"
    "  A qemu.d/vouch that vouch did not write is refused unless --force. --uninstall\n"
    "  removes qemu.d/vouch only if vouch wrote it. libvirtd loads hooks only when it\n"
    "  starts: restart it afterwards (vouch does not).\n";

int Usage(const std::string& problem) { return UsageError("vouch host install-hook", problem, {kUsage}); }

// The directory of the running binary ("" if /proc/self/exe is unreadable).
std::string SelfDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// vouch-hook next to this vouch (a build tree), else where an install puts
// it (BINDIR/../libexec/vouch: packaging/CMakeLists.txt).
std::string DefaultHook() {
  std::string self_dir = SelfDir();
  if (self_dir.empty()) return "/usr/libexec/vouch/vouch-hook";
  std::string beside = self_dir + "/vouch-hook";
  if (::access(beside.c_str(), X_OK) == 0) return beside;
  return std::filesystem::path(self_dir + "/../libexec/vouch/vouch-hook").lexically_normal().string();
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

void PrintRestartNote() {
  std::optional<LibvirtDaemon> daemon = RunningLibvirtDaemon();
  if (daemon) {
    const long pid = daemon->pid;
    const std::string& name = daemon->name;
    std::printf("%s is running (pid %ld): libvirt looks for hooks only when the daemon starts, so restart it "
                "(e.g. 'systemctl restart %s'); vouch did not restart it\n",
                name.c_str(), pid, name.c_str());
  } else {
    std::printf("libvirtd is not running: it picks up the hook when it starts (libvirt looks for hooks only "
                "at daemon start)\n");
  }
}

Status MakeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error(Code::kIo, StrCat("cannot create directory '", dir, "': ", std::strerror(errno)));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error(Code::kIo, StrCat("'", dir, "' is not a directory"));
  }
  return Ok();
}

// What is at `path` now: nothing, vouch's wrapper (content in *content), or
// something else.
enum class Existing { kNone, kOurs, kForeign };
Result<Existing> Inspect(const std::string& path, Bytes* content) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Existing::kNone;
    return Error(Code::kIo, StrCat("cannot inspect '", path, "': ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode) || st.st_size > (64 << 10)) return Existing::kForeign;
  VOUCH_ASSIGN_OR_RETURN(*content, ReadFile(path));
  return IsVouchWrapper(*content) ? Existing::kOurs : Existing::kForeign;
}

Status Uninstall(const std::string& target) {
  Bytes content;
  VOUCH_ASSIGN_OR_RETURN(Existing existing, Inspect(target, &content));
  if (existing == Existing::kNone) {
    std::printf("nothing to uninstall: '%s' does not exist\n", target.c_str());
    return Ok();
  }
  if (existing == Existing::kForeign) {
    return Error(Code::kInvalidArgument,
                 StrCat("'", target, "' was not written by vouch (no vouch marker line); left in place"));
  }
  if (::unlink(target.c_str()) != 0) {
    return Error(Code::kIo, StrCat("cannot remove '", target, "': ", std::strerror(errno)));
  }
  std::printf("removed %s\n", target.c_str());
  PrintRestartNote();
  return Ok();
}

Status Install(const std::string& hooks_dir, const std::string& target, const std::string& hook,
               const std::string& config, bool force) {
  for (const std::string* p : {&hook, &config}) {
    for (char c : *p) {
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error(Code::kInvalidArgument, StrCat("path '", *p, "' contains a control character"));
      }
    }
  }
  struct stat st;
  if (::stat(hook.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(hook.c_str(), X_OK) != 0) {
    return Error(Code::kNotFound, StrCat("hook program '", hook, "' is not an executable file (set it with --hook)"));
  }
  // A main hook that already is vouch-hook would run it twice per event.
  std::string main_hook = hooks_dir + "/qemu";
  std::error_code ec;
  if (std::filesystem::exists(main_hook, ec) && std::filesystem::equivalent(main_hook, hook, ec) && !force) {
    return Error(Code::kInvalidArgument,
                 StrCat("'", main_hook, "' already is '", hook,
                        "'; a second copy in qemu.d would run it twice (remove that one, or --force)"));
  }
  Bytes content;
  VOUCH_ASSIGN_OR_RETURN(Existing existing, Inspect(target, &content));
  if (existing == Existing::kForeign && !force) {
    return Error(Code::kInvalidArgument,
                 StrCat("'", target, "' exists and was not written by vouch; not replacing it (--force does)"));
  }
  std::string wrapper = HookWrapper(hook, config);
  if (existing == Existing::kOurs && std::string(content.begin(), content.end()) == wrapper &&
      ::stat(target.c_str(), &st) == 0 && (st.st_mode & 07777) == 0755) {
    std::printf("%s is already installed and up to date (runs %s --config %s)\n", target.c_str(), hook.c_str(),
                config.c_str());
    return Ok();
  }
  VOUCH_RETURN_IF_ERROR(MakeDir(hooks_dir));
  VOUCH_RETURN_IF_ERROR(MakeDir(hooks_dir + "/qemu.d"));
  // Written next to qemu.d (libvirt never runs files there other than the
  // driver names), then renamed in: qemu.d never holds a partial file.
  std::string staged = hooks_dir + "/.vouch-hook.new";
  VOUCH_RETURN_IF_ERROR(WriteFile(staged, ToBytes(wrapper), 0755));
  if (::rename(staged.c_str(), target.c_str()) != 0) {
    int e = errno;
    ::unlink(staged.c_str());
    return Error(Code::kIo, StrCat("cannot rename onto '", target, "': ", std::strerror(e)));
  }
  const char* verb = existing == Existing::kNone ? "installed" : existing == Existing::kOurs ? "updated" : "replaced";
  std::printf("%s %s (runs %s --config %s)%s\n", verb, target.c_str(), hook.c_str(), config.c_str(),
              existing == Existing::kForeign ? "; the file vouch had not written was replaced (--force)" : "");
  if (::lstat(main_hook.c_str(), &st) == 0) {
    std::printf("left %s as it is: libvirt runs it first, then qemu.d/vouch\n", main_hook.c_str());
  }
  if (::stat(config.c_str(), &st) != 0) {
    std::printf("note: config %s does not exist yet\n", config.c_str());
  }
  PrintRestartNote();
  return Ok();
}

}  // namespace

int HostInstallHookCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {"hooks-dir", "hook", "config"}, {"force", "uninstall"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (!flags->positional().empty()) return Usage(StrCat("unexpected argument '", flags->positional()[0], "'"));
  for (const char* name : {"hooks-dir", "hook", "config"}) {
    if (flags->GetAll(name).size() > 1) return Usage(StrCat("--", name, " given twice"));
    if (flags->Has(name) && flags->Get(name)->empty()) return Usage(StrCat("--", name, " is empty"));
  }
  std::string hooks_dir = Absolute(flags->GetOr("hooks-dir", "/etc/libvirt/hooks"));
  std::string target = hooks_dir + "/qemu.d/vouch";
  Status s = Ok();
  if (flags->Has("uninstall")) {
    if (flags->Has("hook") || flags->Has("config")) return Usage("--uninstall takes no --hook or --config");
    s = Uninstall(target);
  } else {
    s = Install(hooks_dir, target, Absolute(flags->GetOr("hook", DefaultHook())),
                Absolute(flags->GetOr("config", "/etc/vouch/hook.conf")), flags->Has("force"));
  }
  if (!s.ok()) return Fail(s.error().message());
  return 0;
}

}  // namespace vouch::cli
