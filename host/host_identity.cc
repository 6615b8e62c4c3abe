#include "vouch/host/host_identity.h"

namespace vouch::host {

Result<HostIdentity> LoadHostIdentity(const HookConfig& config) {
  auto key = Ed25519PrivateKey::LoadPem(config.host_key);
  if (!key.ok()) return key.error().WithContext("host key");
  auto tpm = Tpm::Open(config.tcti);
  if (!tpm.ok()) return tpm.error();
  auto ak = Ak::Load(config.ak_dir);
  if (!ak.ok()) return ak.error().WithContext("attestation key");
  return HostIdentity{std::move(key).value(), std::move(tpm).value(), std::move(ak).value()};
}

}  // namespace vouch::host
