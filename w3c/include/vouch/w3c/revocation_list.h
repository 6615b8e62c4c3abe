// vouch's revocations as a W3C Bitstring Status List (Bitstring Status List
// v1.0; DESIGN §3 "Revocation as a status list").
//
// One list, kRevocationListLength bits, names every revocation on the
// ledger: a revoked launch credential ("cti:<hex>", the ledger's subject)
// and a revoked DID each set bit StatusListIndex(subject). A host
// credential's rendering carries two entries into it (CredentialStatusOf):
// its launch's and its host's. The index is a pure function of the
// subject, so every validator renders and serves the same bits without
// agreeing on an allocation; two subjects may share a bit, which can only
// make a credential read revoked, never unrevoked.
//
// The list credential (a BitstringStatusListCredential, VC 2.0) is the
// statement of the validator that signs it (an eddsa-jcs-2022 proof by its
// did:key): what its verified view of the ledger held at validFrom. vouch's
// own release decisions read the ledger, never a list.
#ifndef VOUCH_W3C_REVOCATION_LIST_H_
#define VOUCH_W3C_REVOCATION_LIST_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::w3c {

// 2^17 bits (16 KiB), the spec's minimum length (§6.1 "Herd privacy").
inline constexpr uint64_t kRevocationListLength = 131072;
// The id of the list credential and its statusListCredential: the same for
// every validator (a host credential's rendering must not depend on who
// serves the list); a verifier's document loader maps it to any
// validator's GET /v1/status/revocation.
inline constexpr std::string_view kRevocationListId = "urn:vouch:status:revocation";
inline constexpr std::string_view kStatusListCredentialType = "BitstringStatusListCredential";
inline constexpr std::string_view kStatusListEntryType = "BitstringStatusListEntry";
// How long a served list is valid: a verifier fetches a fresh one after.
inline constexpr int64_t kRevocationListValiditySeconds = 600;

// Returns the bit of `subject` ("cti:<32 hex>" or a DID): the first 8 bytes
// of SHA-256("vouch status v1" ‖ subject), big-endian, modulo
// kRevocationListLength.
uint64_t StatusListIndex(std::string_view subject);

// The ledger subjects a host credential's status names: its launch's
// ("cti:<hex>" of its own cti, or of vouch.launch for a reattest VC) and
// its host's DID.
std::string LaunchSubjectOf(const HostVc& vc);

// Returns the rendering's credentialStatus:
//   [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
//     "statusListIndex": "<StatusListIndex(LaunchSubjectOf(vc))>",
//     "statusListCredential": kRevocationListId},
//    {… the same for the host DID}]
nlohmann::json CredentialStatusOf(const HostVc& vc);

// Returns the list credential naming `revoked` subjects, signed with `key`
// (its did:key is the issuer), valid from `at` for `validity` seconds:
//   {"@context": ["https://www.w3.org/ns/credentials/v2"],
//    "id": kRevocationListId, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
//    "issuer": <DID>, "validFrom", "validUntil",
//    "credentialSubject": {"id": "urn:vouch:status:revocation#list", "type": "BitstringStatusList",
//                          "statusPurpose": "revocation", "encodedList": "u…"},
//    "proof": {eddsa-jcs-2022 by the issuer, created = validFrom}}
// kInvalidArgument if `at` or `at + validity` cannot be written as a
// date-time; kInternal if zlib fails. Thread-safe.
Result<nlohmann::json> SignRevocationList(const std::vector<std::string>& revoked, const Ed25519PrivateKey& key,
                                          int64_t at, int64_t validity = kRevocationListValiditySeconds);

// A list credential that verified.
struct RevocationList {
  std::string issuer;                   // its issuer's did:key (the signer)
  std::string valid_from, valid_until;  // as written
  Bytes bits;                           // kRevocationListLength / 8 bytes
};

// Reads and checks a list credential at `now` (seconds): a VC 2.0
// BitstringStatusListCredential with id kRevocationListId, statusPurpose
// "revocation", an encodedList of exactly kRevocationListLength bits, and
// one eddsa-jcs-2022 proof, by its issuer, that verifies. kMalformed naming
// what is missing or wrong, kBadSignature if the proof does not verify or
// is not the issuer's, kInvalidArgument if `now` is outside validFrom..
// validUntil (naming both times). Whether the issuer is a validator is the
// caller's question. Thread-safe.
Result<RevocationList> CheckRevocationList(const nlohmann::json& list, int64_t now);

// Checks `credential`'s credentialStatus entries into vouch's list against
// `list`: kRevoked naming the first set entry ("launch" or "host" for a
// host credential's entries, else its position) and its index; kMalformed
// if an entry into kRevocationListId is not a revocation entry with a
// statusListIndex below kRevocationListLength; Ok if no entry is set
// (entries into other lists are not vouch's and are left alone, and a
// credential without credentialStatus is Ok). Thread-safe.
Status CheckCredentialStatus(const nlohmann::json& credential, const RevocationList& list);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_REVOCATION_LIST_H_
