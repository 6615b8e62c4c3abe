// vouch host init (DESIGN §2 "Register", host side): the host's DID key and
// its TPM attestation key.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include "commands.h"
#include "staged_file.h"
#include "vouch/core/did_key.h"
#include "vouch/core/flags.h"
#include "vouch/host/hook_config.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch host init [--dir /etc/vouch] [--tcti device:/dev/tpmrm0] [--force]\n"
    "       vouch host register|enroll --ledger LOCATOR ...   (see 'vouch host register --help')\n"
    "       vouch host install-hook ...                       (see 'vouch host install-hook --help')\n"
    "  creates DIR/host.key (Ed25519, the host's did:key) and DIR/ak/ (a restricted\n"
    "  ECC P-256 attestation key in the TPM), prints the DID and the AK public area, and\n"
    "  writes DIR/hook.conf (commented; tcti, host_key, ak_dir set) unless one exists.\n";

// DIR/hook.conf for this host, unless one is there (an operator's, or the
// package's commented one): never overwritten.
Status WriteHookConfig(const std::string& dir, const std::string& tcti, const std::string& key_path,
                       const std::string& ak_dir) {
  std::string path = dir + "/hook.conf";
  std::string text = host::HookConfigForNewHost(tcti, key_path, ak_dir);
  std::string note = StrCat("; set ledger and genesis in it, then 'vouch host install-hook --config ", path, "'");
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    std::printf("hook_config %s (kept: it exists; its tcti, host_key and ak_dir must name the above)\n",
                path.c_str());
    return Ok();
  }
  VOUCH_ASSIGN_OR_RETURN(StagedFile file, StagedFile::Create(path));
  VOUCH_RETURN_IF_ERROR(file.Write(AsBytes(text), 0644));
  VOUCH_RETURN_IF_ERROR(file.Commit(/*replace=*/false));
  std::printf("hook_config %s (written%s)\n", path.c_str(), note.c_str());
  return Ok();
}

Status HostInit(const Flags& f) {
  std::string dir = f.GetOr("dir", "/etc/vouch");
  std::string tcti = f.GetOr("tcti", "device:/dev/tpmrm0");
  std::string key_path = dir + "/host.key";
  std::string ak_dir = dir + "/ak";
  auto existing = Ed25519PrivateKey::LoadPem(key_path);
  if (existing.ok() && !f.Has("force")) {
    return Error(Code::kInvalidArgument,
                 StrCat("'", key_path, "' exists (host already initialised; --force replaces it)"));
  }
  // The TPM first: a host without one gets an error and no directory.
  VOUCH_ASSIGN_OR_RETURN(auto tpm, Tpm::Open(tcti));
  VOUCH_ASSIGN_OR_RETURN(Ak ak, tpm->CreateAk());
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error(Code::kIo, StrCat("cannot create directory '", dir, "'"));
  }
  if (::mkdir(ak_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error(Code::kIo, StrCat("cannot create directory '", ak_dir, "'"));
  }
  VOUCH_RETURN_IF_ERROR(ak.Save(ak_dir));
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  VOUCH_RETURN_IF_ERROR(key.SavePem(key_path));
  std::printf("did %s\n", DidKey::FromPublicKey(key.public_key()).did().c_str());
  std::printf("ak_public %s\n", HexEncode(ak.public_area().bytes()).c_str());
  std::printf("tpm %s %s\n", tpm->facts().manufacturer.c_str(), tpm->facts().firmware.c_str());
  return WriteHookConfig(dir, tcti, key_path, ak_dir);
}

}  // namespace

int HostCommand(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "install-hook") return HostInstallHookCommand({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "register") return HostRegisterCommand({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "enroll") return HostEnrollCommand({args.begin() + 1, args.end()});
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  if (args.empty() || args[0] != "init") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto flags = Flags::Parse({args.begin() + 1, args.end()}, {"dir", "tcti"}, {"force"});
  if (!flags.ok() || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  Status s = HostInit(*flags);
  if (!s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace vouch::cli
