// vouch ledger — create, append to, show, verify and watch a ledger (DESIGN §6)
// over a locator such as sqlite:///var/lib/vouch/ledger.db. Like every
// `vouch` subcommand it writes results to stdout and returns the exit
// status (0 ok, 1 failure with one line "vouch: <reason>" on stderr, 2
// usage).
#ifndef VOUCH_CLI_LEDGER_COMMAND_H_
#define VOUCH_CLI_LEDGER_COMMAND_H_

#include <string>
#include <vector>

#include "vouch/core/boot_reference.h"
#include "vouch/core/errors.h"

namespace vouch::cli {

// vouch ledger init|append|show|verify|watch|did …; `args` follow "ledger".
int LedgerCommand(const std::vector<std::string>& args);

// The boot reference fragment in the CBOR file `path` (`vouch reference
// propose` wrote it), strictly read; errors name the file
// (reference_command.cc).
Result<BootReference> ReadBootReferenceFile(const std::string& path);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_LEDGER_COMMAND_H_
