// A validator's two keys (DESIGN §1): the Ed25519 key whose did:key names
// the validator and signs its endorsements, and the X25519 HPKE key owners
// seal shares to. On disk: the Ed25519 key as PKCS#8 PEM, the HPKE key as
// its 32 raw private bytes; both files mode 0600.
//
// Immutable after construction; const methods are thread-safe.
#ifndef VOUCH_VALIDATOR_VALIDATOR_KEYS_H_
#define VOUCH_VALIDATOR_VALIDATOR_KEYS_H_

#include <string>

#include "vouch/core/did_key.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/hpke.h"

namespace vouch::validator {

inline constexpr char kDefaultKeyFile[] = "validator.pem";
inline constexpr char kDefaultHpkeKeyFile[] = "hpke.key";

class ValidatorKeys {
 public:
  ValidatorKeys(Ed25519PrivateKey signing_key, X25519PrivateKey hpke_key);
  ValidatorKeys(ValidatorKeys&&) noexcept = default;
  ValidatorKeys& operator=(ValidatorKeys&&) noexcept = default;

  // Fresh random keys.
  static ValidatorKeys Generate();

  // Reads both files. kNotFound / kIo for a file, kMalformed for a PEM that
  // is not Ed25519, kInvalidArgument for an HPKE key file that is not 32
  // bytes or for either file readable by group or others (fix: chmod 600).
  static Result<ValidatorKeys> Load(const std::string& key_file, const std::string& hpke_key_file);

  // Generates fresh keys and writes both files (mode 0600, atomically).
  // kInvalidArgument if either file exists (never overwrites a key);
  // kIo if a file cannot be written.
  static Result<ValidatorKeys> Create(const std::string& key_file,
                                      const std::string& hpke_key_file);

  const Ed25519PrivateKey& signing_key() const { return signing_key_; }
  const X25519PrivateKey& hpke_key() const { return hpke_key_; }
  // did:key of the signing key.
  const std::string& did() const { return did_; }

 private:
  Ed25519PrivateKey signing_key_;
  X25519PrivateKey hpke_key_;
  std::string did_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_VALIDATOR_KEYS_H_
