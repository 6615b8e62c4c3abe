// libFuzzer target: what `vouch vc verify` does with a CBOR file —
// CheckCoseCredential (the COSE_Sign1 and its headers, the JSON payload,
// countersignatures, embedded host VC, dates). Beyond "no crash, no
// sanitizer report" it aborts if a promise of
// vouch/w3c/cose_credential_check.h breaks:
//   - every refusal is kMalformed, and it and every failed check are one
//     non-empty line;
//   - a credential that checks ok has its signature and every
//     countersignature verified on its own.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vouch/w3c/cose_credential_check.h"

namespace {

void RequireOneLine(const vouch::Error& error) {
  const std::string& message = error.message();
  if (message.empty() || message.find('\n') != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // 2025-11-24T16:00:10Z: inside the seed credentials' validity.
  vouch::Result<vouch::w3c::CoseCredentialCheck> check =
      vouch::w3c::CheckCoseCredential(vouch::ByteView(data, size), 1764000010);
  if (!check.ok()) {
    if (check.error().code() != vouch::Code::kMalformed) std::abort();
    RequireOneLine(check.error());
    return 0;
  }
  if (!check->signature.status.ok()) {
    RequireOneLine(check->signature.status.error());
    if (check->status.ok()) std::abort();
  }
  for (const auto& cs : check->countersignatures) {
    if (!cs.status.ok()) RequireOneLine(cs.status.error());
    if (check->status.ok() && !cs.status.ok()) std::abort();
  }
  if (!check->status.ok()) RequireOneLine(check->status.error());
  return 0;
}
