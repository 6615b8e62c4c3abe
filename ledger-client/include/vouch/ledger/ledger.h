// The ledger's storage: an append-only log of encoded entries keyed by index
// (DESIGN §6). Backends store bytes; what the bytes mean is Entry's and
// ChainState's. Two backends share this interface:
//   - embedded SQLite, one file, "sqlite:///abs/path/ledger.db" (sqlite_ledger.h);
//   - etcd v3, "etcd://HOST:PORT,…" or over TLS "etcds://…" (etcd_ledger.h,
//     with LedgerOptions::access): entry i at "vouch/log/<20-digit i>", appended
//     with a transaction that succeeds only if that key is absent and key
//     i-1 holds the entry `prev` names; Watch from an index.
//
// Append is append-if-absent at an index, so it is safe to retry and two
// writers can never fork the chain: of several entries for one index
// exactly one lands, the others see kIndexTaken and rebuild on the new head.
//
// Readers never trust a backend: ReadRange parses every entry it returns,
// checks its signatures and that it is stored at the index it names, and
// that consecutive entries link by `prev`; ChainState then checks the rest.
//
// Implementations are thread-safe. Each process opens its own Ledger.
#ifndef VOUCH_LEDGER_LEDGER_H_
#define VOUCH_LEDGER_LEDGER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/digest.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/entry.h"
#include "vouch/ledger/ledger_access.h"

namespace vouch::ledger {

enum class AppendOutcome {
  kAppended,        // the entry is now stored at its index
  kAlreadyPresent,  // exactly these bytes were already stored there (a retry)
  kIndexTaken,      // another entry holds that index: rebuild on the new head
};

std::string_view AppendOutcomeName(AppendOutcome outcome);

// One stored entry as the backend holds it, unverified.
struct RawEntry {
  uint64_t index = 0;
  Bytes encoded;
};

class Ledger {
 public:
  virtual ~Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // The locator this ledger was opened with ("sqlite:///…").
  virtual const std::string& locator() const = 0;

  // Stores `entry` at entry.index() if that index is free and is the next
  // one (0 on an empty ledger, head + 1 otherwise) and, for index > 0, if
  // entry.prev() is the digest of the stored entry index-1. Returns the
  // outcome (see AppendOutcome). kInvalidArgument if the index is beyond
  // the next one or `prev` does not match (the caller's view of the chain
  // is not this ledger's); kUnavailable if the backend stays busy or
  // unreachable; kIo on a storage error.
  Result<AppendOutcome> Append(const Entry& entry);

  // The verified entries with index in [from, to), in order; fewer (maybe
  // none) if the ledger ends before `to`. Errors name the stored index,
  // "ledger entry <i>: …": kMalformed if an entry does not parse, is stored
  // at another index than it names (a reordered row), is missing inside the
  // range, or does not link by `prev` to the entry before it in the range;
  // kBadSignature if a signature does not verify; kIo/kUnavailable from the
  // backend.
  Result<std::vector<Entry>> ReadRange(uint64_t from, uint64_t to);

  // The stored rows with index in [from, to), as they are, for diagnostics
  // and for callers that verify by other means (a trusted checkpoint).
  virtual Result<std::vector<RawEntry>> ReadRaw(uint64_t from, uint64_t to) = 0;

  // Index of the last stored entry; nullopt when the ledger is empty.
  virtual Result<std::optional<uint64_t>> Head() = 0;

  // Waits until an entry is stored at `index` or `timeout` passes; returns
  // whether one is. SQLite polls (LedgerOptions::poll_interval); etcd
  // watches. kIo/kUnavailable from the backend.
  virtual Result<bool> WaitForIndex(uint64_t index, std::chrono::milliseconds timeout) = 0;

 protected:
  Ledger() = default;
  // Append for the backend: the rules of Append on raw bytes.
  virtual Result<AppendOutcome> AppendEncoded(uint64_t index, const Sha256Digest& prev,
                                              ByteView encoded) = 0;
};

struct LedgerOptions {
  // Create an empty ledger if the locator names none ("vouch ledger init").
  bool create_if_missing = false;
  // How long a writer waits for another process's transaction (SQLite).
  std::chrono::milliseconds busy_timeout{5000};
  // How often WaitForIndex looks again (SQLite).
  std::chrono::milliseconds poll_interval{20};
  // TLS and etcd authentication (etcds:// only; ledger_access.h).
  LedgerAccess access{};
};

// Opens the ledger `locator` names. Supported: "sqlite:///ABSOLUTE/PATH"
// (the path after "sqlite://" must start with '/') and
// "etcd[s]://HOST:PORT[,HOST:PORT…][/PREFIX]" (etcd_ledger.h; default
// EtcdOptions but options.access). kInvalidArgument for any other locator
// and for access settings on a SQLite ledger; the backend's errors
// otherwise.
Result<std::unique_ptr<Ledger>> OpenLedger(std::string_view locator, const LedgerOptions& options = {});

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_LEDGER_H_
