// The canonical configuration digest of a domain (DESIGN §5; the "vouch.cfg"
// claim of DESIGN §3): SHA-256 over the deterministic CBOR encoding
// (RFC 8949 §4.2.1, vouch::cbor) of the security-relevant subset of the
// domain XML. It is built from the parsed DomainConfig, never from the XML
// text, so formatting, attribute order, element order among <devices>,
// comments and every element not listed below cannot change it.
//
// IN (version 2), a CBOR map with text keys, every key always present:
//   "v"               2
//   "type"            <domain type> ("kvm" / "qemu": hardware or emulation)
//   "memory_kib"      <memory> in KiB (units normalized)
//   "max_memory_kib"  <maxMemory> in KiB, 0 if absent
//   "vcpus"           <vcpu> (the maximum)
//   "os"              {"type", "arch", "machine", "firmware", "loader",
//                      "loader_type", "loader_secure", "nvram_template",
//                      "kernel", "initrd", "cmdline"} — text, "" if absent
//   "emulator"        <devices><emulator> (which QEMU binary)
//   "disks"           [{"target", "bus", "device", "type", "source",
//                      "driver_type", "readonly", "encryption_format",
//                      "encryption_secret"}], sorted by encoded bytes
//                     (targets are unique, so in effect by target)
//   "interfaces"      [{"type", "source", "model"}], sorted by encoded bytes
//   "devices"         DomainConfig::devices, sorted ("tpm:tpm-crb:emulator", …)
//   "launch_security" tstr or null
//   "qemu_args"       [tstr], <qemu:commandline> arguments in order (order matters)
//   "qemu_passthrough" [tstr], DomainConfig::qemu_passthrough, sorted (env,
//                     capabilities, overrides: the rest of libvirt's QEMU namespace)
//
// OUT, so the digest is the same for the inactive definition, the XML the
// `prepare` hook receives and the live XML of the running domain:
//   <name>, <uuid> (the VC's "sub" claim binds the UUID), <title>,
//   <description>, <metadata> (it holds the bundle itself);
//   libvirt's run-time additions: <alias>, <address>, <seclabel>,
//   <resource>, the domain id, <backingStore>, source index=, channel
//   state=, interface <target dev='vnetN'>, <actual>;
//   <mac> (generated at define, not a security property); <nvram> path
//   (per-domain file under /var/lib/libvirt/qemu/nvram);
//   <cpu>, <features>, <clock>, <on_*>, <pm>, <boot> order, <sysinfo>,
//   <memtune>/<cputune>/<numatune>, <currentMemory>, <vcpu current=…>,
//   device details beyond the DETAIL of DomainConfig::devices (e.g. a
//   graphics port or a serial log path).
//
// Known instability: with firmware auto-selection (<os firmware='efi'> and
// no <loader>), libvirt resolves the firmware when the domain starts, after
// the `prepare` hook; the live XML then has a <loader> and no firmware=, so
// its digest differs from the one the hook computed. Pin <loader> (and
// <nvram template>) in protected domains to avoid this.
#ifndef VOUCH_QEMU_CONFIG_DIGEST_H_
#define VOUCH_QEMU_CONFIG_DIGEST_H_

#include <string_view>

#include "vouch/core/cbor.h"
#include "vouch/core/typed_digest.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::qemu {

inline constexpr uint64_t kCanonicalConfigVersion = 2;
// Largest encoded canonical config accepted from outside (a host VC's
// "vouch.dom" claim): far above any real domain's few KiB.
inline constexpr size_t kMaxCanonicalConfigSize = size_t{64} << 10;

// The canonical CBOR value described above.
cbor::Value CanonicalConfig(const DomainConfig& config);
// Its deterministic encoding: what the host VC carries as "vouch.dom" and
// what ConfigDigestOf hashes.
Bytes CanonicalConfigBytes(const DomainConfig& config);

// The inverse, for a validator reading "vouch.dom": a DomainConfig holding
// exactly the IN fields (every OUT field empty). Strict: every key with its
// type, nothing unknown, version 2, and `encoded` must be exactly
// CanonicalConfigBytes of the result (so its SHA-256 is the config digest).
// kMalformed naming the first problem.
[[nodiscard]] Result<DomainConfig> DomainConfigFromCanonical(ByteView encoded);

// SHA-256 of Encode(CanonicalConfig(config)). Never fails.
ConfigDigest ConfigDigestOf(const DomainConfig& config);

// ParseDomainXml then ConfigDigestOf; ParseDomainXml's errors.
[[nodiscard]] Result<ConfigDigest> ConfigDigestOfXml(std::string_view xml);

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_CONFIG_DIGEST_H_
