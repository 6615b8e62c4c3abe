// The host's own identity as the hook configuration names it: its DID key,
// its TPM and the TPM's attestation key. Loaded by every exchange with the
// validators (launch release, re-attestation).
#ifndef VOUCH_HOST_HOST_IDENTITY_H_
#define VOUCH_HOST_HOST_IDENTITY_H_

#include <memory>

#include "vouch/core/ed25519.h"
#include "vouch/host/hook_config.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"

namespace vouch::host {

struct HostIdentity {
  Ed25519PrivateKey key;
  std::unique_ptr<Tpm> tpm;
  Ak ak;
  Bytes event_log;  // hook.conf event_log's bytes; empty when it is unset
};

// Errors name what failed: "host key: …", the TPM's own, "attestation key: …",
// "event log …" (unreadable, empty, or larger than kMaxVcEventLogSize).
Result<HostIdentity> LoadHostIdentity(const HookConfig& config);

}  // namespace vouch::host

#endif  // VOUCH_HOST_HOST_IDENTITY_H_
