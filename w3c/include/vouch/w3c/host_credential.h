// The W3C VC Data Model 2.0 rendering of a host VC (DESIGN §3 "JSON forms
// (W3C)"): one deterministic JSON document per CBOR host VC, so that every
// party that derives it from the same VC gets the same bytes under JCS and
// can sign or check it on its own.
//
//   {"@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/vouch/v1"],
//    "id": "urn:vouch:vc:<cti hex>",
//    "type": ["VerifiableCredential", "VouchHostCredential"],
//    "issuer": <host DID>, "validFrom": <iat>, "validUntil": <exp>,
//    "credentialSubject": {"id": "urn:uuid:<domain UUID>", "attestation": "launch"|"reattest",
//        "hypervisor": {"libvirt", "qemu", "kernel", "machine"},
//        "tpm": {"present", "manufacturer", "firmware", "pcrs": {"<index>": <hex>}},
//        "bootHash": <hex>, "domainConfig": <base64url of vouch.dom>, "configDigest": <hex>,
//        "policyDigest": <hex>,
//        "launchCredential"?: "urn:vouch:vc:<launch cti hex>",            (reattest)
//        "guest"?: {"pcrs": {"<index>": <hex>}, "eventLogDigest": <hex>}}, (reattest)
//    "credentialStatus": [<launch entry>, <host entry>],   (revocation_list.h)
//    "evidence": [{"type": ["VouchCoseHostCredential"],
//                  "coseSign1": <base64url of the bare host VC>, "sha256": <hex of it>}]}
//
// Times are dateTimeStamps in UTC ("…Z"), digests lower-case hex. The bare
// host VC is the COSE_Sign1 with an empty unprotected header (no
// countersignatures, no carried proofs): what the host signed, so the TPM
// quote and its binding stay checkable from the JSON alone. The terms are
// defined in docs/contexts/vouch-v1.jsonld. credentialStatus holds two
// BitstringStatusListEntry into vouch's revocation list (CredentialStatusOf):
// the launch's (the VC's own cti, or vouch.launch for a reattest VC) and the
// host DID's, at indices derived from them, so it too is a pure function
// of the CBOR.
#ifndef VOUCH_W3C_HOST_CREDENTIAL_H_
#define VOUCH_W3C_HOST_CREDENTIAL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::w3c {

inline constexpr std::string_view kCredentialsContextV2 = "https://www.w3.org/ns/credentials/v2";
inline constexpr std::string_view kVouchContextV1 = "https://w3id.org/vouch/v1";
inline constexpr std::string_view kHostCredentialType = "VouchHostCredential";
inline constexpr std::string_view kHostVcEvidenceType = "VouchCoseHostCredential";

// Returns the encoded COSE_Sign1 of `vc` with an empty unprotected header.
Bytes BareHostVc(const HostVc& vc);

// Returns "urn:vouch:vc:<hex>" for a cti.
std::string CredentialIdOfCti(ByteView cti);

// Returns the rendering above of `vc` (unsecured: no proof). `vc` is
// verified by construction (HostVc::Parse / Issue). kInvalidArgument only
// if iat or exp lies outside the years 0001..9999. Thread-safe.
Result<nlohmann::json> RenderHostVc(const HostVc& vc);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_HOST_CREDENTIAL_H_
