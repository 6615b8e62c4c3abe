// Deterministic CBOR decoder: never crashes, and anything it accepts
// re-encodes to exactly the input (determinism is a bijection).
#include <cstdlib>

#include "vouch/core/cbor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::cbor::DecodeLimits limits;
  limits.max_input_size = 1 << 16;
  limits.max_items = 4096;
  auto v = vouch::cbor::Decode(vouch::ByteView(data, size), limits);
  if (!v.ok()) return 0;
  vouch::Bytes again = vouch::cbor::Encode(*v);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  (void)v->ToDiagnostic();
  return 0;
}
