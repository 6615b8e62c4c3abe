// AK certification, the validator's side (DESIGN §2 Register, §4 /v1/enroll).
//
// A host registers its DID document (AK public area, EK certificate) on the
// ledger; anyone can register a software TPM, so the AK proves nothing until
// validators certify it. Begin checks the EK certificate against the
// genesis's trusted TPM CAs and makes a credential for the AK's name under
// that EK (TPM2_MakeCredential, in software). Only a TPM that holds both the
// EK and the AK can activate it; Finish compares the returned secret and
// appends the certifying did-update, signed by this validator.
//
// Both steps are requests the host signed with its DID key
// (vouch/core/enrollment_request.h): nobody else can open, replace or
// close a host's enrollment. The secret of an open enrollment lives in this
// process's memory only (one per host DID, for `ttl`, one signed Finish
// attempt) and is wiped when it is used or expires; a vouchd restart drops
// open enrollments (the host begins again).
#ifndef VOUCH_VALIDATOR_ENROLLMENT_H_
#define VOUCH_VALIDATOR_ENROLLMENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/enrollment_request.h"
#include "vouch/core/errors.h"
#include "vouch/core/secret_bytes.h"

namespace vouch::validator {

// What enrollment needs from the ledger about one host.
struct EnrollmentSubject {
  std::string did;
  Bytes ak_public;              // TPM2B_PUBLIC of the registered AK
  std::optional<Bytes> ek_cert;  // DER, as registered
  std::vector<Bytes> tpm_cas;    // the genesis's trusted TPM CAs (DER)
  bool revoked = false;
  bool certified_by_me = false;  // this validator already certified this AK
};

// The ledger side of enrollment, implemented by LedgerHostDirectory.
// Implementations are thread-safe.
class CertificationLedger {
 public:
  virtual ~CertificationLedger() = default;
  // Syncs, then the host's record as seen by validator `validator_did`.
  // kUnknownHost if `did` never registered; kUnavailable if the ledger
  // cannot be read or verified.
  virtual Result<EnrollmentSubject> Subject(std::string_view did,
                                            std::string_view validator_did) = 0;
  // Appends a did-update certifying `ak_public` of `did`, signed by `key`.
  // The ledger's refusal (e.g. the AK changed meanwhile) or kUnavailable.
  virtual Status Certify(std::string_view did, ByteView ak_public, const Ed25519PrivateKey& key,
                         int64_t at) = 0;
};

// The body of a 200 answer to POST /v1/enroll.
struct EnrollChallenge {
  Bytes credential;        // TPM2B_ID_OBJECT
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET
};

struct EnrollerOptions {
  std::chrono::seconds ttl{60};  // how long a made credential may be activated
  size_t max_open = 4096;        // open enrollments held at once
};

// Thread-safe.
class Enroller {
 public:
  // REQUIRES: `ledger` and `key` outlive the Enroller. `clock` gives seconds
  // since the epoch.
  Enroller(CertificationLedger& ledger, const Ed25519PrivateKey& key, std::string validator_did,
           std::function<int64_t()> clock, EnrollerOptions options = {});
  ~Enroller();

  // Makes the credential for the requesting DID's registered AK under its
  // registered EK. The request must be signed by the DID's key for this
  // validator (kBadSignature) and dated within ttl of this clock
  // (kStaleNonce). The same request again returns the open enrollment's
  // challenge (a replay changes nothing); a later one (greater `at`)
  // replaces it; an older one is kStaleNonce. Then: kUnknownHost (not
  // registered), kRevoked, kUncertifiedAk (no EK certificate, one that does
  // not parse, or one that does not chain to a trusted TPM CA — the reason
  // says which), kMalformed (the registered AK public area is unusable),
  // kUnavailable (ledger; or too many open enrollments).
  Result<EnrollChallenge> Begin(const EnrollmentRequest& request);

  // Checks the request's secret (what TPM2_ActivateCredential returned)
  // against the open enrollment of its DID begun at its `at`, and appends
  // the certification. kBadSignature, closing nothing, unless the DID's key
  // signed it; kStaleNonce if none is open, it expired or began at another
  // `at`. Otherwise the enrollment is closed whatever the outcome:
  // kBadSignature if the secret differs (the AK and the EK are not in one
  // TPM); the ledger's refusal. Ok without a new entry when this validator
  // had already certified that AK.
  Status Finish(const EnrollmentRequest& request);

  // Open enrollments (for /v1/status and tests).
  size_t open_count() const;

 private:
  struct Open {
    SecretBytes secret;
    Bytes ak_public;
    int64_t expires = 0;
    int64_t at = 0;             // of the request that began it
    EnrollChallenge challenge;  // what that request was answered
  };
  void DropExpiredLocked(int64_t now);
  Status CheckRequest(const EnrollmentRequest& request, int64_t now) const;
  Result<std::optional<EnrollChallenge>> ExistingLocked(const EnrollmentRequest& request) const;

  CertificationLedger& ledger_;
  const Ed25519PrivateKey& key_;
  std::string validator_did_;
  std::function<int64_t()> clock_;
  EnrollerOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Open, std::less<>> open_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_ENROLLMENT_H_
