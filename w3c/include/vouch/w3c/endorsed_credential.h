// Where the W3C proofs of a host credential come from (DESIGN §3 "JSON
// forms (W3C)"): each signer signs the JSON itself, from the CBOR it signed.
//
//   - The host, issuing a host VC, adds an eddsa-jcs-2022 proof over
//     RenderHostVc(vc) (w3c/host_credential.h): id HostProofId(vc), created
//     = the VC's iat, verification method its DID's key; it carries the
//     proof's created and proofValue in the VC's unprotected "vouch.di"
//     (core/carried_proof.h).
//   - A validator, endorsing the VC it appraised, derives the rendering
//     itself, checks the host's proof, and adds its own proof chained to it
//     (previousProof = HostProofId(vc), created = its verdict time), carried
//     in its countersignature's unprotected "vouch.di".
//   - Export puts the rendering and the carried proofs together; it never
//     signs anything, so the JSON holds only what the signers signed.
#ifndef VOUCH_W3C_ENDORSED_CREDENTIAL_H_
#define VOUCH_W3C_ENDORSED_CREDENTIAL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vouch/core/carried_proof.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::w3c {

// "urn:vouch:proof:<cti hex>": the id of the host's proof on `vc`'s JSON form.
std::string HostProofId(const HostVc& vc);

// Adds the host's proof to `vc` (unprotected "vouch.di"). Returns
// kInvalidArgument if `host_key` is not the key of `vc`'s issuer DID, or if
// iat or exp cannot be written as a date-time. Thread-compatible.
Status ProveHostVc(HostVc& vc, const Ed25519PrivateKey& host_key);

// Returns the proof a validator holding `validator_key` carries in its
// countersignature on `vc`, created at `at` (seconds), or nullopt if `vc`
// carries no host proof (a VC from a host before this form: nothing to
// chain to; its CBOR endorsement stands alone) or whose host proof covers
// the rendering without credentialStatus (a host from before the status
// list: the same). Returns kBadSignature if the
// host's proof does not verify over the validator's own rendering of `vc`
// (the host signed JSON that is not its VC), kMalformed if it is malformed.
// REQUIRES: `vc` passed the validator's appraisal. Thread-safe.
Result<std::optional<CarriedProof>> ProveEndorsement(const HostVc& vc,
                                                     const Ed25519PrivateKey& validator_key, int64_t at);

// What vouchd does after Endorse(): ProveEndorsement(vc, validator_key,
// endorsement.verdict.at) and, if there is a proof, carries it in
// endorsement.countersignature's unprotected "vouch.di" (and in
// endorsement.carried_proof). Errors as ProveEndorsement. REQUIRES:
// `endorsement` is `validator_key`'s, over `vc`.
Status CarryEndorsementProof(const HostVc& vc, const Ed25519PrivateKey& validator_key, Endorsement& endorsement);

// Returns the Data Integrity credential of an endorsed `vc`: RenderHostVc(vc)
// with `proof` = [the host's proof, then each endorsement's proof in label
// 11 order]. Endorsements that do not verify as countersignatures, or carry
// no proof, are left out. Returns kNotFound if `vc` carries no host proof;
// kBadSignature naming the signer if a carried proof does not verify over
// the rendering (so an export never holds a proof that fails); kMalformed
// if label 11 cannot be read.
Result<nlohmann::json> ExportDataIntegrity(const HostVc& vc);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_ENDORSED_CREDENTIAL_H_
