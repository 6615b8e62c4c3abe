// The one PCR-list grammar of every vouch command (seal's --pcrs and
// --guest-pcrs, tpm's --pcrs): "0,1,7", "0-7", "0-7,16".
#ifndef VOUCH_CLI_PCR_LIST_H_
#define VOUCH_CLI_PCR_LIST_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::cli {

// "7" → 7; nullopt unless one or two decimal digits naming PCR 0..23.
std::optional<uint32_t> ParsePcrIndex(std::string_view text);

// Indexes and ranges, comma-separated; each PCR at most once; returned
// ascending. kInvalidArgument "FLAG 'TEXT': why", naming `flag`.
Result<std::vector<uint32_t>> ParsePcrList(std::string_view text, std::string_view flag = "--pcrs");

// "0,1,7" (no ranges): how the list reads back.
std::string JoinPcrs(const std::vector<uint32_t>& pcrs);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_PCR_LIST_H_
