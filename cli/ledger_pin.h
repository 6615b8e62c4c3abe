// The trust anchor of a `vouch` command that reads the ledger (DESIGN §6
// "Trust anchor"): --genesis HEX, the digest `vouch ledger init` printed,
// and the command's head file; and its access to an etcds:// ledger
// (--ledger-ca, --ledger-cert, --ledger-key, --ledger-user,
// --ledger-password-file; vouch/ledger/ledger_access.h).
#ifndef VOUCH_CLI_LEDGER_PIN_H_
#define VOUCH_CLI_LEDGER_PIN_H_

#include <set>
#include <string>

#include "vouch/core/errors.h"
#include "vouch/core/flags.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::cli {

// The access flags, for a command's Flags::Parse, and their usage line.
inline const std::set<std::string> kLedgerAccessFlags = {"ledger-ca", "ledger-cert", "ledger-key", "ledger-user",
                                                         "ledger-password-file"};
inline constexpr const char* kLedgerAccessUsage =
    "  etcds:// ledger access (TLS, etcd auth): --ledger-ca FILE --ledger-cert FILE --ledger-key FILE\n"
    "                         --ledger-user NAME --ledger-password-file FILE (key and password 0600)\n";

// `flags` plus kLedgerAccessFlags.
std::set<std::string> WithLedgerAccessFlags(std::set<std::string> flags);
// The access the flags give (each flag the last time it is given).
ledger::LedgerAccess LedgerAccessFrom(const Flags& flags);

// Options pinning the ledger to --genesis (required: kInvalidArgument
// saying where the digest comes from if absent or not 64 hex digits), with
// `head_file` (may be empty) as the command's record of the last head and
// the access flags; with no recorded head, the validators' checkpoints are
// asked (warnings on stderr).
Result<ledger::LedgerClientOptions> PinnedLedgerOptions(const Flags& flags, std::string head_file);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_LEDGER_PIN_H_
