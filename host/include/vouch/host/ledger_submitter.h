// A host's ledger entries through validators (DESIGN §6 "Access"). On an
// etcds:// ledger a host's credentials only read, so its did-register and
// attested entries are appended by a validator (POST /v1/ledger/append),
// which checks them first and writes with its own credentials. The host
// drafts on its verified view, the validator answers 409 when the index was
// taken meanwhile, and LedgerClient::Append drafts again (entry_submitter.h).
//
// The setting (hook.conf `ledger_append`, `vouch host register --ledger-append`):
//   "direct"        the host appends with its own ledger access (a SQLite
//                   file it may write: the single-host demo);
//   "validators"    through the ledger's active validators, in registry
//                   order, until one of them stores it;
//   "http://H:P[,http://H:P…]"   through these validators, in this order;
//   "" (default)    direct for sqlite://, validators for etcd[s]://.
#ifndef VOUCH_HOST_LEDGER_SUBMITTER_H_
#define VOUCH_HOST_LEDGER_SUBMITTER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/ledger/entry_submitter.h"

namespace vouch::host {

struct LedgerAppendVia {
  enum class Kind { kDefault, kDirect, kValidators, kEndpoints };
  Kind kind = Kind::kDefault;
  std::vector<std::string> endpoints;  // kEndpoints
};

// Parses the setting above. kInvalidArgument naming the value otherwise
// (an endpoint that is not http://HOST:PORT).
Result<LedgerAppendVia> ParseLedgerAppend(std::string_view setting);

// Tries each validator in turn (a refusal or an unreachable one: the next);
// returns the first that stores the entry or says its index is taken.
class ValidatorLedgerSubmitter final : public ledger::EntrySubmitter {
 public:
  // `endpoints` empty: the active validators of the state Submit is given.
  ValidatorLedgerSubmitter(std::vector<std::string> endpoints, std::chrono::milliseconds timeout)
      : endpoints_(std::move(endpoints)), timeout_(timeout) {}
  // kUnavailable "no validator appended ledger entry I (URL: why; …)" if none did.
  Result<ledger::AppendOutcome> Submit(const ledger::Entry& entry, const ledger::ChainState& state) override;

 private:
  std::vector<std::string> endpoints_;
  std::chrono::milliseconds timeout_;
};

// The submitter `via` asks for on the ledger `locator`, each request bounded
// by `timeout`; nullptr to append directly.
std::shared_ptr<ledger::EntrySubmitter> LedgerSubmitterFor(const LedgerAppendVia& via, std::string_view locator,
                                                           std::chrono::milliseconds timeout);

}  // namespace vouch::host

#endif  // VOUCH_HOST_LEDGER_SUBMITTER_H_
