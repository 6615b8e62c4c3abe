// vouchd's command line (DESIGN §4):
//
//   vouchd init --dir D
//       creates D (mode 0700) with validator.pem (Ed25519, PKCS#8) and
//       hpke.key (32 raw bytes), both 0600, and prints the validator's DID
//       and HPKE public key (hex) for `vouch seal`.
//   vouchd [--listen HOST:PORT] [--state-dir D] [--key FILE] [--hpke-key FILE]
//          [--init] (--ledger LOCATOR --genesis HEX | --hosts FILE) [--nonce-validity DURATION]
//          [--ledger-ca F --ledger-cert F --ledger-key F --ledger-user U --ledger-password-file F]
//          [--max-body BYTES] [--threads N] [--timeout DURATION] [--queue N]
//          [--peer-connections N] [--request-deadline DURATION] [--keep-alive DURATION]
//          [--challenge-rate N] [--challenge-burst N] [--host-challenges N]
//          [--host-vcs N] [--fault NAME] [--config FILE]
//
// A DURATION is spelled as vouch/core/duration.h says (500ms, 30s, 5m; a bare
// number is seconds): --nonce-validity 1s..1h in whole seconds (30s), and
// --timeout, --request-deadline 1s..5m, --keep-alive 0s..5m.
//
// The DoS limits (server.h, challenge.h; DESIGN §4 "Denial of service"):
// --queue connections waiting for a worker (64), --peer-connections per peer
// address (4), --request-deadline to receive a whole request (10s),
// --keep-alive an idle connection may wait (5s), --challenge-rate and
// --challenge-burst challenges per peer (20 a second after 100 at once),
// --host-challenges answered challenges per host DID within
// --nonce-validity (512), --host-vcs unexpired VCs per host DID in the
// replay cache (1024, of 100,000). --timeout bounds each wait for request
// bytes and each write (5s).
//
// --listen defaults to 127.0.0.1:7401 (kDefaultPort; port 0 picks a free
// one; vouchd prints "vouchd: listening on HOST:PORT" on stdout). --key / --hpke-key default to
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

#include <chrono>
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
// vouchd's port unless --listen says otherwise: one fixed number, so the
// endpoint registered on the ledger can name it.
inline constexpr int kDefaultPort = 7401;

struct VouchdConfig {
  std::string host = "127.0.0.1";
  int port = kDefaultPort;
  std::string state_dir;
  std::string key_file;       // resolved: --key, else state_dir/validator.pem
  std::string hpke_key_file;  // resolved: --hpke-key, else state_dir/hpke.key
  bool init = false;
  std::string ledger;
  ledger::LedgerAccess ledger_access;   // etcds:// only
  std::optional<Sha256Digest> genesis;  // required with ledger
  std::string hosts_file;
  std::chrono::seconds nonce_validity{30};
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  size_t threads = 8;
  std::chrono::milliseconds timeout{5000};
  // DoS limits, as in ServerOptions and ChallengeOptions.
  size_t max_queue = 64;
  size_t peer_connections = 4;
  std::chrono::milliseconds request_deadline{10000};
  std::chrono::milliseconds keep_alive{5000};
  int64_t challenge_rate = 20;
  size_t challenge_burst = 100;
  size_t host_challenges = 512;
  size_t host_vcs = 1024;
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
// --config file. kInvalidArgument, naming the flag,
// for an unknown flag or setting, a missing or bad value, no key file
// location (neither --key/--hpke-key nor --state-dir), or neither --ledger
// nor --hosts; the file's read error (kNotFound, kIo) naming it.
Result<VouchdConfig> ParseVouchdFlags(const std::vector<std::string>& args,
                                      const VouchdFlagOptions& options = {});

// Every NAME a config file may set (the flags without "--"), including the
// test-only "hosts" and "fault".
std::vector<std::string_view> VouchdSettingNames();

// The settings of a vouchd config file as "--NAME=VALUE" flags, in order.
// kConfig naming the file (and line) if it cannot be read, a line is not a
// known "NAME = VALUE", or a number or duration is bad; ParseVouchdFlags
// passes that code on, so vouchd can tell a bad file (exit 1) from a bad
// command line (exit 2).
Result<std::vector<std::string>> ReadVouchdConfigFile(const std::string& path);

// "HOST:PORT" or "[V6]:PORT" → host and port (0..65535). kInvalidArgument.
Result<std::pair<std::string, int>> ParseListenAddress(std::string_view text);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_CONFIG_H_
