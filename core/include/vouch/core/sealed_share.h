// Sealed Shamir shares (DESIGN §3 "Shares"): HPKE base mode, suite
// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM, encoded as the
// CBOR array [enc: bstr, ct: bstr]. Two bindings, each with its info prefix
// fixed here so callers cannot mix them up:
//   owner → validator:  info = "vouch share v1" ‖ domain UUID,  aad = policy digest
//   validator → host:   info = "vouch release v1" ‖ VC cti,     aad = VC digest
// Thread-safe (no state).
#ifndef VOUCH_CORE_SEALED_SHARE_H_
#define VOUCH_CORE_SEALED_SHARE_H_

#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/hpke.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/core/typed_digest.h"

namespace vouch {

inline constexpr std::string_view kShareInfoPrefix = "vouch share v1";
inline constexpr std::string_view kReleaseInfoPrefix = "vouch release v1";

// Seals `share` to a validator's HPKE public key for `domain_uuid` under the
// policy. kInvalidArgument for a bad public key.
Result<Bytes> SealShareForValidator(ByteView validator_public_key, std::string_view domain_uuid,
                                    const PolicyDigest& policy, const SecretBytes& share);

// Opens what SealShareForValidator made. kMalformed if `sealed` is not
// [enc, ct]; kCrypto if it was sealed to another key, another domain, under
// another policy, or altered.
Result<SecretBytes> OpenShareAsValidator(const X25519PrivateKey& validator_key,
                                         std::string_view domain_uuid, const PolicyDigest& policy,
                                         ByteView sealed);

// Re-seals a released share to the host's ephemeral key E (the VC's cnf).
Result<Bytes> SealShareForHost(ByteView ephemeral_public_key, ByteView vc_cti, const VcDigest& vc,
                               const SecretBytes& share);

// Opens what SealShareForHost made; errors as OpenShareAsValidator.
Result<SecretBytes> OpenShareAsHost(const X25519PrivateKey& ephemeral_key, ByteView vc_cti,
                                    const VcDigest& vc, ByteView sealed);

}  // namespace vouch

#endif  // VOUCH_CORE_SEALED_SHARE_H_
