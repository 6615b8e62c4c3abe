// How a `vouch` command reports what stopped it, on stderr: one line naming
// the problem, so a person can act on it. Exit status 1 for a failure, 2 for
// a usage error (the line, then the command's usage text).
#ifndef VOUCH_CLI_COMMAND_EXIT_H_
#define VOUCH_CLI_COMMAND_EXIT_H_

#include <initializer_list>
#include <string>
#include <string_view>

namespace vouch::cli {

// "vouch: MESSAGE"; returns 1.
int Fail(const std::string& message);

// "PROGRAM: PROBLEM" (left out when PROBLEM is empty), then each of
// `usage` as it is; returns 2. PROGRAM names the command ("vouch",
// "vouch tpm").
int UsageError(std::string_view program, const std::string& problem,
               std::initializer_list<std::string_view> usage);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_COMMAND_EXIT_H_
