// libFuzzer target: what `vouch vc verify` does with a file — ParseJsonStrict
// then CheckCredential (Data Integrity proofs, chain, embedded host VC,
// dates). Beyond "no crash, no sanitizer report" it aborts if a promise of
// vouch/w3c/credential_check.h breaks:
//   - every refusal, and every failed check, is one non-empty line;
//   - a credential that checks ok has every proof verified on its own.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/core/jcs.h"
#include "vouch/w3c/credential_check.h"

namespace {

void RequireOneLine(const vouch::Error& error) {
  const std::string& message = error.message();
  if (message.empty() || message.find('\n') != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vouch::Result<nlohmann::json> json = vouch::ParseJsonStrict(text);
  if (!json.ok()) return 0;
  // 2025-11-24T16:00:10Z: inside the seed credentials' validity.
  vouch::Result<vouch::w3c::CredentialCheck> check = vouch::w3c::CheckCredential(*json, 1764000010);
  if (!check.ok()) {
    if (check.error().code() != vouch::Code::kMalformed) std::abort();
    RequireOneLine(check.error());
    return 0;
  }
  for (const auto& proof : check->proofs) {
    if (!proof.status.ok()) RequireOneLine(proof.status.error());
    if (check->status.ok() && !proof.status.ok()) std::abort();
  }
  if (!check->status.ok()) RequireOneLine(check->status.error());
  return 0;
}
