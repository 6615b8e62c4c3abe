// Quote verification: what a validator runs on the "vouch.tpm" claim of a
// host VC (DESIGN §4 appraisal: "TPM quote signature by the host's
// registered AK, extraData binding, PCR digest matches the claimed PCRs").
// No TPM is needed; signatures are checked with OpenSSL.
#ifndef VOUCH_MEASURE_QUOTE_VERIFY_H_
#define VOUCH_MEASURE_QUOTE_VERIFY_H_

#include <cstdint>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/quote.h"

namespace vouch {

// The facts of a quote that verified. Values come from the signed TPMS_ATTEST.
struct VerifiedQuote {
  uint64_t clock = 0;
  uint32_t reset_count = 0;       // TPM resets (reboots) since the TPM was cleared
  uint32_t restart_count = 0;     // TPM2_Startup(STATE) since the last reset
  bool safe = false;              // clock has not gone back since last reported
  uint64_t firmware_version = 0;  // see FormatTpmFirmwareVersion
  Bytes qualified_signer;         // the AK's qualified name
  std::vector<uint32_t> pcrs;     // the quoted PCRs, ascending
  Bytes pcr_digest;               // SHA-256 over their values
};

// Verifies that `quote` was signed by `ak` over exactly the PCR values it
// claims, qualified by `expected_extra_data`. Checks, in this order, each
// failure with its own sentence:
//   - quote.signature parses as an ECDSA-SHA256 TPMT_SIGNATURE   kBadQuote
//   - quote.attest parses as a quote's TPMS_ATTEST (magic, type)  kBadQuote
//   - the signature verifies over SHA-256(quote.attest) with ak   kBadQuote
//   - extraData equals expected_extra_data                        kBadQuote
//   - the quoted SHA-256 PCR selection is the set of keys of
//     quote.pcr_values, and each value is 32 bytes                 kBadQuote
//   - pcrDigest equals SHA-256 of the claimed values in index order
//                                                                 kPcrMismatch
// Never crashes on malformed input. Thread-safe.
Result<VerifiedQuote> VerifyQuote(const AkPublic& ak, const TpmQuote& quote,
                                  ByteView expected_extra_data);

}  // namespace vouch

#endif  // VOUCH_MEASURE_QUOTE_VERIFY_H_
