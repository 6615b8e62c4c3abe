// The W3C DID document of an Ed25519 did:key (DID Core 1.0; the did:key
// method's "Document Creation Algorithm" with publicKeyFormat Multikey; DESIGN
// §3 "JSON forms (W3C)"). For did:key:z6MkX… it is
//
//   {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
//    "id": "did:key:z6MkX…",
//    "verificationMethod": [{"id": "did:key:z6MkX…#z6MkX…", "type": "Multikey",
//                            "controller": "did:key:z6MkX…", "publicKeyMultibase": "z6MkX…"}],
//    "authentication": ["did:key:z6MkX…#z6MkX…"], "assertionMethod": [same],
//    "capabilityInvocation": [same], "capabilityDelegation": [same]}
//
// The fragment of the one verification method is the DID's multibase key.
// There is no keyAgreement: the X25519 key the spec can derive from the
// Ed25519 key (its enableEncryptionKeyDerivation option, off by default) is
// left out, as @digitalbazaar/did-method-key leaves it out for Multikey, so
// both resolve a DID to the same document. vouch never encrypts to a DID key
// in any case: its X25519 keys (HPKE, E) are separate keys.
//
// The document is derived from the DID alone; what the ledger says about a
// DID (AK, certification, status) is not part of it.
#ifndef VOUCH_CORE_DID_DOCUMENT_H_
#define VOUCH_CORE_DID_DOCUMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/core/did_key.h"

namespace vouch {

inline constexpr std::string_view kDidContextV1 = "https://www.w3.org/ns/did/v1";
inline constexpr std::string_view kMultikeyContextV1 = "https://w3id.org/security/multikey/v1";

// Returns "did:key:z6MkX…#z6MkX…", the id of `did`'s verification method: what
// a Data Integrity proof made with the DID's key names as its
// verificationMethod.
std::string DidKeyVerificationMethodId(const DidKey& did);

// Returns the DID document of `did` (the shape above). Cannot fail: a
// DidKey is always a valid Ed25519 did:key. Thread-safe.
nlohmann::json DidKeyDocument(const DidKey& did);

}  // namespace vouch

#endif  // VOUCH_CORE_DID_DOCUMENT_H_
