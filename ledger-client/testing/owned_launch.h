// Test helper: a launch of a domain owned by an owner key — the owner's
// signed policy and the host's launch VC naming its digest — from which
// owner proofs (vouch/ledger/owner_proof.h) are made.
#ifndef VOUCH_LEDGER_TESTING_OWNED_LAUNCH_H_
#define VOUCH_LEDGER_TESTING_OWNED_LAUNCH_H_

#include <stdexcept>
#include <string>

#include "core/testing/sample_claims.h"
#include "vouch/core/did_key.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/hpke.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"
#include "vouch/ledger/owner_proof.h"

namespace vouch::ledger::testing {

struct OwnedLaunch {
  std::string owner, host, domain, launch;  // DIDs, UUID, "cti:<hex>"
  Bytes vc, policy;                         // COSE_Sign1 each

  Bytes Proof() const { return EncodeOwnerProof(vc, policy); }
};

// `owner`'s policy for `domain` and a launch VC of it by `host`; `type` is
// the VC's type ("launch" unless a test wants another).
inline OwnedLaunch MakeOwnedLaunch(const Ed25519PrivateKey& owner, const Ed25519PrivateKey& host,
                                   const std::string& domain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f",
                                   const std::string& type = "launch") {
  OwnerPolicy p;
  p.domain_uuid = domain;
  p.threshold = 2;
  for (int i = 0; i < 2; ++i) {
    p.validators.push_back({DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did(),
                            X25519PrivateKey::Generate().public_key(), StrCat("http://127.0.0.1:", 7400 + i)});
    p.commit.push_back(RandomBytes(32));
  }
  p.kcv = RandomBytes(32);
  auto signed_policy = SignedPolicy::Sign(p, owner);
  if (!signed_policy.ok()) throw std::runtime_error(signed_policy.error().ToString());
  const SignedPolicy& policy = *signed_policy;
  HostVcClaims c = vouch::testing::SampleClaims(host, X25519PrivateKey::Generate().public_key());
  c.domain_uuid = domain;
  c.type = type;
  if (type == "reattest") c.launch_cti = RandomBytes(kCtiSize);
  const PolicyDigest digest = policy.digest();
  c.policy_digest = Bytes(digest.bytes().begin(), digest.bytes().end());
  auto vc = HostVc::Issue(c, host);
  if (!vc.ok()) throw std::runtime_error(vc.error().ToString());
  return OwnedLaunch{policy.owner_did(), c.issuer, domain, StrCat("cti:", HexEncode(c.cti)), vc->message().Encode(),
                     policy.encoded()};
}

}  // namespace vouch::ledger::testing

#endif  // VOUCH_LEDGER_TESTING_OWNED_LAUNCH_H_
