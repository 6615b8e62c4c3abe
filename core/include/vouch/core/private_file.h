// Files that hold a secret (a private key, a password): readable by their
// owner only. A secret file that group or others can read is refused rather
// than used, so a mistaken chmod shows up at once instead of leaking.
#ifndef VOUCH_CORE_PRIVATE_FILE_H_
#define VOUCH_CORE_PRIVATE_FILE_H_

#include <string>
#include <string_view>

#include "vouch/core/errors.h"
#include "vouch/core/secret_bytes.h"

namespace vouch {

// Ok if `path` exists and no group or other permission bit is set on it.
// kNotFound "`what` 'P' does not exist"; kInvalidArgument "`what` 'P' is
// readable by group or others (mode 644; fix: chmod 600 'P')". `what` names
// the file's role, e.g. "key file" or "ledger_password_file".
Status CheckPrivateFile(const std::string& path, std::string_view what);

// CheckPrivateFile, then the whole file (ReadFile) as a secret.
Result<SecretBytes> ReadPrivateFile(const std::string& path, std::string_view what);

}  // namespace vouch

#endif  // VOUCH_CORE_PRIVATE_FILE_H_
