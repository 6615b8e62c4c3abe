// A complete, plausible host VC claims set for tests.
#ifndef VOUCH_CORE_TESTING_SAMPLE_CLAIMS_H_
#define VOUCH_CORE_TESTING_SAMPLE_CLAIMS_H_

#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/random.h"

namespace vouch::testing {

inline HostVcClaims SampleClaims(const Ed25519PrivateKey& host_key, ByteView ephemeral_pk) {
  HostVcClaims c;
  c.issuer = DidKey::FromPublicKey(host_key.public_key()).did();
  c.domain_uuid = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  c.issued_at = 1764000000;
  c.expires_at = c.issued_at + 60;
  c.cti = RandomBytes(kCtiSize);
  c.nonces = {RandomBytes(32), RandomBytes(32), RandomBytes(32)};
  c.ephemeral_public_key = Bytes(ephemeral_pk.begin(), ephemeral_pk.end());
  c.hypervisor = {"9.0.0", "7.2.0", "6.1.0-56-amd64", "pc-i440fx-7.2"};
  c.tpm.present = true;
  c.tpm.manufacturer = "IBM";
  c.tpm.firmware = "1.38";
  c.tpm.quote = RandomBytes(129);
  c.tpm.signature = RandomBytes(72);
  for (uint32_t i : {0u, 1u, 7u}) c.tpm.pcrs[i] = RandomBytes(32);
  c.boot_hash = BootHash(c.tpm.pcrs);
  // core carries the canonical config opaquely (qemu-integration reads it).
  c.domain_config = RandomBytes(200);
  c.config_digest = ToBytes(Sha256(c.domain_config));
  c.policy_digest = RandomBytes(32);
  return c;
}

}  // namespace vouch::testing

#endif  // VOUCH_CORE_TESTING_SAMPLE_CLAIMS_H_
