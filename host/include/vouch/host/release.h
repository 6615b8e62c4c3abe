// Obtaining a protected domain's image key from its validators (DESIGN §2
// "Start", steps 3–7 without libvirt): challenges, the TPM quote bound to
// the nonces, the ephemeral key E and the domain config, the signed host VC,
// parallel attestation, verification of every endorsement and re-sealed
// share, and the threshold combination checked against the key-check value.
#ifndef VOUCH_HOST_RELEASE_H_
#define VOUCH_HOST_RELEASE_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "vouch/core/ed25519.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"

namespace vouch::host {

// What the host knows about itself.
struct HostContext {
  const Ed25519PrivateKey* host_key = nullptr;
  Tpm* tpm = nullptr;
  const Ak* ak = nullptr;
  HypervisorFacts hypervisor;
  // The firmware event log sent beside the VC, whose SHA-256 the VC's
  // "vouch.evlog" claim holds; empty: none.
  Bytes event_log;
};

struct ReleaseRequest {
  std::string domain_name;        // for messages
  const SignedPolicy* policy = nullptr;
  const ProtectionBundle* bundle = nullptr;
  // The canonical config of the domain as it will start
  // (qemu::CanonicalConfigBytes): the VC's "vouch.dom"; its SHA-256, the
  // config digest, is bound into the quote.
  Bytes domain_config;
  std::chrono::milliseconds deadline{5000};  // for the whole exchange
  std::function<int64_t()> now;   // seconds; defaults to the system clock
};

struct ReleaseOutcome {
  SecretBytes key;                     // K, 32 bytes
  HostVc endorsed_vc;                  // with the t endorsements that released K
  std::vector<std::string> endorsers;  // their DIDs
  std::vector<std::string> failures;   // "endpoint: reason" for those that did not help
};

// Runs the exchange. On success the key verifies against the policy's kcv.
// On failure returns one Error whose message is the line virsh will show:
//   "domain 'web1' not released: 2 of 3 endorsements (127.0.0.1:7403: PCR 7
//    differs from reference; 127.0.0.1:7405: no answer within 2s)".
Result<ReleaseOutcome> ObtainImageKey(const ReleaseRequest& request, const HostContext& host);

// Steps 4–5 for the given validators' nonces and ephemeral public key E:
// quotes the policy's PCRs with extraData = HostQuoteExtraData(nonces, E,
// request.config) (vouch/core/quote_binding.h) and fills in the claims of a "launch" host VC (a fresh
// cti, valid for the policy's vc_ttl) with the SHA-256 of host.event_log, if any. The caller signs them with
// HostVc::Issue. Errors: the quote's, "TPM quote failed: …".
Result<HostVcClaims> LaunchClaims(const ReleaseRequest& request, const HostContext& host,
                                  const std::vector<Bytes>& nonces, ByteView ephemeral_public_key);

}  // namespace vouch::host

#endif  // VOUCH_HOST_RELEASE_H_
