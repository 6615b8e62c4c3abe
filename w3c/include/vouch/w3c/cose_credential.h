// The application/vc+cose form of a host credential (W3C "Securing
// Verifiable Credentials using JOSE and COSE" §3.3; DESIGN §3 "JSON forms
// (W3C)", vc+cose): each signer signs it itself, from the CBOR it signed.
//
//   vc+cose = COSE_Sign1 (tag 18) by the host's Ed25519 key,
//     protected {1: -8, 3: "application/vc", 4: <host DID bstr>,
//                16: "application/vc+cose"},
//     payload JCS(RenderHostVc(vc)) (w3c/host_credential.h, core/jcs.h),
//     unprotected {} — or, exported, {11: [countersignatures]}.
//   A validator's endorsement of it = an RFC 9338 countersignature
//   (version 2) with exactly the protected header of its CBOR
//   countersignature on the host VC (so the same DID and verdict).
//
//   - The host, issuing a host VC, signs its vc+cose form and carries the
//     signature in the VC's unprotected "vouch.cose" (core/carried_cose.h).
//   - A validator, endorsing the VC it appraised, derives the payload
//     itself, verifies the host's vc+cose signature over it, and countersigns
//     the vc+cose COSE_Sign1, carrying its signature in its CBOR
//     countersignature's unprotected "vouch.cose".
//   - Export rebuilds the COSE_Sign1 and the countersignatures from the
//     endorsed CBOR VC; it never signs, so the vc+cose holds only what the
//     signers signed.
#ifndef VOUCH_W3C_COSE_CREDENTIAL_H_
#define VOUCH_W3C_COSE_CREDENTIAL_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/carried_cose.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/countersign.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::w3c {

// typ (RFC 9596) and content type of a vc+cose (VC-JOSE-COSE §3.3.1).
inline constexpr int64_t kHeaderTyp = 16;
inline constexpr std::string_view kVcCoseType = "application/vc+cose";
inline constexpr std::string_view kVcContentType = "application/vc";

// Returns JCS(RenderHostVc(vc)): the payload every signer derives. Errors
// as RenderHostVc. Thread-safe.
Result<Bytes> VcCosePayload(const HostVc& vc);

// Signs `vc`'s vc+cose form with `host_key` and carries the signature in
// its unprotected "vouch.cose". kInvalidArgument if `host_key` is not the
// key of `vc`'s issuer DID, or if iat or exp cannot be written as a
// date-time. Thread-compatible.
Status SignVcCose(HostVc& vc, const Ed25519PrivateKey& host_key);

// Returns the host's vc+cose COSE_Sign1 of `vc` (empty unprotected header),
// rebuilt from the carried signature and verified with the issuer's key.
// kNotFound if `vc` carries no "vouch.cose" (a host without the form);
// kBadSignature if the signature does not verify over the rendering the
// caller derives (the host signed other JSON). Thread-safe.
Result<CoseSign1> HostVcCose(const HostVc& vc);

// What vouchd does after Endorse() (and CarryEndorsementProof): if `vc`
// carries a host vc+cose signature, verifies it (HostVcCose), countersigns
// the vc+cose COSE_Sign1 with `validator_key` under the protected header of
// endorsement.countersignature, and carries the signature in that
// countersignature's unprotected "vouch.cose" (and in
// endorsement.carried_cose_signature). A VC without one is left endorsed in
// CBOR only. Errors as HostVcCose but kNotFound. REQUIRES: `endorsement` is
// `validator_key`'s, over `vc`, which passed the validator's appraisal.
Status CarryEndorsementCose(const HostVc& vc, const Ed25519PrivateKey& validator_key, Endorsement& endorsement);

// Returns the vc+cose countersignature an endorsement's carried signature
// stands for: the CBOR countersignature's protected header, an empty
// unprotected header, `signature`. Not verified. kMalformed if it cannot
// be built (it always can from a parsed countersignature).
Result<Countersignature> VcCoseCountersignature(const Countersignature& cbor_countersignature,
                                                const Bytes& signature);

// Returns the encoded vc+cose credential of an endorsed `vc`: HostVcCose(vc)
// with label 11 = [each endorsement's vc+cose countersignature, in the CBOR
// VC's label 11 order]. Endorsements that do not verify as CBOR
// countersignatures, or carry no vc+cose signature, are left out. kNotFound
// if `vc` carries no host vc+cose signature; kBadSignature naming the
// signer if a carried signature does not verify (so an export never holds
// one that fails); kMalformed if label 11 cannot be read. Thread-safe.
Result<Bytes> ExportVcCose(const HostVc& vc);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_COSE_CREDENTIAL_H_
