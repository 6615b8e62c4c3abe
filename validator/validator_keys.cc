#include "vouch/validator/validator_keys.h"

#include <sys/stat.h>

#include "vouch/core/private_file.h"

namespace vouch::validator {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

ValidatorKeys::ValidatorKeys(Ed25519PrivateKey signing_key, X25519PrivateKey hpke_key)
    : signing_key_(std::move(signing_key)),
      hpke_key_(std::move(hpke_key)),
      did_(DidKey::FromPublicKey(signing_key_.public_key()).did()) {}

ValidatorKeys ValidatorKeys::Generate() {
  return ValidatorKeys(Ed25519PrivateKey::Generate(), X25519PrivateKey::Generate());
}

Result<ValidatorKeys> ValidatorKeys::Load(const std::string& key_file,
                                          const std::string& hpke_key_file) {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes secret, ReadPrivateFile(hpke_key_file, "key file"));
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey signing, Ed25519PrivateKey::LoadPem(key_file));
  if (secret.size() != kX25519KeySize) {
    return Error(Code::kInvalidArgument, StrCat("HPKE key file '", hpke_key_file, "': expected ",
                                                kX25519KeySize, " raw bytes, got ", secret.size()));
  }
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey hpke, X25519PrivateKey::FromRaw(secret));
  return ValidatorKeys(std::move(signing), std::move(hpke));
}

Result<ValidatorKeys> ValidatorKeys::Create(const std::string& key_file,
                                            const std::string& hpke_key_file) {
  for (const std::string* path : {&key_file, &hpke_key_file}) {
    if (Exists(*path)) {
      return Error(Code::kInvalidArgument,
                   StrCat("key file '", *path, "' already exists (vouchd never overwrites a key)"));
    }
  }
  ValidatorKeys keys = Generate();
  VOUCH_RETURN_IF_ERROR(keys.signing_key().SavePem(key_file));
  SecretBytes raw = keys.hpke_key().Serialize();
  VOUCH_RETURN_IF_ERROR(WriteFile(hpke_key_file, raw.Expose(), 0600));
  return keys;
}

}  // namespace vouch::validator
