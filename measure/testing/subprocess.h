// Running a command and collecting its output, for tests that cross-check
// against other tools (tpm2-tools, openssl).
#ifndef VOUCH_MEASURE_TESTING_SUBPROCESS_H_
#define VOUCH_MEASURE_TESTING_SUBPROCESS_H_

#include <string>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::testing {

struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal number
  std::string output;  // stdout and stderr interleaved
  bool ok() const { return exit_code == 0; }
};

// Runs argv[0] (looked up in PATH) with `argv`, the environment of this
// process plus `extra_env` ("NAME=value" each, overriding), stdin from
// /dev/null, and waits for it. kInvalidArgument if argv is empty; kIo if it
// cannot be started. A non-zero exit is not an error: see exit_code.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& extra_env = {});

// "argv[0] argv[1] …" for messages.
std::string CommandLine(const std::vector<std::string>& argv);

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_SUBPROCESS_H_
