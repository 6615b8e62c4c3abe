// libFuzzer target: a boot reference (vouch/core/boot_reference.h) as a
// ledger `reference` entry carries it, read strictly. Beyond "no crash, no
// sanitizer report" it aborts if a promise breaks: a refusal is kMalformed;
// what is read back encodes, and the encoding reads back equal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/core/boot_reference.h"
#include "vouch/core/cbor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto value = vouch::cbor::Decode(vouch::ByteView(data, size));
  if (!value.ok()) return 0;
  auto reference = vouch::BootReferenceFromCbor(*value);
  if (!reference.ok()) {
    if (reference.error().code() != vouch::Code::kMalformed) std::abort();
    return 0;
  }
  if (!vouch::CheckBootReference(*reference).ok()) std::abort();
  auto again = vouch::BootReferenceFromCbor(vouch::BootReferenceToCbor(*reference));
  if (!again.ok() || !(*again == *reference)) std::abort();
  return 0;
}
