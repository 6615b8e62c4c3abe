// TPM2_MakeCredential done in software, by a validator certifying a host's
// AK (DESIGN §2 "Register"): a secret only the TPM holding both the
// certified EK and an object of the given name can recover, with
// Tpm::ActivateCredential.
//
// TPM 2.0 Part 1 §24 "Credential Protection" and Part 3 TPM2_MakeCredential,
// for an EK of the TCG EK Credential Profile default templates (L-1 RSA 2048,
// L-2 ECC P-256: nameAlg SHA-256, symmetric AES-128-CFB), as
// `tpm2_createek -G rsa|ecc` makes them:
//   seed (32 bytes), shared with the EK:
//     RSA: random, encrypted with RSA-OAEP (SHA-256, MGF1-SHA-256) under
//          label "IDENTITY\0";
//     ECC: an ephemeral P-256 key e; Z = x of e·EK;
//          seed = KDFe(SHA-256, Z, "IDENTITY", e.x, EK.x, 256); the encrypted
//          secret is e's point (TPMS_ECC_POINT).
//   symKey  = KDFa(SHA-256, seed, "STORAGE", ak_name, "", 128)
//   encIdentity = AES-128-CFB(symKey, IV = 0, TPM2B_DIGEST(secret))
//   hmacKey = KDFa(SHA-256, seed, "INTEGRITY", "", "", 256)
//   integrityHMAC = HMAC-SHA256(hmacKey, encIdentity ‖ ak_name)
//   id_object = TPM2B(TPM2B_DIGEST(integrityHMAC) ‖ encIdentity)
// The output is byte-compatible with `tpm2_makecredential -T none` (minus the
// 8-byte header tpm2-tools puts before the two structures in its -o file).
#ifndef VOUCH_MEASURE_CREDENTIAL_H_
#define VOUCH_MEASURE_CREDENTIAL_H_

#include <cstddef>

#include "vouch/core/bytes.h"
#include "vouch/measure/ek_certificate.h"

namespace vouch {

// The largest secret MakeCredential takes: the digest size of the EK's
// nameAlg (SHA-256), the TPM's limit for a credential.
inline constexpr size_t kMaxCredentialSecret = 32;

// The two TPM2_MakeCredential outputs, marshalled as the TPM does
// (big-endian 2-byte size prefix, then the structure), ready for
// Tpm::ActivateCredential or tpm2_activatecredential.
struct MadeCredential {
  Bytes id_object;         // TPM2B_ID_OBJECT (credentialBlob)
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET (secret)
};

// Makes a credential carrying `secret` for the object named `ak_name` in the
// TPM whose EK `ek` certifies (the chain is not checked here: call
// EkCertificate::VerifyChain first). `ak_name`: the AK's TPM name, 0x000b
// (SHA-256) followed by the 32-byte digest (Ak::name()). Randomized: each
// call makes a new seed (RSA) or ephemeral key (ECC).
// kInvalidArgument if `secret` is empty or longer than kMaxCredentialSecret,
// or `ak_name` is not 34 bytes starting 00 0b; kInternal if OpenSSL fails.
Result<MadeCredential> MakeCredential(const EkCertificate& ek, ByteView ak_name, ByteView secret);

}  // namespace vouch

#endif  // VOUCH_MEASURE_CREDENTIAL_H_
