// What a TPM quote's extraData binds (DESIGN §4 "Exact bindings"). Host and
// validator, shim and validator compute these here, once.
#ifndef VOUCH_CORE_QUOTE_BINDING_H_
#define VOUCH_CORE_QUOTE_BINDING_H_

#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/digest.h"

namespace vouch {

// SHA-256 of the deterministic CBOR array of the challenges, in the order
// the VC's eat_nonce lists them.
Sha256Digest NonceDigest(const std::vector<Bytes>& nonces);

// The host quote: SHA-256(nonce_digest ‖ E.pub ‖ vouch.cfg).
// `config_digest` is vouch.cfg (32 bytes).
Bytes HostQuoteExtraData(const std::vector<Bytes>& nonces, ByteView ephemeral_public_key,
                         ByteView config_digest);

// The guest quote of a re-attestation: SHA-256("vouch-guest-v1" ‖
// nonce_digest), so a guest quote answers the same challenges as the host
// quote beside it and can never be taken for a host quote.
Bytes GuestQuoteExtraData(const std::vector<Bytes>& nonces);

}  // namespace vouch

#endif  // VOUCH_CORE_QUOTE_BINDING_H_
