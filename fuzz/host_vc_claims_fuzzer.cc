// libFuzzer target: the host VC's claims set (vouch/core/host_vc.h), the
// payload every validator reads from a host — after the signature, but the
// host is the party being judged. Beyond "no crash, no sanitizer report" it
// aborts if a promise breaks: a refusal is kMalformed; claims that are read
// encode to a map that reads back equal (no claim lost or invented); a
// "vouch.evlog" that is read is a 32-byte digest.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/core/cbor.h"
#include "vouch/core/host_vc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto value = vouch::cbor::Decode(vouch::ByteView(data, size));
  if (!value.ok()) return 0;
  auto claims = vouch::HostVcClaimsFromCbor(*value);
  if (!claims.ok()) {
    if (claims.error().code() != vouch::Code::kMalformed || claims.error().message().empty()) std::abort();
    return 0;
  }
  if (!claims->event_log_digest.empty() && claims->event_log_digest.size() != 32) std::abort();
  auto again = vouch::HostVcClaimsFromCbor(vouch::HostVcClaimsToCbor(*claims));
  if (!again.ok() || !(*again == *claims)) std::abort();
  return 0;
}
