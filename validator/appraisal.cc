#include "vouch/validator/appraisal.h"

#include <algorithm>
#include <utility>

#include "vouch/core/cbor.h"
#include "vouch/core/digest.h"
#include "vouch/core/drift_verdict.h"
#include "vouch/core/endorsement_quorum.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/lease_terms.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/quote_binding.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/measure/event_log.h"
#include "vouch/measure/quote_verify.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/launch_policy.h"
#include "vouch/validator/guest_appraisal.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/endorsed_credential.h"

namespace vouch::validator {
namespace {

// First 8 bytes of a digest in hex, for reasons (enough to tell values apart).
std::string Short(ByteView b) { return HexEncode(b.first(std::min<size_t>(b.size(), 8))) + "…"; }

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool Contains(const std::vector<Bytes>& list, ByteView item) {
  return std::any_of(list.begin(), list.end(), [&](const Bytes& b) {
    return std::equal(b.begin(), b.end(), item.begin(), item.end());
  });
}

const std::string* HypervisorField(const HypervisorFacts& hv, const std::string& component) {
  if (component == "libvirt") return &hv.libvirt;
  if (component == "qemu") return &hv.qemu;
  if (component == "kernel") return &hv.kernel;
  if (component == "machine") return &hv.machine;
  return nullptr;
}

Status CheckTime(const HostVcClaims& c, int64_t now, int64_t skew) {
  if (c.issued_at > now && c.issued_at - now > skew) {
    return Error(Code::kStaleNonce,
                 StrCat("host VC issued in the future: iat is ", c.issued_at - now,
                        " s ahead of this validator's clock (allowed skew ", skew, " s)"));
  }
  if (c.expires_at <= now) {
    return Error(Code::kStaleNonce,
                 StrCat("host VC expired ", now - c.expires_at, " s ago (exp ", c.expires_at, ")"));
  }
  return Ok();
}

// `validator_did`: this validator, which appraises only an AK it certified
// itself (one validator's word, or a rogue one's, makes no AK trusted).
Status CheckHost(HostDirectory& directory, const HostVcClaims& c, const HostRecord& host,
                 const std::string& validator_did) {
  if (host.revoked || directory.IsRevoked(c.issuer)) {
    return Error(Code::kRevoked,
                 StrCat("host '", c.issuer, "' is revoked", host.revoked_reason.empty() ? "" : ": ",
                        host.revoked_reason));
  }
  if (directory.IsRevoked(StrCat("cti:", HexEncode(c.cti)))) {
    return Error(Code::kRevoked, StrCat("host VC cti ", HexEncode(c.cti), " is revoked"));
  }
  // A relaunch of a revoked launch (destroy + start) gets a fresh cti, so the
  // launch itself is what a quarantine refuses; a re-attestation is refused
  // by its launch's revocation.
  if (c.type == "launch") {
    if (std::optional<std::string> quarantine = directory.QuarantineOf(c.issuer, c.domain_uuid)) {
      return Error(Code::kRevoked, *quarantine);
    }
  }
  if (!host.certified) {
    return Error(Code::kUncertifiedAk,
                 StrCat("host '", c.issuer,
                        "': its TPM AK is not certified by enough validators (certify_quorum); run "
                        "'vouch host enroll'"));
  }
  if (host.certified_by.count(validator_did) == 0) {
    return Error(Code::kUncertifiedAk,
                 StrCat("host '", c.issuer,
                        "': its TPM AK was not certified by this validator (run 'vouch host "
                        "enroll')"));
  }
  return Ok();
}

Status CheckPolicyBinding(const SignedPolicy& signed_policy, const HostVcClaims& c,
                          const ValidatorKeys& keys, uint64_t index) {
  const OwnerPolicy& p = signed_policy.policy();
  if (index >= p.validators.size()) {
    return Error(Code::kNotInPolicy, StrCat("index ", index, " is outside the policy's ",
                                            p.validators.size(), " validators"));
  }
  const PolicyValidator& v = p.validators[index];
  if (v.did != keys.did()) {
    std::optional<size_t> ours = signed_policy.IndexOf(keys.did());
    return Error(Code::kNotInPolicy,
                 ours ? StrCat("policy validator ", index, " is '", v.did,
                               "', not this validator (which is validator ", *ours, ")")
                      : StrCat("this validator ('", keys.did(), "') is not in the policy"));
  }
  if (v.hpke_public_key != keys.hpke_key().public_key()) {
    return Error(Code::kNotInPolicy,
                 StrCat("policy validator ", index, " lists HPKE key ", Short(v.hpke_public_key),
                        ", not this validator's ", Short(keys.hpke_key().public_key())));
  }
  if (static_cast<uint64_t>(c.expires_at - c.issued_at) > p.vc_ttl) {
    return Error(Code::kStaleNonce, StrCat("host VC lifetime ", c.expires_at - c.issued_at,
                                           " s exceeds the policy's vc_ttl of ", p.vc_ttl, " s"));
  }
  PolicyDigest digest = signed_policy.digest();
  if (!std::equal(c.policy_digest.begin(), c.policy_digest.end(), digest.value.begin(),
                  digest.value.end())) {
    return Error(Code::kNotInPolicy,
                 StrCat("host VC names policy ", Short(c.policy_digest),
                        ", the request carries policy ", Short(digest.bytes())));
  }
  if (c.domain_uuid != p.domain_uuid) {
    return Error(Code::kNotInPolicy, StrCat("host VC is for domain ", c.domain_uuid,
                                            ", the policy for domain ", p.domain_uuid));
  }
  return Ok();
}

Status CheckQuote(const HostVcClaims& c, const HostRecord& host, const OwnerPolicy& p,
                  DigestCache<AkPublic>& aks) {
  if (!c.tpm.present) {
    return Error(Code::kBadQuote, "host VC carries no TPM quote (vouch.tpm present is false)");
  }
  auto ak = aks.Get(host.ak_public, AkPublic::Parse);
  if (!ak.ok()) return ak.error().WithContext(StrCat("registered AK of host '", c.issuer, "'"));
  Bytes extra = HostQuoteExtraData(c.nonces, c.ephemeral_public_key, c.config_digest);
  auto verified = VerifyQuote(**ak, TpmQuote{c.tpm.quote, c.tpm.signature, c.tpm.pcrs}, extra);
  if (!verified.ok()) return verified.error();
  for (uint32_t pcr : p.pcrs) {
    if (c.tpm.pcrs.count(pcr) == 0) {
      return Error(Code::kPcrMismatch,
                   StrCat("PCR ", pcr, " is required by the policy but not in the quote"));
    }
  }
  return Ok();
}

// The policy's platform classes (DESIGN §4 step 9): the replayed log must
// meet one of them, as the ledger holds them now.
Status CheckPlatforms(const PreparedBootLog* log, const HostVcClaims& c, const OwnerPolicy& p,
                      HostDirectory& directory) {
  if (p.platforms.empty()) return Ok();
  std::string names;
  for (const std::string& name : p.platforms) names += StrCat(names.empty() ? "" : ", ", name);
  if (!log) {
    return Error(Code::kPcrMismatch,
                 StrCat("the policy appraises the boot by platform class ", names,
                        ", but the host VC carries no event log (hook.conf event_log)"));
  }
  std::vector<uint32_t> quoted;
  for (const auto& [pcr, value] : c.tpm.pcrs) quoted.push_back(pcr);
  std::string refusals;
  for (const std::string& name : p.platforms) {
    BootAppraisal judged = AppraiseBootLog(*log, directory.PlatformClassOf(name), quoted);
    if (judged.accepted()) return Ok();
    refusals += StrCat(refusals.empty() ? "" : "; ", judged.refusals.front(),
                       judged.refusals.size() > 1 ? StrCat(" (and ", judged.refusals.size() - 1, " more)") : "");
  }
  return Error(Code::kPcrMismatch, StrCat("boot refused: ", refusals));
}

Status CheckReferences(const HostVcClaims& c, const OwnerPolicy& p) {
  Bytes boot = BootHash(c.tpm.pcrs);
  if (c.boot_hash != boot) {
    return Error(Code::kPcrMismatch, StrCat("boot hash ", Short(c.boot_hash),
                                            " does not match the quoted PCRs (", Short(boot), ")"));
  }
  for (const auto& [pcr, accepted] : p.reference_pcrs) {
    auto it = c.tpm.pcrs.find(pcr);
    if (it == c.tpm.pcrs.end()) {
      return Error(
          Code::kPcrMismatch,
          StrCat("PCR ", pcr, " has reference values in the policy but is not in the quote"));
    }
    if (!Contains(accepted, it->second)) {
      return Error(Code::kPcrMismatch,
                   StrCat("PCR ", pcr, " differs from reference (quoted ", Short(it->second), ")"));
    }
  }
  // After the per-PCR references, so a drift is reported by its PCR number
  // whenever the policy pins that PCR.
  if (!p.reference_boot.empty() && !Contains(p.reference_boot, c.boot_hash)) {
    return Error(Code::kPcrMismatch,
                 StrCat("boot hash ", Short(c.boot_hash), " is not one of the policy's ",
                        p.reference_boot.size(), " reference boot hashes"));
  }
  return Ok();
}

Status CheckHypervisor(const HostVcClaims& c, const OwnerPolicy& p) {
  for (const auto& [component, minimum] : p.hv_min) {
    const std::string* actual = HypervisorField(c.hypervisor, component);
    if (actual == nullptr) {
      return Error(Code::kHvVersion,
                   StrCat("policy hv_min names unknown component '", component, "'"));
    }
    if (actual->empty()) {
      return Error(Code::kHvVersion, StrCat("host VC does not state its ", component,
                                            " version (policy minimum ", minimum, ")"));
    }
    if (CompareVersions(*actual, minimum) < 0) {
      return Error(Code::kHvVersion, StrCat(component, " ", *actual,
                                            " is older than the policy's minimum ", minimum));
    }
  }
  return Ok();
}

// The domain the host is starting (DESIGN §4 step 11): the canonical config
// it claims must be the one the quote binds, and the owner's launch policy
// must allow it.
Status CheckRuntime(const HostVcClaims& c, const OwnerPolicy& p) {
  auto config = qemu::DomainConfigFromCanonical(c.domain_config);
  if (!config.ok()) return Error(Code::kMalformed, StrCat("host VC claim 'vouch.dom': ", config.error().message()));
  Sha256Digest digest = Sha256(c.domain_config);
  if (!std::equal(digest.begin(), digest.end(), c.config_digest.begin(), c.config_digest.end())) {
    return Error(Code::kConfig, StrCat("the domain config the host describes (SHA-256 ", Short(digest),
                                       ") is not the one its quote binds (vouch.cfg ",
                                       Short(c.config_digest), ")"));
  }
  return qemu::CheckLaunchPolicy(p.rt, *config);
}

// The lease a launch endorsed at `now` under `p` (p.grace set) gets: the
// first re-attestation is due within reattest_s × grace, plus the guest's
// boot time when the policy expects guest evidence.
Lease LaunchLease(const HostVcClaims& c, const SignedPolicy& signed_policy, int64_t now) {
  const OwnerPolicy& p = signed_policy.policy();
  Lease lease;
  lease.launch = StrCat("cti:", HexEncode(c.cti));
  lease.host = c.issuer;
  lease.domain = c.domain_uuid;
  lease.owner = signed_policy.owner_did();
  const LeaseTerms terms = *LeaseTermsOf(p);
  lease.interval_s = terms.interval_s;
  lease.grace = terms.grace;
  lease.deadline = lease.DeadlineAfter(now + terms.boot_s);
  return lease;
}

// A granted lease, ended again unless kept (the launch was not endorsed).
class LeaseGrant {
 public:
  static Result<LeaseGrant> Grant(LeaseStore& store, const Lease& lease) {
    VOUCH_RETURN_IF_ERROR(store.Grant(lease));
    return LeaseGrant(store, lease.launch);
  }
  LeaseGrant(LeaseGrant&& other) noexcept
      : store_(other.store_), launch_(std::move(other.launch_)), kept_(std::exchange(other.kept_, true)) {}
  LeaseGrant& operator=(LeaseGrant&&) = delete;
  ~LeaseGrant() {
    if (!kept_) (void)store_.End(launch_);
  }
  void Keep() { kept_ = true; }

 private:
  LeaseGrant(LeaseStore& store, std::string launch) : store_(store), launch_(std::move(launch)) {}
  LeaseStore& store_;
  std::string launch_;
  bool kept_ = false;
};

// Renews the lease of launch `l` after an endorsed re-attestation `c` at
// `now`, granting it if this validator holds none (it did not endorse the
// launch, or lost its state). The endorsement stands either way: a lease
// not kept only means this validator reports no missed deadline for it.
void RenewLease(LeaseStore& store, const HostVcClaims& l, const HostVcClaims& c, const SignedPolicy& p,
                int64_t now) {
  Lease lease = LaunchLease(l, p, now);
  lease.host = c.issuer;
  lease.deadline = lease.DeadlineAfter(now);
  Status renewed = store.Renew(lease.launch, now);
  if (!renewed.ok() && renewed.error().code() == Code::kNotFound) (void)store.Grant(lease);
}

}  // namespace

Appraiser::Appraiser(const ValidatorKeys& keys, HostDirectory& directory,
                     ChallengeIssuer& challenges, ReplayCache& replay,
                     AppraisalOptions options)
    : keys_(keys),
      directory_(directory),
      challenges_(challenges),
      replay_(replay),
      options_(options) {}

Result<Appraiser::Checked> Appraiser::CheckVcAndPolicy(ByteView vc_bytes, ByteView policy_bytes,
                                                        uint64_t index, std::string_view type,
                                                        int64_t now, AppraisalTrace* trace) const {
  if (options_.fault == Fault::kRefuseAll) {
    return Error(Code::kUnavailable,
                 "this validator refuses every attestation (fault injection --fault=refuse-all)");
  }
  // 1. The VC and its signature; the host's DID key is imported once.
  auto cached_did = [this](std::string_view did) -> Result<DidKey> {
    auto key = host_keys_.Get(AsBytes(did), [](ByteView b) { return DidKey::Parse(ToString(b)); });
    if (!key.ok()) return key.error();
    return **key;
  };
  VOUCH_ASSIGN_OR_RETURN(HostVc vc, HostVc::Parse(vc_bytes, cached_did));
  const HostVcClaims& c = vc.claims();
  if (trace != nullptr) {
    trace->host_did = c.issuer;
    trace->domain_uuid = c.domain_uuid;
    trace->cti_hex = HexEncode(c.cti);
  }
  if (c.type != type) {
    return Error(Code::kMalformed, StrCat("host VC: /v1/", type == "launch" ? "attest" : type,
                                          " takes a ", type, " VC, got vouch.type \"", c.type,
                                          "\""));
  }
  // 2. Time.
  VOUCH_RETURN_IF_ERROR(CheckTime(c, now, options_.max_clock_skew_s));
  // 3. The host.
  VOUCH_ASSIGN_OR_RETURN(HostRecord host, directory_.Lookup(c.issuer));
  VOUCH_RETURN_IF_ERROR(CheckHost(directory_, c, host, keys_.did()));
  // 4. Our challenge.
  VOUCH_RETURN_IF_ERROR(challenges_.CheckAny(c.nonces, c.issuer, now));
  // 5. Replay, then the challenge's single use (after the cti, so a VC sent
  // twice is refused as a replay). The reservations are released on every
  // return below but the last.
  VOUCH_ASSIGN_OR_RETURN(ReplayCache::Reservation reservation,
                         replay_.Reserve(c.cti, c.issuer, c.expires_at, now));
  VOUCH_ASSIGN_OR_RETURN(ReplayCache::Reservation challenge,
                         challenges_.Redeem(c.nonces, c.issuer, now));
  // 6. The owner policy and this validator's place in it.
  VOUCH_ASSIGN_OR_RETURN(std::shared_ptr<const SignedPolicy> verified_policy,
                         policies_.Get(policy_bytes, SignedPolicy::Parse));
  const OwnerPolicy& p = verified_policy->policy();
  VOUCH_RETURN_IF_ERROR(CheckPolicyBinding(*verified_policy, c, keys_, index));
  // 7. Host allowed.
  if (p.hosts && !Contains(*p.hosts, c.issuer)) {
    return Error(Code::kHostNotAllowed, StrCat("host '", c.issuer, "' is not among the policy's ",
                                               p.hosts->size(), " allowed hosts"));
  }
  return Checked{std::move(vc), std::move(verified_policy), std::move(host),
                 std::move(reservation), std::move(challenge)};
}

// After CheckQuote, so the PCR values the log must replay to are the TPM's.
// `sent` is the log the request carries beside the VC; the VC's
// "vouch.evlog" claim holds its SHA-256.
Result<std::shared_ptr<const Appraiser::ReadLog>> Appraiser::CheckEventLog(const HostVcClaims& c,
                                                                          ByteView sent) const {
  if (c.event_log_digest.empty()) {
    if (!sent.empty()) {
      return Error(Code::kMalformed, "the request carries an event log, but the host VC has no 'vouch.evlog' digest");
    }
    return std::shared_ptr<const ReadLog>();
  }
  if (sent.empty()) {
    return Error(Code::kMalformed, "the host VC names an event log ('vouch.evlog'), but the request carries none");
  }
  if (sent.size() > kMaxVcEventLogSize) {
    return Error(Code::kMalformed, StrCat("the event log sent is ", sent.size(), " bytes, more than ",
                                          kMaxVcEventLogSize));
  }
  Sha256Digest digest = Sha256(sent);
  if (ToBytes(digest) != c.event_log_digest) {
    return Error(Code::kMalformed, StrCat("the event log sent has SHA-256 ", Short(ToBytes(digest)),
                                          ", not the host VC's 'vouch.evlog' ", Short(c.event_log_digest)));
  }
  VOUCH_ASSIGN_OR_RETURN(std::shared_ptr<const ReadLog> log,
                         event_logs_.Get(sent, digest, [](ByteView bytes) -> Result<ReadLog> {
                           auto parsed = ParseEventLog(bytes);
                           if (!parsed.ok()) {
                             return Error(Code::kMalformed, StrCat("the event log sent is not a firmware event log: ",
                                                                   parsed.error().message()));
                           }
                           VOUCH_ASSIGN_OR_RETURN(PcrBanks replayed, ReplayEventLog(*parsed, kEventLogSha256));
                           return ReadLog{std::move(replayed), PrepareBootLog(*parsed)};
                         }));
  auto mismatch = FirstReplayMismatch(log->replayed, "sha256", c.tpm.pcrs);
  if (!mismatch.ok()) {
    return Error(Code::kMalformed,
                 "the event log sent has no SHA-256 digests; the quote is over the "
                 "SHA-256 bank (send a crypto-agile log)");
  }
  if (*mismatch) {
    const ReplayMismatch& m = **mismatch;
    return Error(Code::kPcrMismatch,
                 StrCat("event log does not match the quote: PCR ", m.pcr, " replays to ",
                        Short(m.replayed), ", quoted ", Short(m.tpm)));
  }
  return log;
}

Status Appraiser::CheckEvidence(const HostVcClaims& c, ByteView event_log, const HostRecord& host,
                                const OwnerPolicy& p) const {
  VOUCH_RETURN_IF_ERROR(CheckQuote(c, host, p, aks_));
  VOUCH_ASSIGN_OR_RETURN(std::shared_ptr<const ReadLog> log, CheckEventLog(c, event_log));
  VOUCH_RETURN_IF_ERROR(CheckPlatforms(log ? &log->prepared : nullptr, c, p, directory_));
  VOUCH_RETURN_IF_ERROR(CheckReferences(c, p));
  VOUCH_RETURN_IF_ERROR(CheckHypervisor(c, p));
  return CheckRuntime(c, p);
}

Result<Approval> Appraiser::Appraise(const AttestRequest& request, int64_t now,
                                     AppraisalTrace* trace) const {
  // 1–7.
  VOUCH_ASSIGN_OR_RETURN(Checked checked, CheckVcAndPolicy(request.vc, request.policy,
                                                           request.index, "launch", now, trace));
  const HostVc& vc = checked.vc;
  const HostVcClaims& c = vc.claims();
  const SignedPolicy& signed_policy = *checked.policy;
  const OwnerPolicy& p = signed_policy.policy();
  // 8–12. Evidence against the policy.
  VOUCH_RETURN_IF_ERROR(CheckEvidence(c, request.event_log, checked.host, p));

  // 13. Only now touch the share.
  PolicyDigest digest = signed_policy.digest();
  auto opened = OpenShareAsValidator(keys_.hpke_key(), p.domain_uuid, digest, request.share);
  if (!opened.ok()) {
    if (opened.error().code() == Code::kMalformed) return opened.error();
    return Error(Code::kNotInPolicy,
                 "sealed share does not open with this validator's key for this domain and policy");
  }
  SecretBytes share = std::move(opened).value();
  auto x = ShamirShareX(share);
  if (!x.ok() || *x != request.index + 1 || ShareCommitment(share) != p.commit[request.index]) {
    return Error(Code::kNotInPolicy, StrCat("sealed share does not match the policy's commitment "
                                            "for validator ",
                                            request.index));
  }
  if (options_.fault == Fault::kWrongShare) share.ExposeMutable()[0] ^= 0x01;

  // 14. The lease, then release and countersign. A lease granted for a
  // launch that is not endorsed after all is dropped again.
  std::optional<LeaseGrant> lease;
  if (options_.leases != nullptr && p.grace.has_value()) {
    auto granted = LeaseGrant::Grant(*options_.leases, LaunchLease(c, signed_policy, now));
    if (!granted.ok()) return granted.error().WithContext("lease");
    lease.emplace(std::move(granted).value());
  }
  auto sealed = SealShareForHost(c.ephemeral_public_key, c.cti, vc.Digest(), share);
  if (!sealed.ok()) {
    if (sealed.error().code() == Code::kInvalidArgument) {
      return Error(Code::kMalformed, "host VC: cnf key is not a usable X25519 public key");
    }
    return sealed.error();
  }
  Verdict verdict{true, now, directory_.LedgerHead(),
                  Bytes(digest.value.begin(), digest.value.end())};
  VOUCH_ASSIGN_OR_RETURN(Endorsement endorsement, Endorse(vc, keys_.signing_key(), keys_.did(), verdict));
  // The W3C form: this validator's own proof over the JSON it derives (DESIGN §3).
  VOUCH_RETURN_IF_ERROR(w3c::CarryEndorsementProof(vc, keys_.signing_key(), endorsement));
  VOUCH_RETURN_IF_ERROR(w3c::CarryEndorsementCose(vc, keys_.signing_key(), endorsement));
  Bytes encoded = endorsement.countersignature.Encode();
  if (options_.fault == Fault::kBadCountersignature) encoded.back() ^= 0x01;

  checked.Commit();
  if (lease.has_value()) lease->Keep();
  return Approval{c.issuer,
                  c.domain_uuid,
                  c.cti,
                  digest,
                  std::move(verdict),
                  std::move(encoded),
                  std::move(sealed).value()};
}

Result<Reendorsement> Appraiser::Reappraise(const ReattestRequest& request, int64_t now,
                                            AppraisalTrace* trace) const {
  Result<Reendorsement> judged = JudgeReattest(request, now, trace);
  if (judged.ok() || trace == nullptr || !IsEvidenceRefusal(judged.error().code())) return judged;
  // Refused on the evidence of a VC whose signature verified: say so signed,
  // so that the host may enforce a quorum of such verdicts.
  auto vc = HostVc::Parse(request.vc);
  auto policy = SignedPolicy::Parse(request.policy);
  if (vc.ok() && policy.ok()) {
    auto verdict = SignDriftVerdict(*vc, keys_.signing_key(), keys_.did(), now, directory_.LedgerHead(),
                                    policy->digest());
    if (verdict.ok()) trace->drift_verdict = std::move(verdict).value();
  }
  return judged;
}

Result<Reendorsement> Appraiser::JudgeReattest(const ReattestRequest& request, int64_t now,
                                               AppraisalTrace* trace) const {
  if (options_.fault == Fault::kDriftAll) {
    return Error(Code::kDrift, "every re-attestation is drift to this validator (fault injection --fault=drift-all)");
  }
  // 1–7, as for a launch.
  VOUCH_ASSIGN_OR_RETURN(Checked checked, CheckVcAndPolicy(request.vc, request.policy,
                                                           request.index, "reattest", now, trace));
  const HostVcClaims& c = checked.vc.claims();
  const SignedPolicy& signed_policy = *checked.policy;
  const OwnerPolicy& p = signed_policy.policy();
  const PolicyDigest digest = signed_policy.digest();

  // 8. The baseline: the domain's launch VC, endorsed by t of the policy's
  // validators. Its signatures make it evidence no host can forge, so any
  // validator can check drift against it without having kept state.
  auto launch_or = launches_.Get(request.launch, [](ByteView b) { return HostVc::Parse(b); });
  if (!launch_or.ok()) return launch_or.error().WithContext("launch VC");
  const HostVc& launch = **launch_or;
  const HostVcClaims& l = launch.claims();
  if (l.type != "launch") {
    return Error(Code::kNotInPolicy,
                 StrCat("launch VC: expected vouch.type \"launch\", got \"", l.type, "\""));
  }
  if (l.issuer != c.issuer) {
    return Error(Code::kNotInPolicy, StrCat("launch VC was issued by '", l.issuer,
                                            "', not by this host '", c.issuer, "'"));
  }
  if (l.domain_uuid != c.domain_uuid ||
      !std::equal(l.policy_digest.begin(), l.policy_digest.end(), digest.value.begin(),
                  digest.value.end())) {
    return Error(Code::kNotInPolicy,
                 StrCat("launch VC is for domain ", l.domain_uuid, " under policy ",
                        Short(l.policy_digest), ", not for this domain and policy"));
  }
  if (directory_.IsRevoked(StrCat("cti:", HexEncode(l.cti)))) {
    return Error(Code::kRevoked, StrCat("the domain's launch VC (cti ", HexEncode(l.cti),
                                        ") is revoked"));
  }
  Bytes quorum_key(digest.value.begin(), digest.value.end());
  quorum_key.insert(quorum_key.end(), request.launch.begin(), request.launch.end());
  auto quorum = launch_quorums_.Get(quorum_key, [&](ByteView) { return RequireQuorum(launch, signed_policy, "launch VC"); });
  if (!quorum.ok()) return quorum.error();
  if (!c.launch_cti.empty() && c.launch_cti != l.cti) {
    return Error(Code::kNotInPolicy, StrCat("reattest VC names launch ", HexEncode(c.launch_cti),
                                            ", not the launch VC sent (", HexEncode(l.cti), ")"));
  }

  // 9–14. Fresh evidence against the policy, then against the baseline;
  // then the guest's.
  auto judge = [&]() -> Status {
    VOUCH_RETURN_IF_ERROR(CheckEvidence(c, request.event_log, checked.host, p));
    if (c.config_digest != l.config_digest) {
      return Error(Code::kDrift,
                   StrCat("domain config digest ", Short(c.config_digest),
                          " differs from the launch baseline ", Short(l.config_digest),
                          " (the live domain XML changed since start)"));
    }
    for (uint32_t pcr : p.pcrs) {
      if (p.reference_pcrs.count(pcr) != 0) continue;  // pinned: checked against the policy
      auto now_value = c.tpm.pcrs.find(pcr);
      auto then_value = l.tpm.pcrs.find(pcr);
      if (then_value == l.tpm.pcrs.end()) continue;  // not quoted at launch: no baseline
      if (now_value == c.tpm.pcrs.end() || now_value->second != then_value->second) {
        return Error(Code::kDrift,
                     StrCat("PCR ", pcr, " changed since launch (", Short(then_value->second),
                            " then, ",
                            now_value == c.tpm.pcrs.end() ? std::string("not quoted")
                                                          : Short(now_value->second),
                            " now)"));
      }
    }
    return AppraiseGuest(c, l, signed_policy, request.guest_baseline);
  };
  if (Status judged = judge(); !judged.ok()) {
    const Code code = judged.error().code();
    const bool reportable = code == Code::kDrift || code == Code::kPcrMismatch ||
                            code == Code::kConfig || code == Code::kHvVersion;
    if (options_.reporter == nullptr || !reportable) return judged.error();
    VcDigest evidence = checked.vc.Digest();
    LaunchReport report{StrCat("cti:", HexEncode(l.cti)), l.issuer, l.domain_uuid, judged.error().message(),
                        Bytes(evidence.bytes().begin(), evidence.bytes().end()), signed_policy.owner_did()};
    Status reported = options_.reporter->Report(report, keys_.signing_key(), now);
    if (!reported.ok()) return judged.error();
    return Error(code, StrCat(judged.error().message(), " (reported to the ledger)"));
  }

  // 15. Countersign.
  Verdict verdict{true, now, directory_.LedgerHead(),
                  Bytes(digest.value.begin(), digest.value.end())};
  VOUCH_ASSIGN_OR_RETURN(Endorsement endorsement,
                         Endorse(checked.vc, keys_.signing_key(), keys_.did(), verdict));
  VOUCH_RETURN_IF_ERROR(w3c::CarryEndorsementProof(checked.vc, keys_.signing_key(), endorsement));
  VOUCH_RETURN_IF_ERROR(w3c::CarryEndorsementCose(checked.vc, keys_.signing_key(), endorsement));
  Bytes encoded = endorsement.countersignature.Encode();
  if (options_.fault == Fault::kBadCountersignature) encoded.back() ^= 0x01;
  checked.Commit();
  if (options_.leases != nullptr && p.grace.has_value()) RenewLease(*options_.leases, l, c, signed_policy, now);
  return Reendorsement{c.issuer, c.domain_uuid, c.cti, digest, std::move(verdict),
                       std::move(encoded)};
}

}  // namespace vouch::validator
