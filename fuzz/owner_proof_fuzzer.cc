// An owner proof as the ledger reads it from any revoke entry
// (ledger-client/owner_proof.h): never crashes, one-line errors, and what
// it accepts names a launch ("cti:"), a host and an owner DID.
#include <cstdlib>

#include "vouch/ledger/owner_proof.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto owns = vouch::ledger::VerifyOwnerProof(vouch::ByteView(data, size));
  if (!owns.ok()) {
    if (owns.error().message().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (owns->launch.rfind("cti:", 0) != 0 || owns->host.empty() || owns->owner.empty()) std::abort();
  return 0;
}
