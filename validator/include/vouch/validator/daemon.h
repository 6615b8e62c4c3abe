// The vouchd program: `vouchd init --dir D` and the daemon itself, over the
// library (config.h, validator_keys.h, server.h). main.cc only calls
// VouchdMain.
#ifndef VOUCH_VALIDATOR_DAEMON_H_
#define VOUCH_VALIDATOR_DAEMON_H_

#include <ostream>
#include <string>
#include <vector>

#include "vouch/validator/config.h"

namespace vouch::validator {

// `vouchd init --dir D`: creates D (0700) and the two key files in it, then
// prints to `out`:
//   did: did:key:z6Mk…
//   hpke_public_key: <64 hex digits>
//   key: D/validator.pem
//   hpke_key: D/hpke.key
// Returns 0, 1 with one line on `err` (e.g. the keys already exist), or 2 for
// a usage error. -h/--help prints the usage on `out`.
int RunInit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `vouchd register …`: drafts this validator's validator-register entry
// (DID, HPKE public key, endpoint, operator, region; signed by its key) at
// the ledger's head and writes it to --out, for governance to countersign
// (`vouch ledger cosign`) and submit (`vouch ledger submit`) — admission
// takes admit_quorum governance signatures (DESIGN §6). Returns 0, 1 with
// one line on `err`, or 2 for a usage error.
int RunRegister(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Runs the daemon: loads (or with --init creates) the keys, opens the host
// directory, starts the server, prints "vouchd: listening on HOST:PORT" on
// `out`, and serves until SIGINT or SIGTERM. Returns 0 after a clean stop,
// 1 with one line on `err` if it cannot start.
int RunDaemon(const VouchdConfig& config, std::ostream& out, std::ostream& err);

// argv dispatch: "init …", "register …", "--help", else daemon flags
// (parsed with `options`: vouchd passes none).
int VouchdMain(int argc, char** argv, const VouchdFlagOptions& options = {});

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_DAEMON_H_
