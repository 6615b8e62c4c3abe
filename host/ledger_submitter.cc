#include "vouch/host/ledger_submitter.h"

#include "vouch/host/validator_client.h"

namespace vouch::host {

Result<LedgerAppendVia> ParseLedgerAppend(std::string_view setting) {
  LedgerAppendVia via;
  if (setting.empty()) return via;
  if (setting == "direct") {
    via.kind = LedgerAppendVia::Kind::kDirect;
    return via;
  }
  if (setting == "validators") {
    via.kind = LedgerAppendVia::Kind::kValidators;
    return via;
  }
  via.kind = LedgerAppendVia::Kind::kEndpoints;
  while (!setting.empty()) {
    size_t comma = setting.find(',');
    std::string_view url = setting.substr(0, comma);
    setting = comma == std::string_view::npos ? std::string_view() : setting.substr(comma + 1);
    if (url.rfind("http://", 0) != 0 || url.size() <= 7) {
      return Error(Code::kInvalidArgument,
                   StrCat("ledger_append '", url, "': expected direct, validators, or http://HOST:PORT[,…]"));
    }
    via.endpoints.emplace_back(url);
  }
  return via;
}

Result<ledger::AppendOutcome> ValidatorLedgerSubmitter::Submit(const ledger::Entry& entry,
                                                              const ledger::ChainState& state) {
  std::vector<std::string> endpoints = endpoints_;
  if (endpoints.empty()) {
    for (const auto& [did, v] : state.validators()) {
      if (state.IsActiveValidator(did)) endpoints.push_back(v.endpoint);
    }
  }
  std::string why;
  for (const std::string& endpoint : endpoints) {
    ValidatorClient client(endpoint, timeout_);
    auto outcome = client.AppendLedgerEntry(entry);
    if (outcome.ok()) return outcome;
    why += StrCat(why.empty() ? "" : "; ", endpoint, ": ", outcome.error().message());
  }
  return Error(Code::kUnavailable,
               StrCat("no validator appended ledger entry ", entry.index(), " (",
                      endpoints.empty() ? "the ledger names no active validator" : why, ")"));
}

std::shared_ptr<ledger::EntrySubmitter> LedgerSubmitterFor(const LedgerAppendVia& via, std::string_view locator,
                                                           std::chrono::milliseconds timeout) {
  bool direct = via.kind == LedgerAppendVia::Kind::kDirect ||
                (via.kind == LedgerAppendVia::Kind::kDefault && locator.rfind("sqlite://", 0) == 0);
  if (direct) return nullptr;
  return std::make_shared<ValidatorLedgerSubmitter>(via.endpoints, timeout);
}

}  // namespace vouch::host
