#include "vouch/validator/enrollment.h"

#include "vouch/core/random.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/credential.h"
#include "vouch/measure/ek_certificate.h"

namespace vouch::validator {
namespace {

// What the host must return: as long as the TPM's credential allows
// (TPM2B_DIGEST of the EK's name algorithm, SHA-256).
constexpr size_t kEnrollSecretSize = 32;

}  // namespace

Enroller::Enroller(CertificationLedger& ledger, const Ed25519PrivateKey& key,
                   std::string validator_did, std::function<int64_t()> clock,
                   EnrollerOptions options)
    : ledger_(ledger),
      key_(key),
      validator_did_(std::move(validator_did)),
      clock_(std::move(clock)),
      options_(options) {}

Enroller::~Enroller() = default;

void Enroller::DropExpiredLocked(int64_t now) {
  for (auto it = open_.begin(); it != open_.end();) {
    it = it->second.expires <= now ? open_.erase(it) : std::next(it);
  }
}

// Only the DID's own key opens or closes its enrollment, within ttl of the
// host's clock.
Status Enroller::CheckRequest(const EnrollmentRequest& request, int64_t now) const {
  VOUCH_RETURN_IF_ERROR(VerifyEnrollmentRequest(request, validator_did_));
  const int64_t skew = request.at > now ? request.at - now : now - request.at;
  if (skew > options_.ttl.count()) {
    return Error(Code::kStaleNonce, StrCat("enroll request of '", request.did, "' is dated ", skew,
                                           " s from this validator's clock (at most ", options_.ttl.count(),
                                           "): check the host's clock and begin again"));
  }
  return Ok();
}

// A replay of the open enrollment's own request gets its challenge again;
// an older request than the open one is refused. REQUIRES: mu_ held.
Result<std::optional<EnrollChallenge>> Enroller::ExistingLocked(const EnrollmentRequest& request) const {
  auto it = open_.find(request.did);
  if (it == open_.end() || it->second.at < request.at) return std::optional<EnrollChallenge>();
  if (it->second.at == request.at) return std::optional<EnrollChallenge>(it->second.challenge);
  return Error(Code::kStaleNonce, StrCat("an enrollment of '", request.did, "' begun later (at ",
                                         it->second.at, ") is open: this request (at ", request.at,
                                         ") is older"));
}

Result<EnrollChallenge> Enroller::Begin(const EnrollmentRequest& request) {
  const std::string& did = request.did;
  int64_t now = clock_();
  VOUCH_RETURN_IF_ERROR(CheckRequest(request, now));
  {
    std::lock_guard<std::mutex> lock(mu_);
    DropExpiredLocked(now);
    VOUCH_ASSIGN_OR_RETURN(std::optional<EnrollChallenge> existing, ExistingLocked(request));
    if (existing) return *existing;
  }
  VOUCH_ASSIGN_OR_RETURN(EnrollmentSubject subject, ledger_.Subject(did, validator_did_));
  if (subject.revoked) {
    return Error(Code::kRevoked, StrCat("host '", did, "' is revoked on the ledger"));
  }
  if (!subject.ek_cert.has_value()) {
    return Error(Code::kUncertifiedAk,
                 StrCat("host '", did,
                        "' registered no EK certificate, so its AK cannot be certified"));
  }
  auto ek = EkCertificate::Parse(*subject.ek_cert);
  if (!ek.ok()) {
    return Error(Code::kUncertifiedAk,
                 StrCat("host '", did, "': registered EK certificate: ", ek.error().message()));
  }
  if (subject.tpm_cas.empty()) {
    return Error(Code::kUncertifiedAk,
                 "the ledger's genesis trusts no TPM CA, so no EK certificate can be checked");
  }
  if (Status chain = ek->VerifyChain(subject.tpm_cas, now); !chain.ok()) {
    return Error(Code::kUncertifiedAk,
                 StrCat("host '", did, "': EK certificate is not from a trusted TPM CA: ",
                        chain.error().message()));
  }
  auto ak = AkPublic::Parse(subject.ak_public);
  if (!ak.ok()) return ak.error().WithContext(StrCat("host '", did, "': registered AK"));

  SecretBytes secret = RandomSecret(kEnrollSecretSize);
  VOUCH_ASSIGN_OR_RETURN(MadeCredential made, MakeCredential(*ek, ak->name(), secret.Expose()));

  std::lock_guard<std::mutex> lock(mu_);
  DropExpiredLocked(now);
  // Another request of the same host may have landed meanwhile.
  VOUCH_ASSIGN_OR_RETURN(std::optional<EnrollChallenge> existing, ExistingLocked(request));
  if (existing) return *existing;
  if (open_.size() >= options_.max_open && open_.find(did) == open_.end()) {
    return Error(Code::kUnavailable,
                 StrCat("too many enrollments in progress (", open_.size(), "); try again later"));
  }
  Open& slot = open_[did];
  slot.secret = std::move(secret);
  slot.ak_public = subject.ak_public;
  slot.expires = now + options_.ttl.count();
  slot.at = request.at;
  slot.challenge = EnrollChallenge{std::move(made.id_object), std::move(made.encrypted_secret)};
  return slot.challenge;
}

Status Enroller::Finish(const EnrollmentRequest& request) {
  const std::string& did = request.did;
  Open open;
  int64_t now = clock_();
  // A finish not signed by the host closes nothing.
  VOUCH_RETURN_IF_ERROR(VerifyEnrollmentRequest(request, validator_did_));
  {
    std::lock_guard<std::mutex> lock(mu_);
    DropExpiredLocked(now);
    auto it = open_.find(did);
    if (it == open_.end()) {
      return Error(Code::kStaleNonce,
                   StrCat("no enrollment of '", did, "' is open here (it expired after ",
                          options_.ttl.count(), " s, was used, or never began): begin again"));
    }
    if (it->second.at != request.at) {
      return Error(Code::kStaleNonce, StrCat("this finish of '", did, "' is for the enrollment begun at ",
                                             request.at, ", but the open one began at ", it->second.at));
    }
    open = std::move(it->second);
    open_.erase(it);
  }
  if (!ConstantTimeEqual(open.secret.Expose(), request.secret)) {
    return Error(Code::kBadSignature,
                 StrCat("host '", did,
                        "' returned the wrong credential secret: its AK and the registered EK "
                        "are not in one TPM"));
  }
  VOUCH_ASSIGN_OR_RETURN(EnrollmentSubject subject, ledger_.Subject(did, validator_did_));
  if (subject.ak_public != open.ak_public) {
    return Error(Code::kStaleNonce,
                 StrCat("host '", did, "' replaced its AK during enrollment: begin again"));
  }
  if (subject.certified_by_me) return Ok();
  return ledger_.Certify(did, open.ak_public, key_, now);
}

size_t Enroller::open_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

}  // namespace vouch::validator
