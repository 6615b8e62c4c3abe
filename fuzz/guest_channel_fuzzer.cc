// Guest channel decoder (shim ↔ agent): never crashes, and a message it
// accepts re-encodes to exactly the input (the encoding is deterministic).
#include <algorithm>
#include <cstdlib>

#include "vouch/core/guest_channel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = vouch::guest_channel::DecodeMessage(vouch::ByteView(data, size));
  if (!m.ok()) return 0;
  vouch::Bytes again = vouch::guest_channel::EncodeMessage(*m);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}
