// The verified state of a ledger: the chain so far (index continuity and
// `prev` links) and the views derived from its entries, kept current entry
// by entry (DESIGN §2 Register/Revoke, §6 Authorization and governance).
//
// Who may write what (each refusal names the entry and the rule):
//   genesis             only entry 0, signed by one of the governance keys it names.
//   did-register        signed by the DID itself; not yet registered, not revoked.
//   did-update          certification ("certify_ak"): by a registered, admitted,
//                       unrevoked validator other than the host, for the digest
//                       of the host's current ak_public, once per validator.
//                       Replacement ("ak_public"/"facts"): by the DID itself; a
//                       new ak_public restarts its certifications.
//   validator-register  signed by the validator DID; every countersigner must be
//                       an unrevoked governance key; admitted iff at least
//                       admit_quorum countersign. A later validator-register of
//                       the same DID replaces the record and its admission.
//   validator-update    "reputation" only by a governance key (not the validator
//                       itself); "endpoint"/"hpke_pk" only by the validator.
//   revoke              by the subject DID itself: effective at once. By a
//                       governance key (of another subject): effective at once
//                       if the author and its countersigners are at least
//                       admit_quorum distinct unrevoked governance keys, else
//                       refused naming how many signed and how many are needed;
//                       every countersigner must be an unrevoked governance key
//                       (countersignatures on a revoke by anyone else are
//                       refused). By an admitted, unrevoked validator: a report
//                       on a host or a credential, effective when revoke_quorum
//                       distinct such validators have reported the subject;
//                       reports on governance keys and on registered validators
//                       are refused (only a governance quorum revokes a
//                       validator, so no number of validators revokes another).
//                       A subject is revoked once; revocation is final.
//                       A launch credential's revocation that names its host
//                       and domain quarantines that host for that domain:
//                       by governance at once; by reports when revoke_quorum
//                       of the reporting validators named the same pair (so
//                       a Byzantine reporter naming another host quarantines
//                       nothing). By the domain's owner (author = "owner",
//                       with "owner_proof": vouch/ledger/owner_proof.h) of a
//                       launch credential of its own domain: effective at once,
//                       and the host is quarantined for that domain. The
//                       proof must show that launch, host and domain and be
//                       signed by the author; countersignatures are refused.
//                       The quarantine records the owner: the owner an owner
//                       or governance revoke names, or the one revoke_quorum
//                       of the reporting validators named (none if they
//                       disagree: then only governance lifts it).
//   attested            signed by "host", a registered, unrevoked host; every
//                       listed validator is registered.
//   checkpoint          by an admitted, unrevoked validator or a governance key;
//                       head_index below the checkpoint's own index and
//                       head_digest that entry's digest; countersigners are
//                       admitted, unrevoked validators.
//   reinstate           of a host quarantined for that domain, by the owner
//                       the quarantine records (alone, not countersigned), or
//                       by a governance key with its countersigners at least
//                       admit_quorum distinct unrevoked governance keys (as a
//                       governance revoke): the quarantine is lifted (the
//                       revoked launch stays revoked; a later revoked launch
//                       quarantines again). Nobody else lifts a quarantine:
//                       not the host, not a validator, not one governance
//                       key, not the owner of another domain.
//   reference           by a governance key with its countersigners at least
//                       admit_quorum distinct unrevoked governance keys (as a
//                       governance revoke); anyone else — an operator key, a
//                       validator, one governance key alone — is refused. It
//                       replaces the fragment of the same class and name; a
//                       withdrawn one removes it (refused if there is none).
//   Any entry whose author is revoked is refused.
// A host is certified when at least certify_quorum of the validators that
// certified its current AK are still admitted and unrevoked. (A validator
// appraises a host only if, besides, it is itself among them:
// vouch/validator/appraisal.h.)
//
// Errors from Check/Apply are "ledger entry <i> (<type>): <reason>" with:
//   kMalformed     the entry does not continue the chain (index, prev, genesis
//                  placement), or Apply got an entry whose signatures were not
//                  checked (ParsePinned: use ApplyPinned);
//   kBadSignature  the author or a countersigner is not authorized for it;
//   kRevoked       the author is revoked, or the DID it registers is;
//   kInvalidArgument  it conflicts with the state (already registered or
//                  revoked, unknown DID or validator, stale AK digest,
//                  duplicate certification or report, wrong checkpoint digest).
//
// ChainState is a value type; const methods are thread-safe, Apply is not.
#ifndef VOUCH_LEDGER_CHAIN_STATE_H_
#define VOUCH_LEDGER_CHAIN_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vouch/core/boot_reference.h"
#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/digest.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/entry.h"

namespace vouch::ledger {

// Reputation of a validator no validator-update has rated yet.
inline constexpr uint64_t kDefaultReputation = 500;

// One validator's certification of a host's current AK: its did-update.
struct CertificationRecord {
  uint64_t index = 0;  // the entry
  int64_t at = 0;      // its time
};

// A host's DID document (DESIGN §3 DIDs).
struct DidDocument {
  std::string did;
  Bytes ak_public;
  std::optional<Bytes> ek_cert;
  cbor::Value facts = cbor::Value::Map({});
  uint64_t registered_index = 0;        // the did-register entry
  std::set<std::string> certified_by;   // validators that certified the current AK
  std::map<std::string, CertificationRecord> certifications;  // the same, with their entries
  bool certified = false;               // see the file comment
  bool revoked = false;
  std::string revoked_reason;
  uint64_t revoked_index = 0;           // the entry that made the revocation effective
};

struct ValidatorRecord {
  std::string did;
  Bytes hpke_pk;
  std::string endpoint, operator_name, region;
  uint64_t reputation = kDefaultReputation;
  std::set<std::string> admitted_by;    // governance countersigners of its registration
  bool admitted = false;                // admitted_by.size() >= admit_quorum
  uint64_t registered_index = 0;        // its latest validator-register entry
  bool revoked = false;
  std::string revoked_reason;
  uint64_t revoked_index = 0;
};

// An effective revocation of a DID or a "cti:" credential id.
struct Revocation {
  std::string subject;
  std::string reason;       // of the entry that made it effective
  Bytes evidence;
  uint64_t index = 0;       // that entry
  std::vector<std::string> decided_by;  // its author (+ governance countersigners), or every reporting validator
};

// A host barred from launching one domain: a launch credential of that host
// and domain was revoked (DESIGN §2 "Revoke"), so destroying the domain and
// starting it again does not escape the revocation.
struct Quarantine {
  std::string host;    // DID
  std::string domain;  // the domain's UUID
  std::string launch;  // the revoked "cti:" subject
  std::string reason;  // of the revocation
  uint64_t index = 0;  // the entry that made it effective
  std::string owner;   // the domain owner's DID, who may lift it; "" if unknown
};

// An "attested" audit record.
struct AttestedRecord {
  uint64_t index = 0;
  int64_t at = 0;
  Bytes vc_digest;
  std::string domain, host;
  std::vector<std::string> validators;
};

// An entry stored at the next index that does not parse, does not verify,
// or is refused by the rules above (DESIGN §6: junk is a nuisance, never a
// brick). Nothing in it takes effect, but its digest is part of the chain:
// the next entry's prev must name it.
struct SkippedEntry {
  uint64_t index = 0;
  std::string reason;
};

struct CheckpointRecord {
  uint64_t index = 0;          // the checkpoint entry
  uint64_t head_index = 0;
  Sha256Digest head_digest{};
  std::string author;
  std::vector<std::string> cosigners;  // admitted validators among author + countersigners
};

// A boot reference fragment in effect (DESIGN §6 "Boot references").
struct ReferenceRecord {
  BootReference reference;
  uint64_t index = 0;                   // the entry that made it current
  std::vector<std::string> decided_by;  // its author and governance countersigners
};

class ChainState {
 public:
  // An empty chain: the next entry must be a genesis at index 0.
  ChainState() = default;

  // Ok if `entry` may be appended next (see the file comment); the state is
  // unchanged either way. REQUIRES nothing of `entry` beyond a successful
  // Entry::Sign/Parse/ParsePinned.
  Status Check(const Entry& entry) const;
  // Checks `entry` as Check does and, if it passes, makes it the head and
  // updates the views. On error the state is unchanged. kMalformed if
  // entry.signatures_verified() is false.
  Status Apply(const Entry& entry);
  // As Apply, for an entry from Entry::ParsePinned. REQUIRES: the caller has
  // pinned `entry` with a trusted digest (LedgerClient::OpenFromCheckpoint
  // compares the head digest with the checkpoint's after the last one).
  Status ApplyPinned(const Entry& entry);

  // Records the entry stored at index size(), whose bytes hash to `digest`,
  // as skipped for `reason`: the head moves past it and nothing else
  // changes. REQUIRES: size() > 0 (a chain starts with a valid genesis).
  void Skip(const Sha256Digest& digest, std::string reason);
  // The skipped entries, in order.
  const std::vector<SkippedEntry>& skipped() const { return skipped_; }
  bool IsSkipped(uint64_t index) const;

  // Number of entries applied or skipped; the next entry's index.
  uint64_t size() const { return digests_.size(); }
  // Digest of the head (the last applied entry); kGenesisPrev when empty.
  const Sha256Digest& head_digest() const;
  // Digest of entry `index`; nullopt if index >= size().
  std::optional<Sha256Digest> DigestAt(uint64_t index) const;

  // The genesis parameters; nullptr before entry 0 is applied.
  const GenesisBody* genesis() const { return genesis_ ? &*genesis_ : nullptr; }
  bool IsGovernance(std::string_view did) const;

  // The DID document of a host registered with did-register; nullptr if none.
  // Pointers stay valid until the next Apply.
  const DidDocument* FindHost(std::string_view did) const;
  const std::map<std::string, DidDocument, std::less<>>& hosts() const { return hosts_; }

  // The validator registry entry of `did`; nullptr if it never registered.
  const ValidatorRecord* FindValidator(std::string_view did) const;
  const std::map<std::string, ValidatorRecord, std::less<>>& validators() const { return validators_; }
  // Whether `did` is a registered, admitted, unrevoked validator.
  bool IsActiveValidator(std::string_view did) const;

  // The effective revocation of `subject` (a DID or "cti:<hex>"), O(1);
  // nullptr if it is not revoked.
  const Revocation* FindRevocation(std::string_view subject) const;
  bool IsRevoked(std::string_view subject) const { return FindRevocation(subject) != nullptr; }
  size_t revocation_count() const { return revocations_.size(); }
  // The `n` revocations made effective last (highest entry index first;
  // ties by subject), copied. O(revocations · log n).
  std::vector<Revocation> LatestRevocations(size_t n) const;
  // Every revoked subject (DIDs and "cti:<hex>"), sorted: what the status
  // list (w3c/revocation_list.h) sets. O(revocations · log revocations).
  std::vector<std::string> RevokedSubjects() const;
  // Validators that reported `subject` in revoke entries not (yet) effective.
  std::vector<std::string> PendingReports(std::string_view subject) const;
  // The quarantine of `host` for `domain`; nullptr if it has none.
  const Quarantine* FindQuarantine(std::string_view host, std::string_view domain) const;
  // The quarantines of `host`, by domain. O(quarantines).
  std::vector<Quarantine> QuarantinesOf(std::string_view host) const;

  // Platform class → fragment name → the fragment in effect.
  using ReferenceMap = std::map<std::string, std::map<std::string, ReferenceRecord>, std::less<>>;
  const ReferenceMap& references() const { return references_; }
  // The class's fragments in effect, in name order (none if it has none).
  PlatformClass FindPlatformClass(std::string_view name) const;

  // The audit trail of "attested" entries and the checkpoints, in order.
  const std::vector<AttestedRecord>& attested() const { return attested_; }
  const std::vector<CheckpointRecord>& checkpoints() const { return checkpoints_; }

 private:
  using Mutation = std::function<void(ChainState&)>;
  using Scope = std::pair<std::string, std::string>;  // (host, domain)
  // The effect of `entry` on the state, or why it may not be appended.
  Result<Mutation> Evaluate(const Entry& entry) const;
  Result<Mutation> EvaluateBody(const Entry& entry) const;
  // The DIDs of `e`'s author and countersigners if they are at least
  // admit_quorum distinct unrevoked governance keys; else kBadSignature
  // naming `what`, how many signed and how many are needed.
  Result<std::vector<std::string>> GovernanceQuorum(const Entry& e, const std::string& what) const;
  void RecomputeCertified(DidDocument& doc) const;
  void RecomputeAllCertified();
  void MarkRevoked(const std::string& subject, std::string reason, Bytes evidence, uint64_t index,
                   std::vector<std::string> decided_by);
  // A launch as a revoke names it: its (host, domain) and owner, each
  // possibly empty.
  struct NamedLaunch {
    Scope scope;
    std::string owner;
  };
  Result<Mutation> EvaluateOwnerRevoke(const Entry& e, const RevokeBody& b) const;
  Result<Mutation> EvaluateValidatorReport(const Entry& e, const RevokeBody& b) const;
  void MarkQuarantined(const Scope& scope, const std::string& launch, const std::string& reason, uint64_t index,
                       const std::string& owner);

  std::vector<Sha256Digest> digests_;
  std::optional<GenesisBody> genesis_;
  std::map<std::string, DidDocument, std::less<>> hosts_;
  std::map<std::string, ValidatorRecord, std::less<>> validators_;
  std::unordered_map<std::string, Revocation> revocations_;
  // subject → reporting validator → the launch it named (empty if none).
  std::map<std::string, std::map<std::string, NamedLaunch>, std::less<>> reports_;
  std::map<Scope, Quarantine> quarantines_;
  std::vector<AttestedRecord> attested_;
  std::vector<CheckpointRecord> checkpoints_;
  ReferenceMap references_;
  std::vector<SkippedEntry> skipped_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_CHAIN_STATE_H_
