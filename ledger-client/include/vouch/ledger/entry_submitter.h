// Somewhere other than a LedgerClient's own backend that appends an entry
// for it: a validator's POST /v1/ledger/append, for a host whose ledger
// credentials only read (DESIGN §6 "Access"). LedgerClient::Append drafts,
// hands the entry to the submitter, re-drafts on kIndexTaken, and checks
// on its own backend that what the submitter reports appended is there.
#ifndef VOUCH_LEDGER_ENTRY_SUBMITTER_H_
#define VOUCH_LEDGER_ENTRY_SUBMITTER_H_

#include "vouch/core/errors.h"
#include "vouch/ledger/chain_state.h"
#include "vouch/ledger/entry.h"
#include "vouch/ledger/ledger.h"

namespace vouch::ledger {

class EntrySubmitter {
 public:
  virtual ~EntrySubmitter() = default;
  // Appends `entry`, drafted on `state` (the client's verified view, e.g.
  // for the validators it names). kAppended / kAlreadyPresent once stored,
  // kIndexTaken if another entry holds its index; an error (a refusal
  // naming who refused and why, or that no one could be reached) otherwise.
  virtual Result<AppendOutcome> Submit(const Entry& entry, const ChainState& state) = 0;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_ENTRY_SUBMITTER_H_
