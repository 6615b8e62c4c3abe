// libFuzzer target: ParseJsonStrict and CanonicalJson on arbitrary text.
// Beyond "no crash, no sanitizer report" it checks the promises of
// vouch/core/jcs.h, and aborts if one breaks:
//   - a value ParseJsonStrict returns canonicalizes;
//   - the canonical text parses again and is its own canonical form;
//   - the canonical text has no raw control character (they are escaped);
//   - every refusal is kMalformed with one non-empty line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/core/jcs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vouch::Result<nlohmann::json> value = vouch::ParseJsonStrict(text);
  if (!value.ok()) {
    const std::string& message = value.error().message();
    if (value.error().code() != vouch::Code::kMalformed || message.empty() ||
        message.find('\n') != std::string::npos) {
      std::abort();
    }
    return 0;
  }
  vouch::Result<std::string> canonical = vouch::CanonicalJson(*value);
  if (!canonical.ok()) std::abort();
  for (char c : *canonical) {
    if (static_cast<uint8_t>(c) < 0x20) std::abort();
  }
  vouch::Result<nlohmann::json> again = vouch::ParseJsonStrict(*canonical);
  if (!again.ok()) std::abort();
  vouch::Result<std::string> twice = vouch::CanonicalJson(*again);
  if (!twice.ok() || *twice != *canonical) std::abort();
  return 0;
}
