#include "vouch/host/pve_hook.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>

#include "vouch/core/run_program.h"
#include "vouch/core/unique_fd.h"
#include "vouch/host/host_records.h"
#include "vouch/host/launch_release.h"
#include "vouch/qemu/pve_config.h"

namespace vouch::host {
namespace {

bool IsVmid(std::string_view vmid) {
  return !vmid.empty() && vmid.size() <= 9 &&
         std::all_of(vmid.begin(), vmid.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string VmName(std::string_view vmid) { return StrCat("VM ", vmid); }

Result<qemu::DomainConfig> ReadVm(const HookConfig& config, std::string_view vmid) {
  const std::string path = StrCat(config.pve_config_dir, "/", vmid, ".conf");
  auto text = ReadFile(path);
  if (!text.ok()) return text.error().WithContext(StrCat(VmName(vmid), " not started: its config"));
  auto vm = qemu::ParsePveConfig(ToString(*text), vmid);
  if (!vm.ok()) return vm.error().WithContext(StrCat(VmName(vmid), " not started"));
  return vm;
}

// The key files of other VMs that `vm`'s QEMU arguments name: a VM started
// while another's key waits for its QEMU could read that key.
Status RefuseForeignKeyFiles(const HookConfig& config, std::string_view vmid, const qemu::DomainConfig& vm) {
  const std::string own = PveKeyFile(config, vmid);
  const std::string dir = config.pve_key_dir + "/";
  for (const std::string& arg : vm.qemu_args) {
    size_t at = arg.find(dir);
    if (at == std::string::npos) continue;
    std::string named = arg.substr(at, arg.find(',', at) - at);
    if (named == own) continue;
    return Error(Code::kConfig, StrCat(VmName(vmid), " not started: its args name '", named,
                                       "', another VM's key file (only ", own, " is this VM's)"));
  }
  return Ok();
}

// Every LUKS disk of the args reads its key from `key_file`.
Status CheckLuksDisksUseKeyFile(const qemu::DomainConfig& vm, const std::string& key_file) {
  std::vector<qemu::QemuSecretFile> secrets = qemu::SecretFilesOfArgs(vm.qemu_args);
  bool any = false;
  for (const qemu::DomainDisk& disk : vm.disks) {
    if (disk.target_bus != "args" || disk.encryption_format != "luks") continue;
    any = true;
    auto secret = std::find_if(secrets.begin(), secrets.end(),
                               [&](const qemu::QemuSecretFile& s) { return s.id == disk.encryption_secret_uuid; });
    if (secret == secrets.end() || secret->file != key_file) {
      return Error(Code::kConfig, StrCat("LUKS disk '", disk.target_dev, "' must take key-secret from "
                                         "-object secret,id=", disk.encryption_secret_uuid, ",file=", key_file));
    }
  }
  if (!any) {
    return Error(Code::kConfig, StrCat("no LUKS disk in its args (-blockdev driver=luks,key-secret=ID,"
                                       "file.filename=IMAGE with -object secret,id=ID,file=", key_file, ")"));
  }
  return Ok();
}

// pve_key_dir exists, is a real directory of this user and nobody else
// may enter it: the key file's name is predictable, its directory is not
// anyone's to prepare.
Status PrepareKeyDir(const std::string& dir) {
  VOUCH_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    return Error(Code::kIo, StrCat("pve_key_dir '", dir, "': ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    return Error(Code::kConfig, StrCat("pve_key_dir '", dir, "' must be a directory that only its owner (uid ",
                                       ::geteuid(), ") can enter; it is ",
                                       S_ISDIR(st.st_mode) ? StrCat("mode 0", (st.st_mode & 0777) >> 6,
                                                                    (st.st_mode & 077) >> 3, st.st_mode & 07,
                                                                    " owned by uid ", st.st_uid)
                                                           : "not a directory"));
  }
  return Ok();
}

// Writes the passphrase to a new file only the owner reads; a stale one
// (a start that never reached post-start) is replaced.
Status WriteKeyFile(const std::string& path, const SecretBytes& passphrase) {
  ::unlink(path.c_str());
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Error(Code::kIo, StrCat("cannot create key file '", path, "': ", std::strerror(errno)));
  ByteView data = passphrase.Expose();
  for (size_t off = 0; off < data.size();) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::unlink(path.c_str());
      return Error(Code::kIo, StrCat("cannot write key file '", path, "': ", std::strerror(errno)));
    }
    off += static_cast<size_t>(n);
  }
  return Ok();
}

Status PreStart(const HookConfig& config, const Result<HookConfig>& loaded, std::string_view vmid, int64_t now) {
  VOUCH_ASSIGN_OR_RETURN(qemu::DomainConfig vm, ReadVm(config, vmid));
  VOUCH_RETURN_IF_ERROR(RefuseForeignKeyFiles(config, vmid, vm));
  std::optional<Bytes> bundle = ProtectionBundleOf(config, vm);
  if (!bundle) return Ok();  // unprotected
  if (!loaded.ok()) return loaded.error().WithContext(StrCat(VmName(vmid), " not started: hook config"));
  const std::string name = StrCat(vm.name, " (VM ", vmid, ")");
  const std::string key_file = PveKeyFile(config, vmid);
  if (Status s = CheckLuksDisksUseKeyFile(vm, key_file); !s.ok()) {
    return s.error().WithContext(StrCat("domain '", name, "' not released"));
  }
  if (Status s = PrepareKeyDir(config.pve_key_dir); !s.ok()) {
    return s.error().WithContext(StrCat("domain '", name, "' not released"));
  }
  auto facts = [&] { return EmulatorFacts(config.pve_emulator, vm.os.machine); };
  VOUCH_ASSIGN_OR_RETURN(ReleasedLaunch launch, ReleaseLaunch(config, name, vm, *bundle, facts, now));
  SecretBytes passphrase = LuksPassphraseOf(launch.outcome.key);
  launch.outcome.key = SecretBytes();
  if (Status s = WriteKeyFile(key_file, passphrase); !s.ok()) {
    return s.error().WithContext(StrCat("domain '", name, "' not released"));
  }
  RecordLaunch(config, name, vm, launch, now);
  return Ok();
}

}  // namespace

std::string PveKeyFile(const HookConfig& config, std::string_view vmid) {
  return StrCat(config.pve_key_dir, "/", vmid, ".key");
}

Result<HypervisorFacts> EmulatorFacts(const std::string& emulator, std::string_view machine) {
  auto run = RunProgram({emulator, "--version"});
  if (!run.ok()) return Error(Code::kUnavailable, StrCat("emulator: ", run.error().message()));
  static const std::regex kVersion("version ([0-9]+\\.[0-9]+\\.[0-9]+)");
  std::smatch m;
  if (run->exit_status != 0 || !std::regex_search(run->output, m, kVersion)) {
    return Error(Code::kUnavailable, StrCat("emulator '", emulator, " --version' says no QEMU version (exit ",
                                            run->exit_status, ")"));
  }
  struct utsname u {};
  if (::uname(&u) != 0) return Error(Code::kInternal, "uname(2) failed: cannot read the kernel release");
  HypervisorFacts facts;
  facts.qemu = m[1];
  facts.kernel = u.release;
  facts.machine = std::string(machine);
  return facts;
}

Status RunPveHook(const std::string& config_path, std::string_view vmid, std::string_view phase, int64_t now) {
  if (!IsVmid(vmid)) {
    return Error(Code::kInvalidArgument, StrCat("'", vmid.substr(0, 40), "' is not a Proxmox VMID (1-9 digits)"));
  }
  // As the libvirt hook: cleaning up runs on the defaults when hook.conf
  // does not parse (a stop is never blocked); a release needs it.
  const Result<HookConfig> loaded = LoadHookConfig(config_path);
  if (!loaded.ok() && loaded.error().code() != Code::kNotFound && phase == "pre-start") {
    return loaded.error().WithContext(StrCat(VmName(vmid), " not started: hook config"));
  }
  const HookConfig config = loaded.ok() ? *loaded : HookConfig{};
  if (phase == "pre-start") return PreStart(config, loaded, vmid, now);
  if (phase == "post-start" || phase == "post-stop") ::unlink(PveKeyFile(config, vmid).c_str());
  if (phase != "post-stop") return Ok();
  auto vm = ReadVm(config, vmid);
  if (!vm.ok()) return Ok();  // nothing to tell the validators about
  return EndLaunchLeasesOf(config, StrCat(vm->name, " (VM ", vmid, ")"), *vm, now);
}

}  // namespace vouch::host
