// `vouch did resolve DID --ledger …` (DESIGN §3 "JSON forms (W3C)"): the
// did:key document enriched with what the ledger says about a host, as a
// W3C DID Resolution result. A pure function of the DID and the verified
// ledger state.
//
//   {"didDocument": <DidKeyDocument(did)>, and for a host registered on the ledger
//        "@context" + "https://w3id.org/vouch/v1",
//        "attestationKey": {"tpm2bPublic": <base64url>, "tpmName"?: <hex, nameAlg ‖ digest>},
//        "certification": {"certified": bool, "registeredEntry": n,
//                          "certifiedBy": [{"validator": DID, "entry": n, "at": dateTime,
//                                           "active": bool}]},
//        "hostStatus": {"state": "active" | "revoked" | "quarantined",
//                       "revocation"?: {"reason", "entry"},
//                       "quarantines"?: [{"domain", "launchCredential", "reason", "entry"}]},
//    "didDocumentMetadata": {"deactivated": true (the DID is revoked on the ledger)} or {},
//    "didResolutionMetadata": {"contentType": "application/did+ld+json"}}
//
// The did:key part is unchanged (the verification method still comes from
// the DID alone); the vouch terms are defined in docs/contexts/vouch-v1.jsonld.
// tpmName is left out when the AK does not parse as one vouch accepts.
#ifndef VOUCH_CLI_DID_RESOLUTION_H_
#define VOUCH_CLI_DID_RESOLUTION_H_

#include <nlohmann/json.hpp>

#include "vouch/core/did_key.h"
#include "vouch/ledger/chain_state.h"

namespace vouch::cli {

// Returns the resolution result above. Thread-compatible (reads `state`).
nlohmann::json LedgerDidResolution(const DidKey& did, const ledger::ChainState& state);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_DID_RESOLUTION_H_
