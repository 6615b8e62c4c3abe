// Running helper programs (qemu-img) without a shell.
#ifndef VOUCH_CLI_RUN_PROGRAM_H_
#define VOUCH_CLI_RUN_PROGRAM_H_

#include <string>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::cli {

struct ProgramResult {
  int exit_status = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) with `argv`, waits, and returns its exit
// status and output. kIo if it cannot be started.
Result<ProgramResult> RunProgram(const std::vector<std::string>& argv);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_RUN_PROGRAM_H_
