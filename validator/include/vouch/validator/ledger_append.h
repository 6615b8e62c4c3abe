// POST /v1/ledger/append (DESIGN §4, §6 "Access"): a host's own ledger
// entry, appended by this validator with its ledger writer credentials. On
// an etcds:// ledger hosts hold read-only credentials (role vouch-reader),
// so a host cannot delete or rewrite the log; what it may write reaches the
// ledger only through a validator that checked it:
//
//   POST /v1/ledger/append {"entry": bstr}   the encoded entry, as the host
//                                            drafted and signed it
//     200 {"index": uint, "outcome": "appended" | "already-present"}
//     409 {"code": "index-taken", "reason"}  another entry took its index:
//                                            draft again on the new head
//     4xx/5xx {"code", "reason"}             refused (api.h HttpStatusFor)
// (the codec: vouch/ledger/append_request.h)
//
// The checks, in order: the body is that map; the entry parses and its
// signature verifies; MayAppendThroughValidator; the chain rules (ChainState::Check,
// inside LedgerClient::Submit, on the ledger synced just before).
#ifndef VOUCH_VALIDATOR_LEDGER_APPEND_H_
#define VOUCH_VALIDATOR_LEDGER_APPEND_H_

#include <functional>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/chain_state.h"
#include "vouch/ledger/entry.h"
#include "vouch/ledger/ledger.h"

namespace vouch::validator {

// What the route needs of the ledger: the verified state to judge an entry
// by, and a writer that appends it, in one step (LedgerHostDirectory).
class HostEntryLedger {
 public:
  using Judge = std::function<Status(const ledger::ChainState&)>;
  virtual ~HostEntryLedger() = default;
  // Syncs, runs `judge` on the synced state and, if it passes, submits
  // `entry` (LedgerClient::Submit: the chain rules, then append-if-absent).
  // The judge's or Submit's error; kUnavailable if the ledger cannot be read.
  virtual Result<ledger::AppendOutcome> SubmitJudged(const ledger::Entry& entry, const Judge& judge) = 0;
};

// Ok if a party without ledger write credentials (a host, a domain's owner)
// may hand `entry` to a validator to append on `state`: its author is
// neither a governance key nor a validator, and it is
//   - a did-register of the author itself (a stranger may register, as the
//     chain rules let it), or an attested entry about the author, a
//     registered host: what the hook and `vouch host register` write;
//   - an owner's revoke of its own launch (author = "owner", with its
//     owner proof, which the chain rules verify), or the reinstatement of a
//     host whose quarantine names the author as the domain's owner: what
//     `vouch revoke credential --policy` and `vouch reinstate` write.
// kBadSignature ("unauthorized: …") naming the author and the rule
// otherwise; every other entry is written by its author with ledger writer
// credentials of its own.
Status MayAppendThroughValidator(const ledger::Entry& entry, const ledger::ChainState& state);

// One answer of the route: the HTTP status, the CBOR body, and the line for
// vouchd's log ("vouchd: ledger-append author=… type=… index=… appended").
struct LedgerAppendAnswer {
  int status = 500;
  Bytes body;
  std::string log_line;
};

// Thread-safe if `ledger` is.
class LedgerAppender {
 public:
  // REQUIRES: `ledger` outlives the appender.
  explicit LedgerAppender(HostEntryLedger& ledger) : ledger_(ledger) {}
  LedgerAppendAnswer Handle(std::string_view content_type, ByteView body);

 private:
  HostEntryLedger& ledger_;
};

// The route: `appender`'s answer, or 501 "unavailable" for a vouchd that
// has no ledger (--hosts).
LedgerAppendAnswer HandleLedgerAppend(LedgerAppender* appender, std::string_view content_type, ByteView body);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LEDGER_APPEND_H_
