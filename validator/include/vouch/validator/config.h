// vouchd's command line (DESIGN §4):
//
//   vouchd init --dir D
//       creates D (mode 0700) with validator.pem (Ed25519, PKCS#8) and
//       hpke.key (32 raw bytes), both 0600, and prints the validator's DID
//       and HPKE public key (hex) for `vouch seal`.
//   vouchd [--listen HOST:PORT] [--state-dir D] [--key FILE] [--hpke-key FILE]
//          [--init] (--ledger LOCATOR --genesis HEX | --hosts FILE) [--nonce-validity S]
//          [--ledger-ca F --ledger-cert F --ledger-key F --ledger-user U --ledger-password-file F]
//          [--max-body BYTES] [--threads N] [--timeout S] [--fault NAME]
//          [--config FILE]
//
// --listen defaults to 127.0.0.1:0 (port 0: pick one; vouchd prints
// "vouchd: listening on HOST:PORT" on stdout). --key / --hpke-key default to
// validator.pem / hpke.key in --state-dir; --init creates them if missing.
// --ledger is the ledger locator ("sqlite:///abs/path"; ledger_host_directory.h)
// and --genesis the digest of its entry 0 that vouchd trusts (DESIGN §6
// "Trust anchor"; required with --ledger); vouchd keeps the last head it
// verified in STATE_DIR/ledger-head and refuses a ledger that does not
// extend it; --ledger-* are its credentials on an etcds:// ledger
// (vouch/ledger/ledger_access.h: a validator's etcd user has the
// vouch-writer role, and appends hosts' entries, POST /v1/ledger/append);
// --hosts FILE is a static host directory for tests (static_host_directory.h). --fault makes
// this validator Byzantine for end-to-end tests (fault.h), and exists only in
// the test binary vouchd-byzantine (VouchdFlagOptions). Flags take their
// value as the next argument or after '='. --config FILE holds the same
// settings as "NAME = VALUE" lines (NAME the flag without "--"; "init =
// true"; '#' comments); flags on the command line override the file.
#ifndef VOUCH_VALIDATOR_CONFIG_H_
#define VOUCH_VALIDATOR_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/core/digest.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/ledger_access.h"
#include "vouch/validator/api.h"
#include "vouch/validator/fault.h"

namespace vouch::validator {

// In the state dir: the last ledger head this validator verified.
inline constexpr char kLedgerHeadFile[] = "ledger-head";

struct VouchdConfig {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string state_dir;
  std::string key_file;       // resolved: --key, else state_dir/validator.pem
  std::string hpke_key_file;  // resolved: --hpke-key, else state_dir/hpke.key
  bool init = false;
  std::string ledger;
  ledger::LedgerAccess ledger_access;   // etcds:// only
  std::optional<Sha256Digest> genesis;  // required with ledger
  std::string hosts_file;
  int64_t nonce_validity_s = 30;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  size_t threads = 8;
  int64_t timeout_s = 5;
  Fault fault = Fault::kNone;
};

// What the binary parsing the flags allows beyond production use.
struct VouchdFlagOptions {
  // --fault / "fault =" (fault.h): only the test binary vouchd-byzantine
  // sets this; vouchd refuses them as unknown, so no deployed validator can
  // be made Byzantine by a config line.
  bool allow_fault = false;
};

// Parses the daemon's flags (argv without the program name), reading any
// --config file. kInvalidArgument, naming the flag (or the file and line),
// for an unknown flag or setting, a missing or bad value, no key file
// location (neither --key/--hpke-key nor --state-dir), or neither --ledger
// nor --hosts; the file's read error (kNotFound, kIo) naming it.
Result<VouchdConfig> ParseVouchdFlags(const std::vector<std::string>& args,
                                      const VouchdFlagOptions& options = {});

// The settings of a vouchd config file as "--NAME=VALUE" flags, in order.
Result<std::vector<std::string>> ReadVouchdConfigFile(const std::string& path);

// "HOST:PORT" or "[V6]:PORT" → host and port (0..65535). kInvalidArgument.
Result<std::pair<std::string, int>> ParseListenAddress(std::string_view text);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_CONFIG_H_
