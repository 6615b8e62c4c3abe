// A validator's GET /v1/checkpoint reply as a fresh reader decodes it
// (ledger-client/checkpoint.h): never crashes, one-line errors, and what it
// accepts re-encodes to the same bytes (one meaning per signature).
#include <cstdlib>

#include "vouch/ledger/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteView input(data, size);
  auto checkpoint = vouch::ledger::DecodeCheckpoint(input);
  if (!checkpoint.ok()) {
    if (checkpoint.error().message().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (vouch::ledger::EncodeCheckpoint(*checkpoint) != vouch::Bytes(input.begin(), input.end())) std::abort();
  return 0;
}
