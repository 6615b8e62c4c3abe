// vouch tpm — the host's TPM evidence from the command line. Like every
// `vouch` subcommand it writes results to stdout and returns the exit status
// (0 ok, 1 failure with one line "vouch: <reason>" on stderr, 2 usage).
//
//   vouch tpm eventlog FILE [--json]
//       parses a firmware event log (binary_bios_measurements, crypto agile
//       or SHA-1) and replays it. With --json prints exactly one line
//       {"pcrs": {"sha1": {"0": "<hex>", …}, "sha256": {…}}}
//       (banks some event carries, in TPM_ALG_ID order; PCR keys as decimal
//       strings in numeric order; lower-case hex without prefix); without it
//       a listing of the events, then the replayed PCRs.
#ifndef VOUCH_CLI_TPM_COMMAND_H_
#define VOUCH_CLI_TPM_COMMAND_H_

#include <string>
#include <vector>

namespace vouch::cli {

// vouch tpm eventlog …; `args` follow "tpm".
int TpmCommand(const std::vector<std::string>& args);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_TPM_COMMAND_H_
