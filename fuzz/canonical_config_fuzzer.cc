// The canonical domain config a validator reads from a host VC's "vouch.dom"
// claim (qemu-integration/config_digest.h): never crashes, and whatever it
// accepts re-encodes to exactly the input (so the digest the quote binds is
// the digest of what the launch policy judges) and gets a verdict.
#include <cstdlib>

#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/launch_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteView input(data, size);
  auto config = vouch::qemu::DomainConfigFromCanonical(input);
  if (!config.ok()) {
    if (config.error().message().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (size > vouch::qemu::kMaxCanonicalConfigSize) std::abort();
  if (vouch::qemu::CanonicalConfigBytes(*config) != vouch::Bytes(input.begin(), input.end())) std::abort();
  (void)vouch::qemu::CheckLaunchPolicy(vouch::qemu::PinnedLimitsOf(*config), *config);
  return 0;
}
