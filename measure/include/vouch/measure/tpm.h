// The host's TPM through tpm2-tss ESAPI (DESIGN §5): facts, PCR reads, the
// attestation key and quotes.
//
// Keys: the AK is an ECC P-256 ECDSA-SHA256 restricted signing key, the
// template of `tpm2_createak -G ecc -g sha256 -s ecdsa`, child of the ECC
// P-256 endorsement key of the TCG EK Credential Profile template L-2 (the key
// `tpm2_createek -G ecc` makes). That primary is recreated from the
// endorsement seed for every operation (ECC primaries take milliseconds), so
// only the AK's blobs are stored. Credential activation does not need the AK
// to be a child of the certified EK, so an RSA EK certificate works too.
//
// Every transient object and session this class loads is flushed before the
// call returns, on every path: it works on TPMs without a resource manager
// (swtpm, /dev/tpm0) and on /dev/tpmrm0.
#ifndef VOUCH_MEASURE_TPM_H_
#define VOUCH_MEASURE_TPM_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/ek_certificate.h"
#include "vouch/measure/quote.h"
#include "vouch/measure/tpm_facts.h"

namespace vouch {

// The largest qualifying data TPM2_Quote takes (TPM2B_DATA of a SHA-512 size).
inline constexpr size_t kMaxQuoteExtraData = 64;
// PCR indices this class accepts: 0 … kTpmPcrCount - 1 (PC Client TPMs).
inline constexpr uint32_t kTpmPcrCount = 24;

// One connection to one TPM. Not thread-safe: use one Tpm per thread, or
// serialize calls. Calls after Open block until the TPM answers (tpm2-tss
// synchronous ESAPI has no deadline); Open proves the TPM answers at all.
class Tpm {
 public:
  // Connects through the tpm2-tss TCTI `tcti` ("device:/dev/tpmrm0",
  // "swtpm:host=127.0.0.1,port=2321", "mssim:…"; "" = the tss default) and
  // reads the facts, waiting at most `answer_timeout` for the TPM's answer.
  // kUnavailable naming the TCTI when it cannot be loaded, connected or
  // opened (absent, refused, busy), or the TPM does not answer in time.
  static Result<std::unique_ptr<Tpm>> Open(
      const std::string& tcti, std::chrono::milliseconds answer_timeout = std::chrono::seconds(5));

  Tpm(const Tpm&) = delete;
  Tpm& operator=(const Tpm&) = delete;
  ~Tpm();

  // The TCTI string given to Open.
  const std::string& tcti() const;
  // Manufacturer and firmware version, read once by Open.
  const TpmFacts& facts() const;

  // Reads the SHA-256 bank values of `pcrs`. kInvalidArgument for an index
  // ≥ kTpmPcrCount or a duplicate; kUnavailable if the TPM has no active
  // SHA-256 bank or a TPM command fails.
  Result<std::map<uint32_t, Bytes>> ReadPcrs(const std::vector<uint32_t>& pcrs);

  // The TPM2B_PUBLIC of the ECC endorsement key (template L-2), the parent of
  // every AK. kUnavailable if the TPM refuses.
  Result<Bytes> EndorsementKeyPublic();

  // Creates a new AK under the EK and returns its blobs (store them with
  // Ak::Save). kUnavailable if the TPM refuses.
  Result<Ak> CreateAk();

  // Quotes the SHA-256 values of `pcrs` with `ak`, qualified by `extra_data`,
  // and reads the same PCRs right after; if a PCR changed in between it
  // quotes again (up to 3 times). DESIGN §2: the caller passes
  // extraData = SHA-256(nonce_digest ‖ E.pub ‖ config_digest).
  // kInvalidArgument: extra_data longer than kMaxQuoteExtraData, a PCR index
  // as in ReadPcrs, or `ak` is not loadable under this TPM's EK (made by
  // another TPM); kUnavailable: a TPM command failed or the PCRs kept
  // changing.
  Result<TpmQuote> Quote(const Ak& ak, const std::vector<uint32_t>& pcrs, ByteView extra_data);

  // The EK certificate from NV (TCG EK Credential Profile 2.x §2.2.1.5): the
  // RSA 2048 one at index 0x01c00002 if defined, else the ECC P-256 one at
  // 0x01c0000a. (swtpm_setup writes RSA at 0x01c00002 and an ECC P-384 EK's
  // at 0x01c00016, which vouch does not use.) Returns the DER certificate,
  // with any padding after its DER length cut off. kNotFound if neither index
  // is defined; kMalformed if the index does not start with a DER SEQUENCE
  // that fits in it; kUnavailable on TPM errors.
  Result<Bytes> ReadEkCertificate();

  // TPM2_ActivateCredential: recovers the secret of a credential made by
  // MakeCredential (credential.h) or tpm2_makecredential for `ak`'s name and
  // this TPM's EK of `ek_type` (recreated from template L-1 / L-2, used with
  // a PolicySecret(TPM_RH_ENDORSEMENT) session). The AK is loaded under its
  // parent as Quote does. kInvalidArgument if `id_object` / `encrypted_secret`
  // is not one marshalled TPM2B_ID_OBJECT / TPM2B_ENCRYPTED_SECRET (size
  // prefix matching the length, not empty), or `ak` does not load (as
  // Quote); kBadSignature naming the TPM's response code if the TPM refuses
  // the credential (made for another AK name or another EK, or tampered:
  // TPM_RC_INTEGRITY, TPM_RC_VALUE, TPM_RC_ECC_POINT, …); kUnavailable on
  // other TPM errors.
  Result<SecretBytes> ActivateCredential(const Ak& ak, ByteView id_object,
                                         ByteView encrypted_secret, EkKeyType ek_type);

 private:
  class Impl;
  explicit Tpm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch

#endif  // VOUCH_MEASURE_TPM_H_
