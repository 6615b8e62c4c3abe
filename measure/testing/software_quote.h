// Quotes made without a TPM, for tests: an "AK" whose P-256 key lives in
// software, with a TPM2B_PUBLIC that claims whatever attributes the test
// wants, and a TPMS_ATTEST builder whose every field can be set wrong.
// Quotes it signs verify exactly like a TPM's — which is why a validator only
// trusts AKs certified through the EK (DESIGN §2 Register).
#ifndef VOUCH_MEASURE_TESTING_SOFTWARE_QUOTE_H_
#define VOUCH_MEASURE_TESTING_SOFTWARE_QUOTE_H_

#include <cstdint>
#include <map>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/p256.h"
#include "vouch/measure/quote.h"

namespace vouch::testing {

// TPMA_OBJECT of `tpm2_createak`: fixedTPM|fixedParent|sensitiveDataOrigin|
// userWithAuth|restricted|sign.
inline constexpr uint32_t kAkAttributes = 0x00050072;
inline constexpr uint32_t kAttrFixedTpm = 1u << 1;
inline constexpr uint32_t kAttrSensitiveDataOrigin = 1u << 5;
inline constexpr uint32_t kAttrRestricted = 1u << 16;
inline constexpr uint32_t kAttrDecrypt = 1u << 17;
inline constexpr uint32_t kAttrSign = 1u << 18;

// TPMT_PUBLIC fields of an ECC key; defaults are a valid AK.
struct EccPublicFields {
  uint16_t type = 0x0023;      // TPM_ALG_ECC
  uint16_t name_alg = 0x000B;  // SHA-256
  uint32_t attributes = kAkAttributes;
  uint16_t scheme = 0x0018;  // ECDSA
  uint16_t scheme_hash = 0x000B;
  uint16_t curve = 0x0003;  // NIST P-256
};

// TPMS_ATTEST fields of a quote; defaults are a valid quote over nothing.
struct QuoteAttestFields {
  uint32_t magic = 0xff544347;
  uint16_t type = 0x8018;
  Bytes qualified_signer = Bytes(34, 0x51);
  Bytes extra_data;
  uint64_t clock = 123456;
  uint32_t reset_count = 7;
  uint32_t restart_count = 2;
  uint8_t safe = 1;
  uint64_t firmware_version = 0x2019102300163636;
  uint32_t bank_count = 1;
  uint16_t bank_hash = 0x000B;
  Bytes pcr_select = Bytes(3, 0);  // bitmap, PCR i = bit i % 8 of byte i / 8
  Bytes pcr_digest;
};

// SHA-256 of the values concatenated in index order.
Bytes PcrDigest(const std::map<uint32_t, Bytes>& pcr_values);
// Attest fields for a valid quote over `pcr_values` qualified by `extra_data`.
QuoteAttestFields QuoteFieldsFor(const std::map<uint32_t, Bytes>& pcr_values, ByteView extra_data);
// TPMS_ATTEST marshalled from `f` (any values, even invalid ones).
Bytes MarshalQuoteAttest(const QuoteAttestFields& f);
// Distinct example SHA-256 PCR values for `pcrs` (value i = SHA-256("pcr i")).
std::map<uint32_t, Bytes> ExamplePcrValues(const std::vector<uint32_t>& pcrs);

class SoftwareAk {
 public:
  explicit SoftwareAk(EccPublicFields fields = {});
  // TPM2B_PUBLIC of the key with the claimed fields.
  Bytes PublicArea() const;
  // TPMT_SIGNATURE over SHA-256(message), with the given algorithm ids.
  Bytes Sign(ByteView message, uint16_t sig_alg = 0x0018, uint16_t hash = 0x000B) const;
  // A valid quote (per its claimed fields) over `pcr_values`.
  TpmQuote Quote(const std::map<uint32_t, Bytes>& pcr_values, ByteView extra_data) const;

 private:
  EccPublicFields fields_;
  P256PrivateKey key_;
};

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_SOFTWARE_QUOTE_H_
