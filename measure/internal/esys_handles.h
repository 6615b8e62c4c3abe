// RAII owners for tpm2-tss ESAPI objects (STYLE §2: a deleter per foreign
// handle, move-only, flushed on scope exit). swtpm and /dev/tpm0 have no
// resource manager, so every transient object and session must be flushed or
// the TPM runs out of slots after a few calls.
#ifndef VOUCH_MEASURE_INTERNAL_ESYS_HANDLES_H_
#define VOUCH_MEASURE_INTERNAL_ESYS_HANDLES_H_

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include <memory>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"

namespace vouch::internal {

struct TctiDeleter {
  void operator()(TSS2_TCTI_CONTEXT* p) const { Tss2_TctiLdr_Finalize(&p); }
};
using TctiPtr = std::unique_ptr<TSS2_TCTI_CONTEXT, TctiDeleter>;

struct EsysContextDeleter {
  void operator()(ESYS_CONTEXT* p) const { Esys_Finalize(&p); }
};
using EsysContextPtr = std::unique_ptr<ESYS_CONTEXT, EsysContextDeleter>;

// Output structures ESAPI allocates (free them with Esys_Free).
struct EsysFreeDeleter {
  void operator()(void* p) const { Esys_Free(p); }
};
template <typename T>
using EsysPtr = std::unique_ptr<T, EsysFreeDeleter>;

// A transient object or session handle, flushed from the TPM on destruction.
// REQUIRES: the ESYS_CONTEXT outlives it.
class TransientHandle {
 public:
  TransientHandle() = default;
  TransientHandle(ESYS_CONTEXT* ctx, ESYS_TR handle) : ctx_(ctx), handle_(handle) {}
  TransientHandle(TransientHandle&& o) noexcept : ctx_(o.ctx_), handle_(o.handle_) {
    o.handle_ = ESYS_TR_NONE;
  }
  TransientHandle& operator=(TransientHandle&& o) noexcept {
    if (this != &o) {
      Flush();
      ctx_ = o.ctx_;
      handle_ = o.handle_;
      o.handle_ = ESYS_TR_NONE;
    }
    return *this;
  }
  TransientHandle(const TransientHandle&) = delete;
  TransientHandle& operator=(const TransientHandle&) = delete;
  ~TransientHandle() { Flush(); }

  ESYS_TR get() const { return handle_; }

 private:
  void Flush() {
    if (ctx_ != nullptr && handle_ != ESYS_TR_NONE) Esys_FlushContext(ctx_, handle_);
    handle_ = ESYS_TR_NONE;
  }
  ESYS_CONTEXT* ctx_ = nullptr;
  ESYS_TR handle_ = ESYS_TR_NONE;
};

// "tpm:error(2.0): …" text of a tpm2-tss response code.
std::string TssErrorText(TSS2_RC rc);

// The error of a failed TPM command: kUnavailable naming the TCTI, the
// command and the decoded response code.
Error TpmCommandError(std::string_view tcti, std::string_view command, TSS2_RC rc);

}  // namespace vouch::internal

#endif  // VOUCH_MEASURE_INTERNAL_ESYS_HANDLES_H_
