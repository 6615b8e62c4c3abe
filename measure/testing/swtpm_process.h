// A swtpm (TPM 2.0 simulator) process owned by a test: started on free ports,
// killed by pid when the object goes away. For any module's tests that need
// a TPM (measure, hook, validator end-to-end).
//
//   auto tpm = SwtpmProcess::Start();            // fresh state, temp dir
//   ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
//   auto t = Tpm::Open((*tpm)->tcti());
//   (*tpm)->RunTpm2Tool({"tpm2_pcrextend", "16:sha256=…"});
#ifndef VOUCH_MEASURE_TESTING_SWTPM_PROCESS_H_
#define VOUCH_MEASURE_TESTING_SWTPM_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "measure/testing/subprocess.h"
#include "vouch/core/errors.h"

namespace vouch::testing {

// Not thread-safe. swtpm (0.7) serves several clients at once, so tpm2-tools
// can run while a vouch::Tpm is connected to the same process.
class SwtpmProcess {
 public:
  // Starts `swtpm socket --tpm2 --flags not-need-init,startup-clear` on a
  // free 127.0.0.1 port pair (P for commands, P+1 for control) with its state
  // in `state_dir` (made absolute; created if missing; swtpm's output goes to
  // `state_dir`/swtpm.log) and waits until port P accepts connections (at
  // most 10 s). An empty `state_dir` means a fresh temporary directory that
  // the destructor removes. kUnavailable if swtpm cannot be run or does not
  // come up (the message quotes the end of its log); kIo if the directory
  // cannot be made.
  static Result<std::unique_ptr<SwtpmProcess>> Start(const std::string& state_dir = "");

  SwtpmProcess(const SwtpmProcess&) = delete;
  SwtpmProcess& operator=(const SwtpmProcess&) = delete;
  // Stop(), then removes the state directory if Start made it.
  ~SwtpmProcess();

  // Sends SIGTERM to the process, waits up to 5 s, then SIGKILL. Idempotent.
  void Stop();
  // Stop() and start again on the same state directory (the TPM's seeds and
  // NV survive; PCRs are reset; the ports may change). Errors as Start.
  Status Restart();

  // "swtpm:host=127.0.0.1,port=P", the tpm2-tss TCTI and TPM2TOOLS_TCTI value.
  const std::string& tcti() const { return tcti_; }
  const std::string& state_dir() const { return state_dir_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Runs a tpm2-tools command against this TPM (TPM2TOOLS_TCTI set), then
  // flushes every transient object and session it left loaded (swtpm has no
  // resource manager). Errors as RunCommand; a failing tool is exit_code ≠ 0.
  Result<CommandResult> RunTpm2Tool(const std::vector<std::string>& argv) const;

 private:
  SwtpmProcess(std::string state_dir, bool owns_dir)
      : state_dir_(std::move(state_dir)), owns_dir_(owns_dir) {}
  Status Launch();

  std::string state_dir_;
  bool owns_dir_;
  std::string tcti_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_SWTPM_PROCESS_H_
