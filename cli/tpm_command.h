// vouch tpm — the host's TPM evidence from the command line. Like every
// `vouch` subcommand it writes results to stdout and returns the exit status
// (0 ok, 1 failure with one line "vouch: <reason>" on stderr, 2 usage).
//
//   vouch tpm pcrs [--tcti T] [--pcrs LIST] [--json]
//       reads the SHA-256 bank of a TPM. --json prints the same one-line
//       shape as `eventlog --json` (only a "sha256" bank), so either output
//       can serve as verify-quote's --pcr-ref.
//   vouch tpm quote [--tcti T] --ak-dir D [--pcrs LIST] --nonce HEX --out FILE
//       quotes LIST with the AK in D (ak.pub, ak.priv as `vouch host init`
//       writes them), extraData = the nonce bytes, and writes a quote file.
//   vouch tpm verify-quote FILE (--ak-public F | --ak-dir D) --nonce HEX
//         [--pcr-ref FILE] [--expect-pcr I=HEX]...
//       verifies a quote file without a TPM (VerifyQuote) against an AK the
//       caller trusts (never the one inside the file) and prints the clock,
//       reset and restart counts and the PCRs.
//   vouch tpm eventlog FILE [--json]
//       parses a firmware event log (binary_bios_measurements, crypto agile
//       or SHA-1) and replays it. With --json prints exactly one line
//       {"pcrs": {"sha1": {"0": "<hex>", …}, "sha256": {…}}}
//       (banks some event carries, in TPM_ALG_ID order; PCR keys as decimal
//       strings in numeric order; lower-case hex without prefix); without it
//       a listing of the events, then the replayed PCRs.
//
// Quote file (deterministic CBOR, one map; every key required, no others):
//   {"format": "vouch-tpm-quote", "version": 1,
//    "quote": bstr (TPMS_ATTEST, the signed bytes), "sig": bstr (TPMT_SIGNATURE),
//    "pcrs": {uint: bstr} (SHA-256 values of the quoted PCRs),
//    "ak": bstr (the signer's TPM2B_PUBLIC; informational, not trusted)}
// "quote", "sig" and "pcrs" are the fields of the host VC's "vouch.tpm"
// claim (DESIGN §3).
#ifndef VOUCH_CLI_TPM_COMMAND_H_
#define VOUCH_CLI_TPM_COMMAND_H_

#include <string>
#include <vector>

namespace vouch::cli {

// vouch tpm pcrs|quote|verify-quote|eventlog …; `args` follow "tpm".
int TpmCommand(const std::vector<std::string>& args);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_TPM_COMMAND_H_
