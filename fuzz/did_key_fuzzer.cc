// libFuzzer target: DidKey::Parse and Base58Decode on arbitrary text.
// Beyond "no crash, no sanitizer report" it checks the invariants the
// parsers promise, and aborts if one breaks:
//   - a DID that parses is the did:key of its own key (one spelling per key);
//   - base58 text that decodes is the encoding of its bytes;
//   - every refusal is kMalformed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vouch/core/base58.h"
#include "vouch/core/did_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  vouch::Result<vouch::DidKey> did = vouch::DidKey::Parse(text);
  if (did.ok()) {
    if (did->did() != text) std::abort();
    if (vouch::DidKey::FromPublicKey(did->public_key()).did() != text) std::abort();
  } else if (did.error().code() != vouch::Code::kMalformed || did.error().message().empty()) {
    std::abort();
  }

  vouch::Result<vouch::Bytes> bytes = vouch::Base58Decode(text);
  if (bytes.ok()) {
    if (vouch::Base58Encode(*bytes) != text) std::abort();
  } else if (bytes.error().code() != vouch::Code::kMalformed) {
    std::abort();
  }
  return 0;
}
