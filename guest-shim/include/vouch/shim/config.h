// /etc/vouch/shim.conf (DESIGN §2 "Guest shim"): `key = value` lines, '#'
// comments; durations as vouch/core/duration.h spells them ("timeout = 30s").
// An unknown key, a key renamed since ("'timeout_s' was renamed: write
// 'timeout = 30s'") or a line without '=' is an error naming the file and line.
#ifndef VOUCH_SHIM_CONFIG_H_
#define VOUCH_SHIM_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "vouch/core/errors.h"

namespace vouch::shim {

inline constexpr char kDefaultConfigPath[] = "/etc/vouch/shim.conf";

struct ShimConfig {
  std::string owner;                  // required: the owner's did:key
  std::optional<std::string> domain;  // the domain UUID the policy must name
  std::string channel;                // "" = find the port named org.vouch.attest.0
  std::string tcti = "device:/dev/tpmrm0";
  std::string state_dir = "/run/vouch";
  std::string key_dir = "/var/lib/vouch/shim";  // the AK blobs (ak.pub, ak.priv; 0600)
  // Before any policy was accepted: how long after boot until `action`
  // (whole seconds, 1s..720h).
  std::chrono::seconds grace{600};
  std::chrono::milliseconds timeout{30000};  // one round's deadline, 1s..1h (the agent asks t validators)
  std::string action = "poweroff";           // before any policy: what the grace expiring does
};

// kConfig naming `path` and the line.
Result<ShimConfig> ParseShimConfig(std::string_view text, const std::string& path);
Result<ShimConfig> LoadShimConfig(const std::string& path);

// The channel device: /dev/virtio-ports/org.vouch.attest.0 if it exists, else
// the /dev/vportNpM whose `sys_root`/class/virtio-ports/vportNpM/name is
// org.vouch.attest.0. kNotFound with a one-line hint otherwise.
Result<std::string> FindChannel(const std::string& dev_root = "/dev", const std::string& sys_root = "/sys");

}  // namespace vouch::shim

#endif  // VOUCH_SHIM_CONFIG_H_
