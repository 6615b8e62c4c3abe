#include "vouch/host/host_identity.h"

#include "vouch/core/bytes.h"
#include "vouch/core/host_vc.h"

namespace vouch::host {

Result<HostIdentity> LoadHostIdentity(const HookConfig& config) {
  auto key = Ed25519PrivateKey::LoadPem(config.host_key);
  if (!key.ok()) return key.error().WithContext("host key");
  auto tpm = Tpm::Open(config.tcti);
  if (!tpm.ok()) return tpm.error();
  auto ak = Ak::Load(config.ak_dir);
  if (!ak.ok()) return ak.error().WithContext("attestation key");
  Bytes event_log;
  if (!config.event_log.empty()) {
    auto log = ReadFile(config.event_log);
    if (!log.ok()) return log.error().WithContext("event log (hook.conf event_log)");
    // Refused here rather than by every validator, with the key to change.
    if (log->empty() || log->size() > kMaxVcEventLogSize) {
      return Error(Code::kInvalidArgument,
                   StrCat("event log '", config.event_log, "': ", log->size(),
                          " bytes, a host sends 1..", kMaxVcEventLogSize,
                          " (hook.conf event_log; unset it to send none)"));
    }
    event_log = std::move(log).value();
  }
  return HostIdentity{std::move(key).value(), std::move(tpm).value(), std::move(ak).value(),
                      std::move(event_log)};
}

}  // namespace vouch::host
