// The public area of a TPM attestation key (AK): the TPM2B_PUBLIC a host
// registers in its DID document (DESIGN §3) and validators check quotes with.
// Parsing needs no TPM.
#ifndef VOUCH_MEASURE_AK_PUBLIC_H_
#define VOUCH_MEASURE_AK_PUBLIC_H_

#include "vouch/core/bytes.h"
#include "vouch/core/p256.h"

namespace vouch {

// TPM 2.0 algorithm and attribute values used by AKs (TPM 2.0 Part 2).
inline constexpr uint16_t kTpmAlgSha256 = 0x000B;
inline constexpr uint16_t kTpmAlgEcc = 0x0023;
inline constexpr uint16_t kTpmAlgEcdsa = 0x0018;
inline constexpr uint16_t kTpmEccNistP256 = 0x0003;

// An AK public area that can vouch for quotes. Immutable after Parse; copies
// are cheap enough (a few hundred bytes). Thread-safe.
class AkPublic {
 public:
  // Parses `tpm2b_public` (TPM2B_PUBLIC: 2-byte size, then TPMT_PUBLIC) and
  // checks that it describes a key whose signatures can prove a quote came
  // from a TPM:
  //   - an ECC key on NIST P-256 with name algorithm SHA-256, scheme
  //     ECDSA with SHA-256;
  //   - objectAttributes restricted and sign set (a non-restricted key can
  //     sign any bytes, including a forged TPMS_ATTEST), fixedTPM and
  //     sensitiveDataOrigin set (the private key was made in, and cannot
  //     leave, its TPM), decrypt clear;
  //   - the point is on the curve.
  // Returns kBadQuote with one sentence per failed check (a non-restricted key
  // has its own), and for any truncated, oversized or trailing-byte encoding.
  static Result<AkPublic> Parse(ByteView tpm2b_public);

  // The TPM2B_PUBLIC exactly as parsed.
  const Bytes& bytes() const { return bytes_; }
  // The TPM name: nameAlg (0x000B) ‖ SHA-256(TPMT_PUBLIC), 34 bytes; what a
  // credential is made for and what TPM2_Load reports.
  const Bytes& name() const { return name_; }
  // The signing key.
  const P256PublicKey& key() const { return key_; }

 private:
  AkPublic(Bytes bytes, Bytes name, P256PublicKey key)
      : bytes_(std::move(bytes)), name_(std::move(name)), key_(std::move(key)) {}
  Bytes bytes_;
  Bytes name_;
  P256PublicKey key_;
};

}  // namespace vouch

#endif  // VOUCH_MEASURE_AK_PUBLIC_H_
