// The type-specific bodies of ledger entries (DESIGN §6) and their strict
// CBOR form. Each entry's payload carries "type" and "body"; the body is a
// CBOR map with text keys:
//
//   genesis             {"governance": [+ DID], "tpm_cas": [* bstr (DER X.509)],
//                        "certify_quorum": uint, "admit_quorum": uint, "revoke_quorum": uint}
//   did-register        {"did": DID, "ak_public": bstr (TPM2B_PUBLIC),
//                        "ek_cert": bstr / null, "facts": {* tstr => any}}
//   did-update          {"did": DID, "certify_ak": bstr(32)}            a certification, or
//                       {"did": DID, ? "ak_public": bstr, ? "facts": map}  the DID replacing its own
//   validator-register  {"did": DID, "hpke_pk": bstr(32), "endpoint": tstr,
//                        "operator": tstr, "region": tstr}
//   validator-update    {"did": DID, ? "reputation": 0..1000, ? "endpoint": tstr, ? "hpke_pk": bstr(32)}
//   revoke              {"subject": DID / "cti:<32 lower-case hex>", "reason": tstr, "evidence": bstr,
//                        ? "host": DID, ? "domain": tstr,   the launch's host and domain (a cti only, both or neither)
//                        ? "owner": DID,                    the domain's owner (only with host and domain)
//                        ? "owner_proof": bstr}             an owner's own revoke: its OwnerProof (owner_proof.h)
//   attested            {"vc_digest": bstr(32), "domain": tstr, "host": DID, "validators": [* DID]}
//   checkpoint          {"head_index": uint, "head_digest": bstr(32)}
//   reinstate           {"host": DID, "domain": tstr, "reason": tstr}   lifts that host's quarantine for the domain
//   reference           a boot reference fragment (vouch/core/boot_reference.h): the allowed
//                       event-log values of a platform class, or a withdrawal
//
// DID is a did:key text string (vouch/core/did_key.h). BodyFromCbor checks
// everything that can be checked without the ledger's state (shapes, sizes,
// DIDs, quorum ranges, DER certificates); who may write which entry is
// ChainState's business (vouch/ledger/chain_state.h).
#ifndef VOUCH_LEDGER_ENTRY_BODY_H_
#define VOUCH_LEDGER_ENTRY_BODY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vouch/core/boot_reference.h"
#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/errors.h"

namespace vouch::ledger {

// The order matches the alternatives of EntryBody.
enum class EntryType {
  kGenesis,
  kDidRegister,
  kDidUpdate,
  kValidatorRegister,
  kValidatorUpdate,
  kRevoke,
  kAttested,
  kCheckpoint,
  kReinstate,
  kReference,
};

// "genesis", "did-register", … as written in the payload's "type".
std::string_view EntryTypeName(EntryType type);
// The type named `name`; nullopt for anything else.
std::optional<EntryType> EntryTypeFromName(std::string_view name);

inline constexpr uint64_t kMaxReputation = 1000;
inline constexpr size_t kMaxReasonSize = 1024;
inline constexpr size_t kMaxDomainSize = 128;
inline constexpr size_t kMaxEvidenceSize = 4096;
inline constexpr size_t kMaxOwnerProofSize = 64 * 1024;
// A revocation subject naming a credential: "cti:" + hex of its 16-byte cti.
inline constexpr std::string_view kCtiSubjectPrefix = "cti:";

struct GenesisBody {
  std::vector<std::string> governance;  // DIDs, distinct, at least one
  std::vector<Bytes> tpm_cas;           // DER certificates (may be empty)
  uint64_t certify_quorum = 1;          // >= 1
  uint64_t admit_quorum = 1;            // 1 .. governance.size()
  uint64_t revoke_quorum = 1;           // >= 1
  bool operator==(const GenesisBody&) const = default;
};

// Every reader of a ledger (vouchd, `vouch seal --ledger`, `vouch ledger
// show`) warns with this sentence when some quorum of `genesis` is 1, so
// that one validator or one governance key acts alone:
//   "ledger genesis allows a single operator (certify_quorum 1, …): a lab
//    set-up, not a threshold", naming each such quorum;
// nullopt when every quorum is at least 2.
std::optional<std::string> SingleOperatorWarning(const GenesisBody& genesis);

struct DidRegisterBody {
  std::string did;
  Bytes ak_public;               // TPM2B_PUBLIC: 2-byte big-endian size + that many bytes
  std::optional<Bytes> ek_cert;  // DER, or none (null)
  cbor::Value facts = cbor::Value::Map({});  // map with text keys
  bool operator==(const DidRegisterBody&) const = default;
};

// Exactly one form: certify_ak set and nothing else (a validator's
// certification), or certify_ak unset and at least one of ak_public / facts
// (the DID replacing its own).
struct DidUpdateBody {
  std::string did;
  std::optional<Bytes> certify_ak;  // SHA-256 of the certified ak_public
  std::optional<Bytes> ak_public;
  std::optional<cbor::Value> facts;
  bool operator==(const DidUpdateBody&) const = default;
};

struct ValidatorRegisterBody {
  std::string did;
  Bytes hpke_pk;  // X25519 public key, 32 bytes
  std::string endpoint, operator_name, region;  // non-empty
  bool operator==(const ValidatorRegisterBody&) const = default;
};

// At least one of reputation / endpoint / hpke_pk.
struct ValidatorUpdateBody {
  std::string did;
  std::optional<uint64_t> reputation;  // 0 .. kMaxReputation
  std::optional<std::string> endpoint;
  std::optional<Bytes> hpke_pk;
  bool operator==(const ValidatorUpdateBody&) const = default;
};

struct RevokeBody {
  std::string subject;  // a DID, or kCtiSubjectPrefix + 32 lower-case hex digits
  std::string reason;   // 1 .. kMaxReasonSize bytes
  Bytes evidence;       // 0 .. kMaxEvidenceSize bytes (typically a digest)
  // For a launch credential ("cti:"): the host that launched it and the
  // domain's UUID, so that its revocation quarantines the host for that
  // domain (ChainState::FindQuarantine). Both or neither.
  std::string host{};    // a DID, or ""
  std::string domain{};  // 1 .. kMaxDomainSize bytes, or ""
  // The did:key that signed the domain's owner policy, or "" (only with
  // host and domain): the quarantine records it, so the owner may lift it.
  std::string owner{};
  // An owner revoking its own domain's launch: the OwnerProof
  // (vouch/ledger/owner_proof.h) that `owner` owns it; only with owner.
  Bytes owner_proof{};
  bool operator==(const RevokeBody&) const = default;
};

struct AttestedBody {
  Bytes vc_digest;  // VcDigest of the endorsed host VC, 32 bytes
  std::string domain;  // non-empty
  std::string host;    // DID
  std::vector<std::string> validators;  // distinct DIDs
  bool operator==(const AttestedBody&) const = default;
};

struct CheckpointBody {
  uint64_t head_index = 0;
  Bytes head_digest;  // SHA-256 of entry head_index, 32 bytes
  bool operator==(const CheckpointBody&) const = default;
};

// Lifts the quarantine of `host` for `domain` (ChainState::FindQuarantine),
// so that host may launch that domain again; the revoked launch stays revoked.
struct ReinstateBody {
  std::string host;    // a DID
  std::string domain;  // 1 .. kMaxDomainSize bytes
  std::string reason;  // 1 .. kMaxReasonSize bytes
  bool operator==(const ReinstateBody&) const = default;
};

// A platform class's fragment of boot reference values, admitted by the
// governance quorum (DESIGN §6 "Boot references").
struct ReferenceBody {
  BootReference reference;  // CheckBootReference holds
  bool operator==(const ReferenceBody&) const = default;
};

using EntryBody = std::variant<GenesisBody, DidRegisterBody, DidUpdateBody, ValidatorRegisterBody,
                               ValidatorUpdateBody, RevokeBody, AttestedBody, CheckpointBody, ReinstateBody,
                               ReferenceBody>;

// The type of `body` (its variant alternative).
EntryType TypeOf(const EntryBody& body);

// The body as its CBOR map (absent optionals are left out; ek_cert is null).
cbor::Value BodyToCbor(const EntryBody& body);

// Reads the body of a `type` entry under the rules in the file comment.
// kMalformed with a sentence naming the field on a missing, mistyped,
// unknown or out-of-range field, a DID that does not parse, a certificate
// that is not DER X.509, or a body that is neither form of did-update.
Result<EntryBody> BodyFromCbor(EntryType type, const cbor::Value& body);

// Whether `subject` is "cti:" followed by 32 lower-case hex digits.
bool IsCtiSubject(std::string_view subject);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_ENTRY_BODY_H_
