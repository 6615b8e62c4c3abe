// TPMS_ATTEST of a quote (TPM 2.0 Part 2: TPMS_ATTEST with TPMS_QUOTE_INFO),
// parsed without a TPM. The parser is bounds-checked and accepts exactly one
// canonical encoding; it does not check any signature (see quote_verify.h).
#ifndef VOUCH_MEASURE_QUOTE_ATTEST_H_
#define VOUCH_MEASURE_QUOTE_ATTEST_H_

#include <cstdint>
#include <vector>

#include "vouch/core/bytes.h"

namespace vouch {

inline constexpr uint32_t kTpmGeneratedValue = 0xff544347;  // TPM_GENERATED_VALUE, "\xffTCG"
inline constexpr uint16_t kTpmStAttestQuote = 0x8018;       // TPM_ST_ATTEST_QUOTE

struct QuoteAttest {
  Bytes qualified_signer;  // TPM2B_NAME contents: the AK's qualified name
  Bytes extra_data;        // TPM2B_DATA contents: the caller's qualifying data
  uint64_t clock = 0;      // TPMS_CLOCK_INFO: ms the TPM has been powered
  uint32_t reset_count = 0;
  uint32_t restart_count = 0;
  bool safe = false;
  uint64_t firmware_version = 0;
  std::vector<uint32_t> pcrs;  // the selected SHA-256 PCR indices, ascending
  Bytes pcr_digest;            // 32 bytes: SHA-256 over the selected PCR values
};

// Parses `attest`. Returns kBadQuote, one sentence each, when: it is longer
// than 1 KiB; a field is truncated (naming the field); magic is not
// TPM_GENERATED_VALUE (the TPM did not make it); type is not
// TPM_ST_ATTEST_QUOTE; a TPM2B exceeds its TPM maximum; safe is not 0 or 1;
// the PCR selection is not exactly one SHA-256 bank of at most 4 bytes;
// pcrDigest is not 32 bytes; bytes trail the structure.
Result<QuoteAttest> ParseQuoteAttest(ByteView attest);

}  // namespace vouch

#endif  // VOUCH_MEASURE_QUOTE_ATTEST_H_
