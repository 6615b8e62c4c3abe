// TESTING ONLY: hooks into vouch/core/hpke.h that published test vectors
// (RFC 9180 Appendix A) and overflow tests need. Production code must not
// include this header: choosing the ephemeral key makes encapsulation
// deterministic, and reusing an ephemeral key across messages breaks HPKE's
// guarantees. Nothing here is part of vouch's API.
#ifndef VOUCH_CORE_INTERNAL_HPKE_TESTING_H_
#define VOUCH_CORE_INTERNAL_HPKE_TESTING_H_

#include <cstdint>

#include "vouch/core/hpke.h"

namespace vouch::internal {

// RFC 9180 §4.1 DHKEM Encap with `ephemeral` instead of a fresh key.
struct DhkemEncapsulationForTesting {
  Bytes enc;
  SecretBytes shared_secret;
};
Result<DhkemEncapsulationForTesting> DhkemEncapWithEphemeralKeyForTesting(
    ByteView recipient_public_key, const X25519PrivateKey& ephemeral);

// RFC 9180 §4.1 DHKEM Decap: the shared secret. kCrypto as SetupBaseR.
Result<SecretBytes> DhkemDecapForTesting(ByteView enc, const X25519PrivateKey& recipient_key);

// RFC 9180 §5.1 KeySchedule outputs for mode_base.
struct HpkeKeyScheduleForTesting {
  SecretBytes key;         // Nk bytes; empty for kExportOnly
  SecretBytes base_nonce;  // Nn bytes; empty for kExportOnly
  SecretBytes exporter_secret;
};
Result<HpkeKeyScheduleForTesting> KeyScheduleBaseForTesting(HpkeAead aead,
                                                            const SecretBytes& shared_secret,
                                                            ByteView info);

// SetupBaseS with `ephemeral` as skE (the vectors' skEm).
Result<HpkeSenderSetup> SetupBaseSWithEphemeralKeyForTesting(ByteView recipient_public_key,
                                                             ByteView info, HpkeAead aead,
                                                             const X25519PrivateKey& ephemeral);

// Sets the next sequence number, to test the message limit without sealing
// 2^64 messages.
void SetSequenceNumberForTesting(HpkeSenderContext& context, uint64_t seq);
void SetSequenceNumberForTesting(HpkeRecipientContext& context, uint64_t seq);

}  // namespace vouch::internal

#endif  // VOUCH_CORE_INTERNAL_HPKE_TESTING_H_
