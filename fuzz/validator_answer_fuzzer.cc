// The host's decoders of a validator's answers (vouch/protocol/validator_api.h):
// whatever a validator, or whoever answers on its port, sends must decode or
// be refused as kMalformed, never crash; what decodes re-encodes to an
// answer that decodes to the same fields.
#include <cstdint>
#include <cstdlib>

#include "vouch/protocol/validator_api.h"

namespace {

void ExpectMalformed(const vouch::Error& e) {
  if (e.code() != vouch::Code::kMalformed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace p = vouch::protocol;
  vouch::ByteView body(data, size);

  if (auto c = p::DecodeChallengeAnswer(body); c.ok()) {
    auto again = p::DecodeChallengeAnswer(p::EncodeChallengeAnswer(*c));
    if (!again.ok() || again->nonce != c->nonce || again->validator_did != c->validator_did) std::abort();
  } else {
    ExpectMalformed(c.error());
  }
  if (auto a = p::DecodeAttestAnswer(body); a.ok()) {
    auto again = p::DecodeAttestAnswer(p::EncodeAttestAnswer(*a));
    if (!again.ok() || again->endorsement != a->endorsement || again->share != a->share) std::abort();
  } else {
    ExpectMalformed(a.error());
  }
  if (auto r = p::DecodeReattestAnswer(body); r.ok()) {
    auto again = p::DecodeReattestAnswer(p::EncodeReattestAnswer(*r));
    if (!again.ok() || *again != *r) std::abort();
  } else {
    ExpectMalformed(r.error());
  }
  if (auto e = p::DecodeEnrollAnswer(body); e.ok()) {
    auto again = p::DecodeEnrollAnswer(p::EncodeEnrollAnswer(*e));
    if (!again.ok() || again->credential != e->credential || again->encrypted_secret != e->encrypted_secret) {
      std::abort();
    }
  } else {
    ExpectMalformed(e.error());
  }
  if (auto f = p::DecodeRefusal(body); !f.ok()) ExpectMalformed(f.error());
  return 0;
}
