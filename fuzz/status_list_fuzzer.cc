// libFuzzer target: what `vouch vc verify --status LIST` does with the list
// file — ParseJsonStrict then CheckRevocationList (shape, the GZIP
// encodedList, the proof, the dates) — and the encodedList decoder on the
// raw input. Beyond "no crash, no sanitizer report" it aborts if a promise
// of vouch/w3c/revocation_list.h or bitstring.h breaks:
//   - every refusal is one non-empty line, and a decoder refusal kMalformed;
//   - a decoded list never exceeds its bound, and one that checks ok has
//     exactly kRevocationListLength bits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/core/jcs.h"
#include "vouch/w3c/bitstring.h"
#include "vouch/w3c/revocation_list.h"

namespace {

void RequireOneLine(const vouch::Error& error) {
  const std::string& message = error.message();
  if (message.empty() || message.find('\n') != std::string::npos) std::abort();
}

constexpr size_t kListBytes = vouch::w3c::kRevocationListLength / 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vouch::Result<vouch::Bytes> bits = vouch::w3c::DecodeBitstring(text, kListBytes);
  if (!bits.ok()) {
    if (bits.error().code() != vouch::Code::kMalformed) std::abort();
    RequireOneLine(bits.error());
  } else if (bits->size() > kListBytes) {
    std::abort();
  }
  vouch::Result<nlohmann::json> json = vouch::ParseJsonStrict(text);
  if (!json.ok()) return 0;
  // 2025-11-24T16:00:10Z: inside the seed lists' validity.
  auto list = vouch::w3c::CheckRevocationList(*json, 1764000010);
  if (!list.ok()) {
    RequireOneLine(list.error());
    return 0;
  }
  if (list->bits.size() != kListBytes) std::abort();
  vouch::Status status = vouch::w3c::CheckCredentialStatus(*json, *list);
  if (!status.ok()) RequireOneLine(status.error());
  return 0;
}
