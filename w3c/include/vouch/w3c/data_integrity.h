// W3C Data Integrity proofs with the eddsa-jcs-2022 cryptosuite ("Data
// Integrity EdDSA Cryptosuites v1.0" §3.3; "Verifiable Credential Data
// Integrity 1.0" §4 for proof sets and chains; DESIGN §3 "JSON forms (W3C)").
//
// A proof over a JSON document (an object) is
//   {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
//    "created"?, "verificationMethod", "proofPurpose", "id"?, "previousProof"?,
//    "@context" (the document's, when it has one), "proofValue": "z<base58btc(sig)>"}
// where sig is the Ed25519 signature (core/ed25519.h) of
//   SHA-256(JCS(proof without proofValue)) ‖ SHA-256(JCS(document without proof))
// and JCS is RFC 8785 (core/jcs.h). A proof whose previousProof names other
// proofs (a proof chain) covers the document with "proof" set to the array
// of those proofs, in previousProof's order, so it also signs them.
//
// Keys: a verification method is a did:key key, "did:key:z6Mk…#z6Mk…"
// (core/did_document.h's DidKeyVerificationMethodId); others are refused,
// as vouch resolves no DID method but did:key.
#ifndef VOUCH_W3C_DATA_INTEGRITY_H_
#define VOUCH_W3C_DATA_INTEGRITY_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch::w3c {

inline constexpr std::string_view kDataIntegrityProofType = "DataIntegrityProof";
inline constexpr std::string_view kEddsaJcs2022 = "eddsa-jcs-2022";
inline constexpr std::string_view kAssertionMethod = "assertionMethod";

// What a new proof says besides its signature (Data Integrity §2.1).
struct ProofOptions {
  std::string verification_method;  // the signing key's DID URL (did:key only)
  std::string created;              // an XML dateTimeStamp, or "" for none
  std::string id;                   // a URL naming the proof, or "" for none
  // Ids of proofs already on the document that this proof chains to; empty
  // for a proof that stands alone (a member of a proof set).
  std::vector<std::string> previous_proof;
};

// Returns SHA-256(JCS(proof_config)) ‖ SHA-256(JCS(unsecured_document)),
// the 64 bytes an eddsa-jcs-2022 proof signs (§3.3.4 Hashing). kInvalidArgument
// if either does not canonicalize (core/jcs.h).
Result<Bytes> EddsaJcs2022HashData(const nlohmann::json& unsecured_document,
                                   const nlohmann::json& proof_config);

// Returns the proof AddProof would add to `document` under `options`
// without its proofValue (the proof configuration, eddsa-jcs-2022 §3.3.5),
// so that a proof whose signature travelled apart (core/carried_proof.h) is
// rebuilt by setting "proofValue". kInvalidArgument if `document` is not an
// object, `options` lacks a verification method or its `created` is not a
// dateTimeStamp. Does not look at the document's proofs.
Result<nlohmann::json> ProofConfiguration(const nlohmann::json& document, const ProofOptions& options);

// Returns `document` with one more eddsa-jcs-2022 proof by `key` (Data
// Integrity §4.1 Add Proof, §4.2 Add Proof Set/Chain): `proof` becomes the
// new proof if the document had none, else an array of the old ones and the
// new one, last. The proof purpose is assertionMethod. Returns
// kInvalidArgument if `document` is not an object, `options` lacks a
// verification method, its `created` is not a dateTimeStamp, its `id` is
// already a proof's id, a previous_proof id names no proof of `document`,
// or the document does not canonicalize. Does not check that `key` is the
// verification method's key. Thread-safe.
Result<nlohmann::json> AddProof(const nlohmann::json& document, const ProofOptions& options,
                                const Ed25519PrivateKey& key);

// One proof's verification.
struct ProofCheck {
  std::string id;                          // the proof's id, "" if it has none
  std::string verification_method;         // as the proof names it, "" if unreadable
  std::vector<std::string> previous_proof; // the ids it chains to
  // Ok, or kMalformed (the proof is not an eddsa-jcs-2022 DataIntegrityProof
  // with assertionMethod purpose, a did:key verification method, a
  // dateTimeStamp `created` and a 64-byte "z…" proofValue; its @context is
  // not a prefix of the document's; a previousProof names no proof of the
  // document) or kBadSignature (the signature does not verify).
  Status status;
};

// Verifies every proof of a secured `document` on its own — each proof's
// result is its own; none vouches for another — and returns one check per
// proof in document order. A chained proof verifies over the proofs it
// names (Data Integrity §4.3), so altering, removing or swapping a proof
// it chains to fails it. Returns kMalformed if `document` is not an object
// or its `proof` is missing, empty or not an object or array of objects, or
// two proofs share an id.
// Thread-safe.
Result<std::vector<ProofCheck>> VerifyProofs(const nlohmann::json& document);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_DATA_INTEGRITY_H_
