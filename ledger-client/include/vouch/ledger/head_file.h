// The last ledger head a reader verified, kept on disk (DESIGN §6 "Trust
// anchor") so that a ledger rewritten, forked or truncated behind the
// reader's back is refused when it next opens it, not silently accepted.
//
// One line, "vouch-ledger-head v1 GENESIS_HEX INDEX HEAD_HEX\n", 0600,
// replaced atomically. GENESIS names the ledger it belongs to: a head file
// of another ledger (the operator pinned a new genesis) is not a
// contradiction, only stale.
#ifndef VOUCH_LEDGER_HEAD_FILE_H_
#define VOUCH_LEDGER_HEAD_FILE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "vouch/core/digest.h"
#include "vouch/core/errors.h"

namespace vouch::ledger {

struct VerifiedHead {
  Sha256Digest genesis{};  // digest of entry 0
  uint64_t index = 0;      // the head entry
  Sha256Digest digest{};   // its digest
};

// nullopt if `path` does not exist; kMalformed naming the file if it does
// not hold one well-formed line; ReadFile's errors otherwise.
Result<std::optional<VerifiedHead>> ReadHeadFile(const std::string& path);

// Replaces `path` (mode 0600) with `head`. kIo naming the file.
Status WriteHeadFile(const std::string& path, const VerifiedHead& head);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_HEAD_FILE_H_
