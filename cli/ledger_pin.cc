#include "ledger_pin.h"

namespace vouch::cli {

Result<ledger::LedgerClientOptions> PinnedLedgerOptions(const Flags& flags, std::string head_file) {
  auto hex = flags.Get("genesis");
  if (!hex) {
    return Error(Code::kInvalidArgument,
                 "--ledger needs --genesis HEX, the digest 'vouch ledger init' printed: a ledger is "
                 "trusted only from its pinned genesis");
  }
  ledger::LedgerClientOptions options;
  VOUCH_ASSIGN_OR_RETURN(options.pinned_genesis, ledger::ParseGenesisPin("--genesis", *hex));
  options.head_file = std::move(head_file);
  return options;
}

}  // namespace vouch::cli
