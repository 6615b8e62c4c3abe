#include "vouch/host/host_records.h"

#include <cstdio>

#include "vouch/core/host_vc.h"
#include "vouch/ledger/checkpoint.h"

namespace vouch::host {

std::optional<Bytes> ProtectionBundleOf(const HookConfig& config, const qemu::DomainConfig& domain) {
  if (domain.protection_bundle) return domain.protection_bundle;
  auto from_file = ReadFile(StrCat(config.bundle_dir, "/", domain.uuid, ".bundle"));
  if (!from_file.ok()) return std::nullopt;
  return std::move(from_file).value();
}

size_t LedgerDriftQuorum(const HookConfig& config) {
  if (config.ledger.empty()) return 0;
  auto client = ledger::LedgerClient::Open(config.ledger, HostLedgerOptions(config));
  const ledger::GenesisBody* genesis = client.ok() ? (*client)->state().genesis() : nullptr;
  if (genesis == nullptr) {
    std::fprintf(stderr, "vouch: warning: cannot read the ledger's revoke_quorum (%s); the policy's t decides drift\n",
                 client.ok() ? "no genesis" : client.error().message().c_str());
    return 0;
  }
  return genesis->revoke_quorum;
}

ledger::LedgerClientOptions HostLedgerOptions(const HookConfig& config) {
  ledger::LedgerClientOptions options;
  options.pinned_genesis = config.genesis;
  options.head_file = StrCat(config.state_dir, "/", kLedgerHeadFile);
  options.checkpoint_timeout = ledger::kReaderCheckpointTimeout;
  options.on_warning = [](const std::string& line) { std::fprintf(stderr, "vouch: warning: %s\n", line.c_str()); };
  options.access = config.ledger_access;
  return options;
}

}  // namespace vouch::host
