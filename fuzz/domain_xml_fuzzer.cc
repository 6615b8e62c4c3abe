// libvirt domain XML parser (qemu-integration/domain_xml.h): never crashes,
// stays within its limits, and whatever it accepts yields a well-defined
// canonical config that reads back to itself, and a launch-policy verdict.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/launch_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)vouch::qemu::ParseProtectElement(xml);
  auto config = vouch::qemu::ParseDomainXml(xml);
  if (!config.ok()) {
    // One-line messages only: they end up as the hook's single stderr line.
    if (config.error().message().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (size > vouch::qemu::kMaxDomainXmlSize) std::abort();
  if (config->vcpus == 0) std::abort();
  if (config->protection_bundle && config->protection_bundle->size() > vouch::qemu::kMaxBundleSize) std::abort();
  if (!std::is_sorted(config->devices.begin(), config->devices.end())) std::abort();
  if (!vouch::qemu::CheckLaunchPolicy(vouch::qemu::PinnedLimitsOf(*config), *config).ok()) std::abort();
  auto back = vouch::qemu::DomainConfigFromCanonical(vouch::qemu::CanonicalConfigBytes(*config));
  if (!back.ok() || !(vouch::qemu::ConfigDigestOf(*back) == vouch::qemu::ConfigDigestOf(*config))) std::abort();
  if (!(vouch::qemu::ConfigDigestOf(*config) == vouch::qemu::ConfigDigestOf(*config))) std::abort();
  // The canonical form is valid deterministic CBOR.
  auto again = vouch::cbor::Decode(vouch::cbor::Encode(vouch::qemu::CanonicalConfig(*config)));
  if (!again.ok()) std::abort();
  return 0;
}
