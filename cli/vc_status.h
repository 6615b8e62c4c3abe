// The revocation status list on the command line (DESIGN §3 "Revocation as
// a status list"): `vouch vc status-list` writes one from a ledger, and
// `vouch vc verify --status LIST` checks a credential against one.
#ifndef VOUCH_CLI_VC_STATUS_H_
#define VOUCH_CLI_VC_STATUS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/core/flags.h"

namespace vouch::cli {

// The flags `vc verify` adds for --status (the list, its ledger, access).
std::set<std::string> VcStatusFlags();

// vouch vc status-list --ledger L --genesis G --key VALIDATOR.pem [--out F]
// [--at TIME]: the ledger's revocations as a BitstringStatusListCredential
// signed with KEY, which must be an admitted, unrevoked validator's.
// Returns the exit status (usage errors 2, failures 1).
int VcStatusListCommand(const std::vector<std::string>& args);

// For `vc verify --status LIST`: checks LIST (its proof, its dates at
// `now`, and with --ledger that its issuer is an admitted, unrevoked
// validator there) and `credential`'s entries against it. Returns the line
// to print on success ("status: not revoked in the list of …"), else the
// error: kRevoked naming the entry that is set, or why the list is refused.
Result<std::string> CheckStatusFlag(const nlohmann::json& credential, const Flags& flags, int64_t now);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_VC_STATUS_H_
