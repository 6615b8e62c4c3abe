// The wire form of POST /v1/ledger/append (DESIGN §4; the route is
// validator/ledger_append.h), one codec for the host that sends an entry
// and the validator that appends it. Deterministic CBOR maps, text keys:
//
//   request           {"entry": bstr}                     the encoded, signed entry
//   HTTP 200 answer   {"index": uint, "outcome": "appended" | "already-present"}
//   HTTP 409 answer   {"code": "index-taken", "reason": tstr}   draft again on the new head
#ifndef VOUCH_LEDGER_APPEND_REQUEST_H_
#define VOUCH_LEDGER_APPEND_REQUEST_H_

#include <cstdint>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/entry.h"
#include "vouch/ledger/ledger.h"

namespace vouch::ledger {

inline constexpr char kIndexTakenCode[] = "index-taken";

Bytes EncodeAppendRequest(const Entry& entry);
// The entry's bytes (not yet parsed). kMalformed unless `body` is a map with
// exactly the key "entry", a non-empty byte string.
Result<Bytes> DecodeAppendRequest(ByteView body);

// REQUIRES: outcome is kAppended or kAlreadyPresent.
Bytes EncodeAppendAnswer(uint64_t index, AppendOutcome outcome);
Bytes EncodeIndexTakenAnswer(uint64_t index);
// The outcome a 200 answer reports for the entry at `index`. kMalformed if
// it is not the map above or names another index.
Result<AppendOutcome> DecodeAppendAnswer(ByteView body, uint64_t index);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_APPEND_REQUEST_H_
