#include "vouch/validator/ledger_host_directory.h"

namespace vouch::validator {

Result<std::unique_ptr<LedgerHostDirectory>> LedgerHostDirectory::Open(std::string_view locator) {
  auto ledger = ledger::OpenLedger(locator);
  if (!ledger.ok()) return ledger.error().WithContext(StrCat("ledger '", locator, "'"));
  auto client = ledger::LedgerClient::Open(std::move(ledger).value());
  if (!client.ok()) return client.error().WithContext(StrCat("ledger '", locator, "'"));
  return std::make_unique<LedgerHostDirectory>(std::move(client).value());
}

LedgerHostDirectory::LedgerHostDirectory(std::unique_ptr<ledger::LedgerClient> client)
    : client_(std::move(client)), locator_(client_->ledger().locator()) {}

Result<HostRecord> LedgerHostDirectory::Lookup(std::string_view did) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto synced = client_->Sync(); !synced.ok()) {
    return Error(
        Code::kUnavailable,
        StrCat("ledger '", locator_, "' cannot be read or verified: ", synced.error().message()));
  }
  const ledger::ChainState& state = client_->state();
  const ledger::DidDocument* doc = state.FindHost(did);
  if (doc == nullptr) {
    return Error(Code::kUnknownHost, StrCat("host '", did, "' is not registered on the ledger"));
  }
  HostRecord record{doc->did, doc->ak_public, doc->certified, doc->revoked, doc->revoked_reason};
  if (!record.revoked) {
    if (const ledger::Revocation* r = state.FindRevocation(did)) {
      record.revoked = true;
      record.revoked_reason = r->reason;
    }
  }
  if (record.revoked && record.revoked_reason.empty())
    record.revoked_reason = "revoked on the ledger";
  return record;
}

bool LedgerHostDirectory::IsRevoked(std::string_view subject) {
  std::lock_guard<std::mutex> lock(mu_);
  return client_->state().IsRevoked(subject);
}

Bytes LedgerHostDirectory::LedgerHead() {
  std::lock_guard<std::mutex> lock(mu_);
  return ToBytes(client_->state().head_digest());
}

}  // namespace vouch::validator
