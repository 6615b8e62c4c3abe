#include "ledger_pin.h"

#include <cstdio>

#include "vouch/ledger/checkpoint.h"

namespace vouch::cli {

std::set<std::string> WithLedgerAccessFlags(std::set<std::string> flags) {
  flags.insert(kLedgerAccessFlags.begin(), kLedgerAccessFlags.end());
  return flags;
}

ledger::LedgerAccess LedgerAccessFrom(const Flags& flags) {
  ledger::LedgerAccess access;
  for (const std::string& name : kLedgerAccessFlags) {
    if (auto v = flags.Get(name)) *ledger::LedgerAccessField(access, name.substr(7)) = *v;
  }
  return access;
}

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
  // With no head of its own, the command checks the ledger against the
  // validators' checkpoints (DESIGN §6 "Trust anchor").
  options.checkpoint_timeout = ledger::kReaderCheckpointTimeout;
  options.on_warning = [](const std::string& line) { std::fprintf(stderr, "vouch: warning: %s\n", line.c_str()); };
  options.access = LedgerAccessFrom(flags);
  return options;
}

}  // namespace vouch::cli
