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
#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::testing {

// How SwtpmProcess::Start prepares the TPM.
struct SwtpmOptions {
  // Non-empty: unless the state directory already holds TPM state, first
  // manufacture the TPM as libvirt does (`swtpm_setup --tpm2 --create-ek-cert
  // --create-platform-cert --lock-nvram`, about 1 s) with swtpm_localca
  // issuing the certificates from the CA in this directory: made (root CA +
  // issuer) on first use, reused afterwards, so TPMs started with the same
  // ek_ca_dir share one "manufacturer" and TPMs with different ones do not.
  // The TPM then holds an RSA 2048 EK certificate at NV 0x01c00002 (and an ECC
  // P-384 one at 0x01c00016); only the SHA-256 PCR bank is active.
  std::string ek_ca_dir;
};

// The certificates of the swtpm_localca CA in `ca_dir` (after a Start with
// that ek_ca_dir), DER, as a ledger genesis lists TPM CAs: {root
// (self-signed), issuer}. kNotFound / kIo if a file is missing or unreadable;
// kMalformed if one is not a PEM certificate.
Result<std::vector<Bytes>> ReadEkCaCertificates(const std::string& ca_dir);

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
  // With `options.ek_ca_dir` set, the TPM is manufactured first (see
  // SwtpmOptions); kUnavailable quoting swtpm_setup's output if that fails.
  static Result<std::unique_ptr<SwtpmProcess>> Start(const std::string& state_dir = "",
                                                     const SwtpmOptions& options = {});

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
  Status Manufacture(const std::string& ca_dir) const;

  std::string state_dir_;
  bool owns_dir_;
  std::string tcti_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_SWTPM_PROCESS_H_
