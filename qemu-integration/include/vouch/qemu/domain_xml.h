// Reading a libvirt domain XML document (https://libvirt.org/formatdomain.html)
// into the facts vouch needs: identity, resources, boot, disks, NICs, the
// other devices, and the vouch protection bundle in <metadata> (DESIGN §2
// "Seal"). The input is untrusted: it arrives on the hook's stdin or from an
// owner's file.
//
// Parser hardening (libxml2): no network access (XML_PARSE_NONET), no entity
// substitution (XML_PARSE_NOENT not set), no DTD loading or validation, no
// XML_PARSE_HUGE (libxml2's default depth limit of 256 and text-node limits
// stay on), an input size limit (kMaxDomainXmlSize), and any <!DOCTYPE> is
// refused before its internal subset is read: libvirt never writes one, and
// a DTD is the only way to declare entities (billion laughs, external
// entities such as file:///etc/passwd). libxml2 prints nothing; its error
// becomes the one-line message of a kMalformed error.
//
// Thread-safe: ParseDomainXml keeps no state between calls.
#ifndef VOUCH_QEMU_DOMAIN_XML_H_
#define VOUCH_QEMU_DOMAIN_XML_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::qemu {

// The namespace URI of vouch's <metadata> element. Matched by URI; the prefix
// ("vouch" in libvirt's output) is irrelevant.
inline constexpr std::string_view kVouchMetadataNamespace = "urn:vouch:domain:1";
// The local name of that element: <vouch:protect xmlns:vouch="…">BASE64</vouch:protect>.
inline constexpr std::string_view kVouchMetadataElement = "protect";
// The prefix vouch asks libvirt to use when it writes the element.
inline constexpr std::string_view kVouchMetadataPrefix = "vouch";

// Largest domain XML document accepted, in bytes.
inline constexpr size_t kMaxDomainXmlSize = size_t{1} << 20;
// Largest decoded protection bundle accepted, in bytes (its base64 form is
// 4/3 of this, well within kMaxDomainXmlSize).
inline constexpr size_t kMaxBundleSize = size_t{256} << 10;

// <os>. Strings are empty when the element or attribute is absent.
struct DomainOs {
  std::string type;          // <type>hvm</type>
  std::string arch;          // <type arch=…>
  std::string machine;       // <type machine=…> ("q35" as written; libvirt expands it to "pc-q35-7.2")
  std::string firmware;      // <os firmware=…> ("efi", "bios") for firmware auto-selection
  std::string loader;        // <loader> path
  std::string loader_type;   // <loader type=…> ("pflash", "rom")
  std::string loader_secure; // <loader secure=…> ("yes", "no")
  std::string nvram;         // <nvram> path (per-domain variable store)
  std::string nvram_template;// <nvram template=…>
  std::string kernel;        // <kernel> (direct kernel boot)
  std::string initrd;        // <initrd>
  std::string cmdline;       // <cmdline>, verbatim (whitespace kept)
  bool operator==(const DomainOs&) const = default;
};

// One <devices><disk>.
struct DomainDisk {
  std::string type;        // <disk type=…>: file (libvirt's default), block, network, volume, dir, nvme, vhostuser
  std::string device;      // <disk device=…>: disk (default), cdrom, floppy, lun
  std::string target_dev;  // <target dev=…> ("vda")
  std::string target_bus;  // <target bus=…> ("virtio")
  // Where the data comes from, by disk type: file → source/@file, block →
  // source/@dev, dir → source/@dir, volume → "POOL/VOLUME", network →
  // "PROTOCOL://HOST:PORT,…/NAME" (hosts in document order, ":PORT" only if
  // given), vhostuser → source/@path. Empty for an empty drive (no <source>).
  std::string source;
  std::string driver_type;  // <driver type=…>: raw, qcow2, …
  bool readonly = false;    // <readonly/>
  // <encryption format=…><secret type='passphrase' uuid=…/>, either inside
  // <source> (libvirt's current form) or directly in <disk> (older form).
  std::string encryption_format;       // "luks", "qcow"; empty: not encrypted
  std::string encryption_secret_uuid;  // canonical lower-case UUID; empty if none or referenced by usage
  bool operator==(const DomainDisk&) const = default;
};

// One <devices><interface>.
struct DomainInterface {
  std::string type;    // <interface type=…> (required): network, bridge, direct, user, ethernet, vhostuser, …
  // network → source/@network, bridge → source/@bridge, direct → source/@dev,
  // vhostuser/server/client/mcast/udp → source/@path or ADDRESS:PORT; else empty.
  std::string source;
  std::string model;   // <model type=…> ("virtio")
  std::string mac;     // <mac address=…> (libvirt generates one at define)
  bool operator==(const DomainInterface&) const = default;
};

struct DomainConfig {
  std::string type;     // <domain type=…>: "kvm", "qemu"
  std::string name;     // <name>
  std::string uuid;     // <uuid>, canonical lower-case 8-4-4-4-12; empty if absent
  uint64_t memory_kib = 0;      // <memory>, normalized (see ParseDomainXml)
  uint64_t max_memory_kib = 0;  // <maxMemory> (memory hotplug ceiling); 0 if absent
  uint64_t vcpus = 0;           // <vcpu> text: the maximum vCPU count (current= is ignored)
  DomainOs os;
  std::string emulator;         // <devices><emulator> (the first)
  std::vector<DomainDisk> disks;            // document order, from every <devices> element
  std::vector<DomainInterface> interfaces;  // document order
  // Every other child element of <devices>, as "KIND" or "KIND:DETAIL",
  // sorted (duplicates kept). DETAIL by kind:
  //   tpm → "MODEL:BACKEND" ("tpm:tpm-crb:emulator"); channel → target/@name,
  //   else target/@type ("channel:org.vouch.attest.0"); serial, console,
  //   parallel, graphics, hostdev, controller, input, hub, redirdev, audio,
  //   smartcard → @type ("serial:file", "hostdev:pci", "controller:usb");
  //   video → model/@type; filesystem → source/@dir (or @name/@file) the host
  //   side exposed; shmem → @name; every other kind (sound, watchdog, rng,
  //   memballoon, panic, iommu, vsock, memory, crypto, …) → @model, else
  //   model/@type, else @type. KIND alone when none of these is present.
  std::vector<std::string> devices;
  std::optional<std::string> launch_security;  // <launchSecurity type=…> ("sev", "s390-pv")
  // <qemu:commandline> <qemu:arg value=…/> (namespace
  // http://libvirt.org/schemas/domain/qemu/1.0), in order: raw QEMU arguments.
  std::vector<std::string> qemu_args;
  // The rest of that namespace, sorted: "env:NAME=VALUE" (<qemu:env> in
  // <qemu:commandline>, e.g. LD_PRELOAD), "capability:add:NAME" /
  // "capability:del:NAME" (<qemu:capabilities>), and
  // "override:ALIAS:PROPERTY=TYPE:VALUE" (<qemu:override> device frontend
  // properties). <qemu:deprecation> changes no guest state and is left out.
  std::vector<std::string> qemu_passthrough;
  // The decoded text of <metadata><protect xmlns="urn:vouch:domain:1">;
  // nullopt if there is no such element.
  std::optional<Bytes> protection_bundle;
  bool operator==(const DomainConfig&) const = default;
};

// Parses a libvirt domain XML document.
//
// Memory values (<memory>, <maxMemory>) are scaled by their `unit`
// attribute exactly as libvirt's virScaleInteger does (case-insensitive):
// none → KiB; "b", "byte", "bytes" → 1; one letter k/m/g/t/p/e or with
// "iB" (KiB, MiB, …) → powers of 1024; with "B" (KB, MB, …) → powers of 1000;
// and rounded up to whole KiB, as libvirt does.
//
// Returns kMalformed, with a one-line sentence, when: the input exceeds
// kMaxDomainXmlSize; it is not well-formed XML (libxml2's message with line
// number); it has a <!DOCTYPE>; the root is not a namespace-less <domain>;
// <domain type>, <name>, <memory> or <vcpu> is missing; a number, unit or
// UUID is invalid or overflows; <vcpu> is 0; an <interface> lacks its type; two
// <protect> elements in the vouch namespace exist; or the bundle is not
// base64 or is larger than kMaxBundleSize. A <protect> in any other
// namespace is ignored.
[[nodiscard]] Result<DomainConfig> ParseDomainXml(std::string_view xml);

// Parses the element libvirt returns from virDomainGetMetadata for vouch's
// namespace ("<protect>BASE64</protect>", the namespace stripped) and
// returns the decoded bundle. kMalformed if it is not such an element, the
// text is not base64, or the bundle exceeds kMaxBundleSize.
[[nodiscard]] Result<Bytes> ParseProtectElement(std::string_view xml);

// The host side of the virtio-serial channel `channel_name` of a domain
// (vouch's is guest_channel::kPortName, "org.vouch.attest.0"): the path of
//   <devices><channel type='unix'><source mode='bind' path='PATH'/>
//            <target type='virtio' name='CHANNEL_NAME'/></channel>
// Give it the live XML: libvirt fills in the path of a channel defined
// without one only when the domain starts. Parsed with ParseDomainXml's
// hardening; nothing else in the document is checked.
// kMalformed if the XML does not parse or its root is not <domain>;
// kNotFound if no virtio channel has that name, or it is not a unix socket
// that libvirt binds (type='pty', mode='connect', …), or it has no path.
[[nodiscard]] Result<std::string> VirtioChannelSocketPath(std::string_view domain_xml,
                                                          std::string_view channel_name);

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_DOMAIN_XML_H_
