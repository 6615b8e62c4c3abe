// Appraisal of a launch attestation (DESIGN §4 "POST /v1/attest",
// "Appraisal"): everything a validator checks before it releases its share of
// a domain's image key to a host, and the release itself.
//
// Appraise runs these checks in this order and stops at the first failure,
// returning its Code and one sentence (the refusal's "code" and "reason"):
//
//   1. the VC parses and is signed by its issuer DID     kMalformed / kBadSignature
//      and is a "launch" VC                              kMalformed
//   2. the VC is current: iat ≤ now + skew, exp > now    kStaleNonce
//   3. the host is registered                            kUnknownHost (kUnavailable:
//                                                        directory unreadable)
//      not revoked (the DID, or the VC's cti)            kRevoked
//      its current AK is certified: by certify_quorum
//      validators, and by this validator itself (it
//      appraises only an AK whose credential activation
//      it checked; "… not certified by this validator")  kUncertifiedAk
//   4. eat_nonce holds a fresh challenge this validator
//      issued to this host (ChallengeIssuer::CheckAny)   kStaleNonce
//   5. the cti was not endorsed before (ReplayCache)     kReplay (kRateLimited: the
//                                                        host's quota; kUnavailable: full)
//      and that challenge answers no other VC: a
//      challenge is single-use (ChallengeIssuer::Redeem)
//      ("… already answered by another VC")              kStaleNonce (kRateLimited: the
//                                                        host's quota; kUnavailable: full)
//   6. the owner policy parses and its signature verifies
//                                                        kMalformed / kBadSignature
//      policy validator `index` is this validator (DID
//      and HPKE key)                                     kNotInPolicy
//      exp - iat ≤ the policy's vc_ttl                   kStaleNonce
//      the VC's vouch.policy is the policy's digest and
//      its sub the policy's domain                       kNotInPolicy
//   7. the host is allowed by the policy's "hosts"       kHostNotAllowed
//   8. the TPM quote: present, the registered AK parses, VerifyQuote with
//      extraData = SHA-256(SHA-256(CBOR eat_nonce) ‖ cnf key ‖ vouch.cfg)
//                                                        kBadQuote / kPcrMismatch
//      the quoted PCRs cover the policy's "pcrs"         kPcrMismatch
//      if the VC carries vouch.evlog: it parses as a crypto-agile firmware
//      event log with SHA-256 digests                    kMalformed
//      and its SHA-256 replay equals every quoted PCR, a PCR it never
//      names its initial value ("event log does not match the quote:
//      PCR 4 replays to 3f2a…, quoted 9b01…")            kPcrMismatch
//   9. vouch.boot = BootHash(quoted PCRs), and one of the policy's reference
//      boot hashes if it lists any                       kPcrMismatch
//  10. each policy reference PCR holds one of its listed values
//      ("PCR 7 differs from reference …")                kPcrMismatch
//  11. hypervisor versions ≥ hv_min                      kHvVersion
//  12. runtime config within rt: memory_kib ≤ memory_kib_max, vcpus ≤
//      vcpus_max, every net in nets_allowed, every device in devices_allowed
//      (when the policy lists them); the reason names the parameter
//                                                        kConfig
//  13. only then: the sealed share opens with this validator's HPKE key for
//      the policy's domain and digest, and matches the policy's commitment
//      for `index` (defence in depth)                    kMalformed / kNotInPolicy
//  14. the share is re-sealed to the VC's cnf key (info "vouch release v1" ‖
//      cti, aad HostVc::Digest), the VC is countersigned with verdict
//      {ok: true, at: now, ledger: directory head, policy: policy digest},
//      and, if the VC carries the host's W3C proof ("vouch.di"), that proof
//      verifies over this validator's own rendering of the VC and the
//      countersignature carries this validator's proof chained to it
//      (w3c/endorsed_credential.h), and if it carries the host's vc+cose
//      signature ("vouch.cose"), that signature verifies over the same
//      rendering and the countersignature carries this validator's
//      countersignature on the vc+cose (w3c/cose_credential.h)
//                                                        kBadSignature / kMalformed;
//      the cti is recorded in the replay cache and the challenge as answered.
//
// Reappraise (POST /v1/reattest: a running domain re-attested by its host's
// vouch-agent) runs 1–7 for a "reattest" VC, then
//
//   8. the request's launch VC is the domain's baseline: it parses and is
//      signed by the same host, is a "launch" VC for the same domain and
//      policy, its cti is not revoked, and it carries valid ok-endorsements
//      by at least t distinct validators of the policy   kNotInPolicy / kRevoked
//  9–13. 8–12 above on the fresh evidence
//  14. drift from the baseline: vouch.cfg equals the launch VC's, and each
//      policy PCR that the policy does not pin holds its launch value
//      ("PCR 4 changed since launch …")                 kDrift
//  15. the VC is countersigned (no share is released), with the W3C proof
//      and vc+cose countersignature of 14 above, its cti recorded and its challenge answered.
//
// A refusal at 12 (pcr-mismatch), 13 (hv-version, config) or 14 (drift) is
// also reported, with options.reporter, as this validator's revocation
// report of "cti:<launch cti>" (evidence: the reattest VC's digest); the
// reason then ends with "(reported to the ledger)". A report the ledger
// refuses (this validator reported it before) leaves the reason as it is.
//
// A validator needs no memory of the launch: the baseline's endorsements
// prove it. Guest evidence (vouch.guest) is appraised after 14
// (guest_appraisal.h).
//
// Limits: rt.memory_kib_max and rt.vcpus_max are hard maxima (0 admits
// nothing), nets_allowed is always enforced, devices only when the policy
// has devices_allowed.
#ifndef VOUCH_VALIDATOR_APPRAISAL_H_
#define VOUCH_VALIDATOR_APPRAISAL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "vouch/protocol/validator_api.h"
#include "vouch/core/bytes.h"
#include "vouch/core/digest.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/owner_policy.h"
#include "vouch/measure/ak_public.h"
#include "vouch/core/typed_digest.h"
#include "vouch/validator/challenge.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/measure/event_log.h"
#include "vouch/validator/digest_cache.h"
#include "vouch/validator/fault.h"
#include "vouch/validator/host_directory.h"
#include "vouch/validator/replay_cache.h"
#include "vouch/validator/lease_store.h"
#include "vouch/validator/revocation_reporter.h"
#include "vouch/validator/validator_keys.h"

namespace vouch::validator {

// The bodies of POST /v1/attest and /v1/reattest (their wire form:
// vouch/protocol/validator_api.h).
using AttestRequest = protocol::AttestRequest;
using ReattestRequest = protocol::ReattestRequest;

// What a re-attestation approval hands back: an endorsement, no share.
struct Reendorsement {
  std::string host_did;
  std::string domain_uuid;
  Bytes cti;
  PolicyDigest policy;
  Verdict verdict;
  Bytes endorsement;  // the encoded COSE_Countersignature over the reattest VC
};

// What an approval hands back to the host.
struct Approval {
  std::string host_did;
  std::string domain_uuid;
  Bytes cti;
  PolicyDigest policy;
  Verdict verdict;
  Bytes endorsement;   // the encoded COSE_Countersignature over the VC
  Bytes sealed_share;  // the share re-sealed to the VC's cnf key
};

// What Appraise learned about a request, filled in as it goes, so a refusal
// can be logged with the host and domain it concerns. Unverified until the
// VC signature check passed (fields stay empty before that).
struct AppraisalTrace {
  std::string host_did;
  std::string domain_uuid;
  std::string cti_hex;
  // A re-attestation refused on its verified evidence: this validator's
  // signed drift verdict over the VC (core/drift_verdict.h), which the
  // refusal carries.
  Bytes drift_verdict;
};

struct AppraisalOptions {
  int64_t max_clock_skew_s = 30;  // how far iat may be ahead of this validator's clock
  Fault fault = Fault::kNone;     // end-to-end tests only (fault.h)
  // If set, a re-attestation refused on its verified evidence (9–14 below
  // the baseline check) is reported as a revocation of the launch VC's cti
  // (DESIGN §2 "Revoke"). Must outlive the Appraiser.
  RevocationReporter* reporter = nullptr;
  // If set, a launch endorsed under a policy with `grace` is granted a lease
  // (DESIGN §4 "Leases") before its share is released — a lease that cannot
  // be granted (the host's quota, a full store) refuses the launch — and
  // each endorsed re-attestation of it renews the lease. Must outlive the
  // Appraiser.
  LeaseStore* leases = nullptr;
};

// Thread-safe as long as the directory is (the others are).
class Appraiser {
 public:
  // REQUIRES: every argument outlives the Appraiser.
  Appraiser(const ValidatorKeys& keys, HostDirectory& directory, ChallengeIssuer& challenges,
            ReplayCache& replay, AppraisalOptions options = {});

  // Appraises `request` at time `now` (seconds since the epoch) as listed at
  // the top of this file. Returns the approval, or the first failure.
  // `trace`, if not null, receives the host DID, domain and cti once the VC
  // signature verified (also on refusals after that point).
  Result<Approval> Appraise(const AttestRequest& request, int64_t now,
                            AppraisalTrace* trace = nullptr) const;

  // Appraises a re-attestation (the Reappraise list above). A refusal on
  // the evidence (core/drift_verdict.h IsEvidenceRefusal) of a VC that
  // verified leaves this validator's signed drift verdict in
  // trace->drift_verdict.
  Result<Reendorsement> Reappraise(const ReattestRequest& request, int64_t now,
                                   AppraisalTrace* trace = nullptr) const;

  const ValidatorKeys& keys() const { return keys_; }

 private:
  Result<Reendorsement> JudgeReattest(const ReattestRequest& request, int64_t now,
                                      AppraisalTrace* trace) const;
  // What steps 1–7 established, and the VC's replay and challenge
  // reservations (both committed on approval, released otherwise).
  struct Checked {
    HostVc vc;
    std::shared_ptr<const SignedPolicy> policy;
    HostRecord host;
    ReplayCache::Reservation reservation;
    ReplayCache::Reservation challenge;
    void Commit() {
      reservation.Commit();
      challenge.Commit();
    }
  };
  Result<Checked> CheckVcAndPolicy(ByteView vc, ByteView policy, uint64_t index,
                                   std::string_view type, int64_t now,
                                   AppraisalTrace* trace) const;
  // A firmware event log that verified as a log (DESIGN §4 step 9): its
  // SHA-256 bank replayed and its events prepared for judging. Whether it
  // matches a quote, and whether a platform class allows it, is decided
  // on every request.
  struct ReadLog {
    PcrBanks replayed;
    PreparedBootLog prepared;
  };
  // The log `sent` beside a VC whose claims are `c`, checked against the
  // VC's digest of it and replayed to its quote; null when neither has one.
  Result<std::shared_ptr<const ReadLog>> CheckEventLog(const HostVcClaims& c, ByteView sent) const;
  // The quote, references, hypervisor and runtime checks (8–12).
  Status CheckEvidence(const HostVcClaims& c, ByteView event_log, const HostRecord& host,
                       const OwnerPolicy& p) const;

  const ValidatorKeys& keys_;
  HostDirectory& directory_;
  ChallengeIssuer& challenges_;
  ReplayCache& replay_;
  AppraisalOptions options_;
  // A domain's policy comes with every start, a host's AK with every quote
  // and its DID with every VC: their signature check and key imports are
  // done once per content.
  mutable DigestCache<SignedPolicy> policies_;
  mutable DigestCache<DidKey> host_keys_;
  mutable DigestCache<AkPublic> aks_;
  // A running domain's launch VC comes with every re-attestation: it is
  // parsed (and its host signature verified) once, and so is its quorum,
  // keyed by policy digest ‖ launch VC bytes (only what verified is kept;
  // revocation is checked on every request, apart from these).
  mutable DigestCache<HostVc> launches_;
  mutable DigestCache<std::vector<std::string>> launch_quorums_;
  // A host sends the same firmware log at every start and round until it
  // reboots: it is parsed, replayed and prepared once. Only logs a signed
  // VC names reach it; bounded so that even those cost memory in proportion.
  mutable DigestCache<ReadLog> event_logs_{128};
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_APPRAISAL_H_
