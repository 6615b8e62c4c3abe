// A TPM quote as a host ships it in the "vouch.tpm" claim (DESIGN §3).
#ifndef VOUCH_MEASURE_QUOTE_H_
#define VOUCH_MEASURE_QUOTE_H_

#include <cstdint>
#include <map>

#include "vouch/core/bytes.h"

namespace vouch {

struct TpmQuote {
  // TPMS_ATTEST as marshalled by the TPM (the contents of TPM2B_ATTEST, what
  // `tpm2_quote -m` writes); the signed bytes.
  Bytes attest;
  // TPMT_SIGNATURE marshalled (what `tpm2_quote -s` writes in tss format).
  Bytes signature;
  // The SHA-256 bank values of the quoted PCRs, index → 32 bytes. Their
  // concatenation in index order hashes to the quote's pcrDigest.
  std::map<uint32_t, Bytes> pcr_values;
};

}  // namespace vouch

#endif  // VOUCH_MEASURE_QUOTE_H_
