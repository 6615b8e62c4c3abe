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

Result<EnrollChallenge> Enroller::Begin(std::string_view did) {
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
  int64_t now = clock_();
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
  if (open_.size() >= options_.max_open && open_.find(did) == open_.end()) {
    return Error(Code::kUnavailable,
                 StrCat("too many enrollments in progress (", open_.size(), "); try again later"));
  }
  Open& slot = open_[std::string(did)];
  slot.secret = std::move(secret);
  slot.ak_public = subject.ak_public;
  slot.expires = now + options_.ttl.count();
  return EnrollChallenge{std::move(made.id_object), std::move(made.encrypted_secret)};
}

Status Enroller::Finish(std::string_view did, ByteView secret) {
  Open open;
  int64_t now = clock_();
  {
    std::lock_guard<std::mutex> lock(mu_);
    DropExpiredLocked(now);
    auto it = open_.find(did);
    if (it == open_.end()) {
      return Error(Code::kStaleNonce,
                   StrCat("no enrollment of '", did, "' is open here (it expired after ",
                          options_.ttl.count(), " s, was used, or never began): begin again"));
    }
    open = std::move(it->second);
    open_.erase(it);
  }
  if (!ConstantTimeEqual(open.secret.Expose(), secret)) {
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
