// The trust anchor of a `vouch` command that reads the ledger (DESIGN §6
// "Trust anchor"): --genesis HEX, the digest `vouch ledger init` printed,
// and the command's head file.
#ifndef VOUCH_CLI_LEDGER_PIN_H_
#define VOUCH_CLI_LEDGER_PIN_H_

#include <string>

#include "flags.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/ledger_client.h"

namespace vouch::cli {

// Options pinning the ledger to --genesis (required: kInvalidArgument
// saying where the digest comes from if absent or not 64 hex digits), with
// `head_file` (may be empty) as the command's record of the last head; with
// no recorded head, the validators' checkpoints are asked (warnings on
// stderr).
Result<ledger::LedgerClientOptions> PinnedLedgerOptions(const Flags& flags, std::string head_file);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_LEDGER_PIN_H_
