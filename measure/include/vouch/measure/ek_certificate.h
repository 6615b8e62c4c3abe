// An endorsement key certificate (DESIGN §2 "Register"): the X.509 DER
// certificate a TPM manufacturer (or swtpm_localca in tests) issued for the
// TPM's endorsement key, as read from TPM NV (Tpm::ReadEkCertificate) or a
// DID document. Validators check its chain against their TPM-manufacturer CA
// set (genesis `tpm_cas`) before making a credential for it (credential.h).
#ifndef VOUCH_MEASURE_EK_CERTIFICATE_H_
#define VOUCH_MEASURE_EK_CERTIFICATE_H_

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "vouch/core/bytes.h"

namespace vouch {

// The endorsement key types vouch handles: those of the TCG EK Credential
// Profile default templates L-1 (RSA 2048) and L-2 (ECC NIST P-256).
enum class EkKeyType { kRsa2048, kEccP256 };

// Immutable; copies share the parsed OpenSSL objects. Thread-safe.
class EkCertificate {
 public:
  // Parses `der`. kMalformed naming what is wrong if `der` is not exactly one
  // DER X.509 certificate (trailing bytes are refused), or its subject public
  // key is neither RSA 2048-bit nor ECC NIST P-256.
  static Result<EkCertificate> Parse(ByteView der);

  // The certificate as given to Parse.
  const Bytes& der() const { return der_; }
  EkKeyType key_type() const { return key_type_; }
  // The subject public key as a DER SubjectPublicKeyInfo (what
  // `openssl x509 -pubkey` prints, in DER), e.g. to compare with the EK the
  // TPM recreates.
  const Bytes& public_key_der() const { return public_key_der_; }

  // Verifies the certificate's chain (signatures, validity periods at
  // `at_unix_seconds`, CA basic constraints) to a trust anchor. `cas`: DER
  // certificates as a ledger genesis lists them (tpm_cas): the self-signed
  // ones are trust anchors, the others untrusted intermediates that may
  // complete the chain. kInvalidArgument if `cas` is empty, an entry is not
  // one DER certificate, or none is self-signed; kBadSignature with OpenSSL's
  // reason and the certificate it stopped at if the chain does not verify,
  // e.g. "EK certificate: chain does not verify: unable to get local issuer
  // certificate (at certificate issued by CN=…)".
  Status VerifyChain(const std::vector<Bytes>& cas, int64_t at_unix_seconds) const;

 private:
  EkCertificate(Bytes der, std::shared_ptr<X509> cert, Bytes public_key_der, EkKeyType type)
      : der_(std::move(der)),
        cert_(std::move(cert)),
        public_key_der_(std::move(public_key_der)),
        key_type_(type) {}

  Bytes der_;
  std::shared_ptr<X509> cert_;  // parsed der_, for VerifyChain
  Bytes public_key_der_;
  EkKeyType key_type_;
};

}  // namespace vouch

#endif  // VOUCH_MEASURE_EK_CERTIFICATE_H_
