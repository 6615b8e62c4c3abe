// Test fixture: everything around one validator that a launch attestation
// touches — an owner and its signed policy over three validators, the image
// key split into shares, a host with a software AK (measure's SoftwareAk: its
// quotes verify exactly like a TPM's), a static host directory, and a
// builder for POST /v1/attest and /v1/reattest requests that tests bend one
// field at a time.
// Header-only; tests link vouch::validator and vouch::measure_testing.
#ifndef VOUCH_VALIDATOR_TESTING_ATTEST_WORLD_H_
#define VOUCH_VALIDATOR_TESTING_ATTEST_WORLD_H_

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "measure/testing/software_quote.h"
#include "vouch/core/quote_binding.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "vouch/validator/appraisal.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/validator/static_host_directory.h"

namespace vouch::validator::testing {

inline constexpr char kDomain[] = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
inline constexpr int64_t kNow = 1764000000;

// The value of `r`; aborts naming `what` if it failed (a broken fixture).
template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "attest_world: %s: %s\n", what, r.error().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

// Knobs for one request; each empty knob keeps the valid default.
struct Scenario {
  std::function<void(OwnerPolicy&)> policy;         // before the owner signs
  std::function<void(qemu::DomainConfig&)> domain;  // the domain the VC describes
  std::function<void(HostVcClaims&)> claims;        // before the quote is made
  std::function<Bytes(const HostVcClaims&)> extra;  // the quote's extraData
  std::function<void(HostVcClaims&)> after_quote;   // after quoting, before signing
  // After signing, with the host's key (e.g. the host's W3C proof, DESIGN §3).
  std::function<void(HostVc&, const Ed25519PrivateKey&)> after_issue;
  std::function<Bytes(const SignedPolicy&)> share;  // the sealed share sent
  std::function<Bytes(Bytes)> vc_bytes;             // the encoded VC sent
  std::function<Bytes(Bytes)> policy_bytes;         // the encoded policy sent
  std::optional<Bytes> our_nonce;                   // instead of a fresh challenge
  std::vector<Bytes> other_nonces = {RandomBytes(32), RandomBytes(32)};
  const ::vouch::testing::SoftwareAk* quote_signer = nullptr;  // default: the registered AK
  // A quote from elsewhere (a real TPM) over `extra`; its PCR values become
  // the claimed ones. Register that TPM's AK in directory() yourself.
  std::function<TpmQuote(ByteView extra)> quote;
  std::optional<uint64_t> index;  // default: ours
  // The firmware event log: its SHA-256 becomes the VC's "vouch.evlog" claim
  // (before `claims`) and the log is sent beside the VC, unless
  // `event_log_sent` says what is sent instead.
  Bytes event_log;
  std::optional<Bytes> event_log_sent;
};

struct Built {
  AttestRequest request;
  X25519PrivateKey ephemeral;  // E: opens the released share
  HostVcClaims claims;
  PolicyDigest policy_digest;
  Bytes vc;  // as sent
};

class AttestWorld {
 public:
  static constexpr size_t kOurs = 1;  // this validator's index in the policy

  // `ours`: this validator's keys (e.g. loaded from a vouchd state dir);
  // fresh ones if absent.
  explicit AttestWorld(std::optional<ValidatorKeys> ours = std::nullopt)
      : owner_(Ed25519PrivateKey::Generate()),
        host_key_(Ed25519PrivateKey::Generate()),
        host_did_(DidKey::FromPublicKey(host_key_.public_key()).did()),
        image_key_(RandomSecret(32)) {
    for (size_t i = 0; i < 3; ++i) {
      validators_.push_back(i == kOurs && ours ? std::move(*ours) : ValidatorKeys::Generate());
    }
    shares_ = Must(ShamirSplit(image_key_, 2, 3), "split");
    pcr_values_ = ::vouch::testing::ExamplePcrValues({0, 7});
    // Certified: at the quorum, by each of the three validators itself.
    std::set<std::string> certifiers;
    for (const ValidatorKeys& v : validators_) certifiers.insert(v.did());
    directory_.Put(HostRecord{host_did_, ak_.PublicArea(), true, std::move(certifiers), false, ""});
    appraiser_ =
        std::make_unique<Appraiser>(validators_[kOurs], directory_, challenges_, replay_, options_);
  }

  // Rebuilds the appraiser with other options (fault, skew).
  void SetOptions(AppraisalOptions options) {
    options_ = options;
    appraiser_ =
        std::make_unique<Appraiser>(validators_[kOurs], directory_, challenges_, replay_, options_);
  }

  // The valid policy every scenario starts from.
  OwnerPolicy BasePolicy() const {
    OwnerPolicy p;
    p.domain_uuid = kDomain;
    p.threshold = 2;
    for (size_t i = 0; i < validators_.size(); ++i) {
      p.validators.push_back({validators_[i].did(), validators_[i].hpke_key().public_key(),
                              StrCat("http://127.0.0.1:", 7401 + i)});
      p.commit.push_back(ShareCommitment(shares_[i]));
    }
    p.pcrs = {0, 7};
    p.reference_pcrs[7] = {pcr_values_.at(7)};
    p.hv_min = {{"libvirt", "9.0"}, {"qemu", "7.0"}};
    p.rt.memory_kib_max = 1048576;
    p.rt.vcpus_max = 2;
    p.rt.nets_allowed = {"default"};
    p.rt.devices_allowed = std::vector<std::string>{"virtio-rng", "virtio-serial"};
    p.vc_ttl = 120;
    p.kcv = KeyCheckValue(image_key_);
    return p;
  }

  // The domain every scenario starts from, within BasePolicy's rt.
  static qemu::DomainConfig BaseDomain() {
    qemu::DomainConfig d;
    d.type = "kvm";
    d.memory_kib = 524288;
    d.vcpus = 1;
    d.os.type = "hvm";
    d.os.kernel = "/var/lib/vouch/images/vmlinuz";
    d.os.cmdline = "console=ttyS0";
    d.emulator = "/usr/bin/qemu-system-x86_64";
    qemu::DomainDisk disk;
    disk.type = "file";
    disk.device = "disk";
    disk.target_dev = "vda";
    disk.source = "/var/lib/vouch/images/web1.luks";
    disk.encryption_format = "luks";
    disk.encryption_secret_uuid = "9e6a4b28-7c3f-4d52-8a1e-0f6b2d9c4e71";
    d.disks.push_back(disk);
    qemu::DomainInterface nic;
    nic.type = "network";
    nic.source = "default";
    d.interfaces.push_back(nic);
    d.devices = {"virtio-rng"};
    return d;
  }

  // A request made at `now` under `s`.
  Built Build(const Scenario& s = {}, int64_t now = kNow) {
    OwnerPolicy p = BasePolicy();
    if (s.policy) s.policy(p);
    SignedPolicy policy = Must(SignedPolicy::Sign(p, owner_), "sign policy");

    Bytes ours = s.our_nonce ? *s.our_nonce : challenges_.Issue(host_did_, now);
    X25519PrivateKey e = X25519PrivateKey::Generate();
    HostVcClaims c;
    c.issuer = host_did_;
    c.domain_uuid = kDomain;
    c.issued_at = now;
    c.expires_at = now + 60;
    c.cti = RandomBytes(kCtiSize);
    // eat_nonce in policy order: ours at our index among the others'.
    c.nonces = s.other_nonces;
    c.nonces.insert(c.nonces.begin() + std::min(kOurs, c.nonces.size()), ours);
    c.ephemeral_public_key = e.public_key();
    c.hypervisor = {"9.0.0", "7.2.0", "6.1.0-56-amd64", "pc-q35-7.2"};
    c.tpm.present = true;
    c.tpm.manufacturer = "IBM";
    c.tpm.firmware = "1.38";
    c.tpm.pcrs = pcr_values_;
    qemu::DomainConfig domain = BaseDomain();
    if (s.domain) s.domain(domain);
    c.domain_config = qemu::CanonicalConfigBytes(domain);
    c.config_digest = ToBytes(Sha256(c.domain_config));
    c.policy_digest = ToBytes(policy.digest().value);
    if (!s.event_log.empty()) c.event_log_digest = ToBytes(Sha256(s.event_log));
    if (s.claims) s.claims(c);

    Bytes extra = s.extra
                      ? s.extra(c)
                      : HostQuoteExtraData(c.nonces, c.ephemeral_public_key, c.config_digest);
    const ::vouch::testing::SoftwareAk& signer = s.quote_signer ? *s.quote_signer : ak_;
    TpmQuote quote = s.quote ? s.quote(extra) : signer.Quote(c.tpm.pcrs, extra);
    c.tpm.pcrs = quote.pcr_values;
    c.tpm.quote = quote.attest;
    c.tpm.signature = quote.signature;
    c.boot_hash = BootHash(c.tpm.pcrs);
    if (s.after_quote) s.after_quote(c);

    HostVc vc = Must(HostVc::Issue(c, host_key_), "issue VC");
    if (s.after_issue) s.after_issue(vc, host_key_);
    uint64_t index = s.index ? *s.index : kOurs;
    Bytes share = s.share ? s.share(policy)
                          : Must(SealShareForValidator(validators_[kOurs].hpke_key().public_key(),
                                                       kDomain, policy.digest(), shares_[kOurs]),
                                 "seal share");
    Bytes vc_bytes = vc.message().Encode();
    if (s.vc_bytes) vc_bytes = s.vc_bytes(vc_bytes);
    Bytes policy_bytes = policy.encoded();
    if (s.policy_bytes) policy_bytes = s.policy_bytes(policy_bytes);
    Bytes event_log = s.event_log_sent ? *s.event_log_sent : s.event_log;
    return Built{AttestRequest{vc_bytes, policy_bytes, share, index, event_log}, std::move(e), c,
                 policy.digest(), vc_bytes};
  }

  // `launch`'s VC endorsed by validators `endorsers` (ok verdicts over the
  // launch policy at `now`), as a host's audit store keeps it.
  Bytes EndorsedLaunch(const Built& launch, const std::vector<size_t>& endorsers,
                       int64_t now = kNow) const {
    return EndorsedVc(launch.vc, launch.policy_digest, endorsers, now);
  }
  // The same for any encoded VC under the policy with `digest`.
  Bytes EndorsedVc(ByteView vc_bytes, const PolicyDigest& digest,
                   const std::vector<size_t>& endorsers, int64_t now = kNow) const {
    HostVc vc = Must(HostVc::Parse(vc_bytes), "parse VC");
    Verdict verdict{true, now, Bytes(32, 0), Bytes(digest.value.begin(), digest.value.end())};
    for (size_t i : endorsers) {
      Endorsement e = Must(Endorse(vc, validators_[i].signing_key(), verdict), "endorse");
      if (!AttachEndorsement(vc, e).ok()) std::abort();
    }
    return vc.message().Encode();
  }

  // A POST /v1/reattest request at `now` for the domain launched as
  // `launch` (the base domain unless `s` changes it), carrying `baseline`
  // (see EndorsedLaunch): a "reattest" VC with a fresh quote, then `s`
  // bends it.
  ReattestRequest BuildReattest(const Built& launch, Bytes baseline, Scenario s = {},
                                int64_t now = kNow) {
    (void)launch;
    auto bend = s.claims;
    s.claims = [bend](HostVcClaims& c) {
      c.type = "reattest";
      if (bend) bend(c);
    };
    Built b = Build(s, now);
    return ReattestRequest{b.request.vc, b.request.policy, std::move(baseline), b.request.index, {},
                           b.request.event_log};
  }

  Result<Reendorsement> Reappraise(const ReattestRequest& r, int64_t now = kNow,
                                   AppraisalTrace* trace = nullptr) {
    return appraiser_->Reappraise(r, now, trace);
  }

  Result<Approval> Appraise(const Built& b, int64_t now = kNow, AppraisalTrace* trace = nullptr) {
    return appraiser_->Appraise(b.request, now, trace);
  }

  const std::string& host_did() const { return host_did_; }
  const Ed25519PrivateKey& host_key() const { return host_key_; }
  const ::vouch::testing::SoftwareAk& ak() const { return ak_; }
  const std::vector<ValidatorKeys>& validators() const { return validators_; }
  const ValidatorKeys& ours() const { return validators_[kOurs]; }
  const std::vector<SecretBytes>& shares() const { return shares_; }
  const SecretBytes& image_key() const { return image_key_; }
  const std::map<uint32_t, Bytes>& pcr_values() const { return pcr_values_; }
  StaticHostDirectory& directory() { return directory_; }
  ChallengeIssuer& challenges() { return challenges_; }
  ReplayCache& replay() { return replay_; }
  const Appraiser& appraiser() const { return *appraiser_; }
  const Ed25519PrivateKey& owner() const { return owner_; }

 private:
  Ed25519PrivateKey owner_;
  Ed25519PrivateKey host_key_;
  std::string host_did_;
  SecretBytes image_key_;
  std::vector<ValidatorKeys> validators_;
  std::vector<SecretBytes> shares_;
  std::map<uint32_t, Bytes> pcr_values_;
  ::vouch::testing::SoftwareAk ak_;
  StaticHostDirectory directory_;
  ChallengeIssuer challenges_;
  ReplayCache replay_;
  AppraisalOptions options_;
  std::unique_ptr<Appraiser> appraiser_;
};

}  // namespace vouch::validator::testing

#endif  // VOUCH_VALIDATOR_TESTING_ATTEST_WORLD_H_
