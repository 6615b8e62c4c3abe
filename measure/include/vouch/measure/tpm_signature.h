// TPMT_SIGNATURE (TPM 2.0 Part 2) of an ECDSA-SHA256 signing key,
// parsed without a TPM.
#ifndef VOUCH_MEASURE_TPM_SIGNATURE_H_
#define VOUCH_MEASURE_TPM_SIGNATURE_H_

#include "vouch/core/bytes.h"

namespace vouch {

// Parses `signature` and returns r ‖ s, each left-padded to 32 bytes (the
// raw form P256PublicKey::Verify takes). Returns kBadQuote, one sentence each,
// when sigAlg is not ECDSA, the hash is not SHA-256, r or s is truncated,
// empty or longer than 32 bytes, or bytes trail the structure.
Result<Bytes> ParseEcdsaSha256Signature(ByteView signature);

}  // namespace vouch

#endif  // VOUCH_MEASURE_TPM_SIGNATURE_H_
