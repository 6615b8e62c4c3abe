// vouch key generate|did: the Ed25519 keys every party signs with (owner,
// governance, host, validator: DESIGN §3 DIDs), made and named without
// `openssl genpkey`. A key file is written 0600 and never over an existing
// file unless --force, so a typo cannot destroy a key.
#include <sys/stat.h>

#include <cstdio>

#include "command_exit.h"
#include "commands.h"
#include "vouch/core/did_key.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/flags.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch key generate KEY.pem [--force]\n"
    "       vouch key did KEY.pem\n"
    "  generate: a new Ed25519 key as PKCS#8 PEM, mode 0600 (refused if KEY.pem exists, unless --force);\n"
    "            prints its did:key\n"
    "  did:      the did:key of an existing key\n";

int Usage(const std::string& problem) { return UsageError("vouch", problem, {kUsage}); }

int Generate(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {}, {"force"});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("key generate takes one KEY.pem");
  const std::string& path = flags->positional()[0];
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      std::fprintf(stderr, "vouch: '%s' exists and is not a regular file; not replaced\n", path.c_str());
      return 1;
    }
    if (!flags->Has("force")) {
      std::fprintf(stderr, "vouch: '%s' exists; not replaced (--force replaces it, and the key in it is lost)\n",
                   path.c_str());
      return 1;
    }
  }
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  Status saved = key.SavePem(path);
  if (!saved.ok()) {
    std::fprintf(stderr, "vouch: %s\n", saved.error().message().c_str());
    return 1;
  }
  std::printf("%s: %s\n", path.c_str(), DidKey::FromPublicKey(key.public_key()).did().c_str());
  return 0;
}

int Did(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, {});
  if (!flags.ok()) return Usage(flags.error().message());
  if (flags->positional().size() != 1) return Usage("key did takes one KEY.pem");
  auto key = Ed25519PrivateKey::LoadPem(flags->positional()[0]);
  if (!key.ok()) {
    std::fprintf(stderr, "vouch: %s\n", key.error().message().c_str());
    return 1;
  }
  std::printf("%s\n", DidKey::FromPublicKey(key->public_key()).did().c_str());
  return 0;
}

}  // namespace

int KeyCommand(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("key takes generate or did");
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "generate") return Generate(rest);
  if (args[0] == "did") return Did(rest);
  return Usage(StrCat("unknown key command '", args[0], "'"));
}

}  // namespace vouch::cli
