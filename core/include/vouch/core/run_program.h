// Running helper programs (qemu-img, an emulator's --version) without a shell.
#ifndef VOUCH_CORE_RUN_PROGRAM_H_
#define VOUCH_CORE_RUN_PROGRAM_H_

#include <string>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch {

struct ProgramResult {
  int exit_status = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) with `argv`, waits, and returns its exit
// status and output. kIo if it cannot be started. Stdin is /dev/null.
// Each of `inherit_fds` (all ≥ 3) stays open in the child under the same
// number even though it is close-on-exec here (e.g. a memfd the child reads
// as /proc/self/fd/N); kInvalidArgument for 0..2.
Result<ProgramResult> RunProgram(const std::vector<std::string>& argv, const std::vector<int>& inherit_fds = {});

}  // namespace vouch

#endif  // VOUCH_CORE_RUN_PROGRAM_H_
