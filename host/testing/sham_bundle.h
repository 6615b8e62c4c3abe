// Test only: a protection bundle shaped as `vouch seal` writes it, for tests
// of what the host decides before any validator answers. Its shares, share
// commitments and key-check value are random bytes: nothing ever opens them.
#ifndef VOUCH_HOST_TESTING_SHAM_BUNDLE_H_
#define VOUCH_HOST_TESTING_SHAM_BUNDLE_H_

#include <string>
#include <vector>

#include "vouch/core/did_key.h"
#include "vouch/core/hpke.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"

namespace vouch::testing {

// `policy` (its domain, threshold, limits, lease …) with one validator per
// DID of `validator_dids` at http://127.0.0.1:9, :10, …, signed by a fresh
// owner key; the encoded bundle.
inline Result<Bytes> ShamBundle(OwnerPolicy policy, const std::vector<std::string>& validator_dids) {
  ProtectionBundle bundle;
  for (size_t i = 0; i < validator_dids.size(); ++i) {
    policy.validators.push_back(
        {validator_dids[i], X25519PrivateKey::Generate().public_key(), StrCat("http://127.0.0.1:", 9 + i)});
    policy.commit.push_back(RandomBytes(32));
    bundle.sealed_shares.push_back(RandomBytes(64));
  }
  policy.kcv = RandomBytes(32);
  VOUCH_ASSIGN_OR_RETURN(SignedPolicy signed_policy, SignedPolicy::Sign(policy, Ed25519PrivateKey::Generate()));
  bundle.policy = signed_policy.encoded();
  return EncodeBundle(bundle);
}

// `n` DIDs of fresh validator keys.
inline std::vector<std::string> FreshValidatorDids(size_t n) {
  std::vector<std::string> dids;
  for (size_t i = 0; i < n; ++i) dids.push_back(DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did());
  return dids;
}

}  // namespace vouch::testing

#endif  // VOUCH_HOST_TESTING_SHAM_BUNDLE_H_
