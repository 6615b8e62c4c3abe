// The tpm2-tools quote vectors in measure/testdata (made by
// measure/testdata/make_vectors.sh).
#ifndef VOUCH_MEASURE_TESTING_QUOTE_VECTOR_H_
#define VOUCH_MEASURE_TESTING_QUOTE_VECTOR_H_

#include <string>

#include "vouch/core/bytes.h"
#include "vouch/measure/quote.h"

namespace vouch::testing {

inline constexpr uint32_t kVectorPcrs[] = {0, 1, 2, 3, 4, 5, 6, 7, 16};

struct QuoteVector {
  Bytes ak_public;  // TPM2B_PUBLIC
  Bytes ak_name;
  TpmQuote quote;
  Bytes nonce;  // the qualifying data
};

// Loads testdata/`name` under measure/ of `source_dir`; kNotFound/kMalformed.
Result<QuoteVector> LoadQuoteVector(const std::string& source_dir, const std::string& name);

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_QUOTE_VECTOR_H_
