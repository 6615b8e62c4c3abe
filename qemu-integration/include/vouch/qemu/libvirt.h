// vouch's calls into libvirt through its C API (DESIGN §2 "Start" step 7,
// §5): the ephemeral private secret that unlocks a protected domain's LUKS
// disk, the protection bundle in a domain's <metadata>, and the hypervisor
// facts of the "vouch.hv" claim.
//
// Timeouts. libvirt has no per-call deadline, and a client blocks until the
// daemon answers; keepalive (virConnectSetKeepAlive) needs a running event
// loop and only detects a dead peer, not a daemon whose worker is stuck
// (e.g. the deadlock libvirt's hook documentation warns about). So every
// call here, opening and closing the connection included, runs on its own
// worker thread and the caller waits at most LibvirtOptions::call_timeout;
// then it gets kTimeout. The abandoned call keeps running in the background
// and owns everything it touches (a reference to the connection, copies of
// its arguments, a wiped copy of a secret value); its result is discarded
// and the connection is closed when the last such call returns. libvirt
// connections are thread-safe, so the connection stays usable.
//
// Hook safety. From the `prepare` hook only the secret calls
// (DefineEphemeralSecret, UndefineSecret, SecretExists) and
// ReadHypervisorFacts may be used: they never take the lock of the domain
// being started. The metadata and DomainXml calls act on a domain and are
// for `vouch seal`, the CLI and the agent.
//
// Errors. libvirt's thread-local error is read on the worker thread that
// failed and returned as one line: "libvirt secret '<uuid>': define failed:
// <libvirt's message>". Connect() installs a no-op libvirt error handler for
// the whole process (virSetErrorFunc) so libvirt never prints to stderr: the
// hook's stderr is the single line virsh shows. Codes: kNotFound (no such
// domain, secret or metadata), kTimeout (deadline passed), kUnavailable
// (cannot connect or the connection broke), kInvalidArgument (bad argument,
// or libvirt refused the XML or operation), kInternal (anything else).
//
// Thread safety: a LibvirtConnection may be used from several threads.
#ifndef VOUCH_QEMU_LIBVIRT_H_
#define VOUCH_QEMU_LIBVIRT_H_

#include <libvirt/libvirt.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/secret_bytes.h"

namespace vouch::qemu {

inline constexpr std::string_view kDefaultLibvirtUri = "qemu:///system";

// RAII owners for libvirt handles (the SslPtr pattern), for code that calls
// the C API itself (the agent's event loop, tests).
struct VirConnectClose {
  void operator()(virConnectPtr c) const { virConnectClose(c); }
};
struct VirSecretFree {
  void operator()(virSecretPtr s) const { virSecretFree(s); }
};
struct VirDomainFree {
  void operator()(virDomainPtr d) const { virDomainFree(d); }
};
using VirConnectHandle = std::unique_ptr<virConnect, VirConnectClose>;
using VirSecretHandle = std::unique_ptr<virSecret, VirSecretFree>;
using VirDomainHandle = std::unique_ptr<virDomain, VirDomainFree>;

struct LibvirtOptions {
  // Longest wait for any one libvirt call (connect and close included).
  std::chrono::milliseconds call_timeout{5000};
};

// An open connection to a libvirt daemon. Move-only. Destruction closes the
// connection, waiting at most call_timeout (then closing in the background).
class LibvirtConnection {
 public:
  LibvirtConnection(LibvirtConnection&&) noexcept = default;
  LibvirtConnection& operator=(LibvirtConnection&& other) noexcept;
  LibvirtConnection(const LibvirtConnection&) = delete;
  LibvirtConnection& operator=(const LibvirtConnection&) = delete;
  ~LibvirtConnection();

  const std::string& uri() const { return uri_; }
  const LibvirtOptions& options() const { return options_; }
  // The raw connection, valid while this object lives (calls on it are not
  // bounded by call_timeout). REQUIRES: not moved-from.
  virConnectPtr get() const { return conn_.get(); }

  // Defines <secret ephemeral='yes' private='yes'> with `uuid` and
  // `description` (no <usage>: a LUKS disk's <encryption><secret
  // type='passphrase' uuid=…/> finds it by UUID) and sets its value to the
  // bytes of `value` as-is (the LUKS passphrase QEMU receives). Ephemeral:
  // libvirt never writes it to disk; private: no client can read it back.
  // If a secret with `uuid` exists, libvirt redefines it; if libvirt does
  // not report the result as ephemeral and private, or setting the value
  // fails, the secret is undefined again and an error returned. The value
  // never appears in a message; vouch's copy is wiped (libvirt's RPC buffers
  // are outside vouch's control). Hook-safe.
  // kInvalidArgument: `uuid` not 8-4-4-4-12 hex, `value` empty, or libvirt
  // refused the definition (e.g. the UUID belongs to a secret of another usage).
  [[nodiscard]] Status DefineEphemeralSecret(std::string_view uuid, std::string_view description,
                                             const SecretBytes& value) const;

  // Undefines the secret `uuid`. kNotFound if there is none. Hook-safe.
  [[nodiscard]] Status UndefineSecret(std::string_view uuid) const;

  // True if libvirt has a secret `uuid`. Hook-safe.
  [[nodiscard]] Result<bool> SecretExists(std::string_view uuid) const;

  // Stores `bundle` in the persistent definition of `domain` (by name) as
  // <vouch:protect xmlns:vouch="urn:vouch:domain:1">BASE64</vouch:protect>
  // in <metadata> (virDomainSetMetadata, VIR_DOMAIN_METADATA_ELEMENT,
  // VIR_DOMAIN_AFFECT_CONFIG), replacing any previous bundle. Not hook-safe.
  // kInvalidArgument if `bundle` is empty or exceeds kMaxBundleSize;
  // kNotFound if there is no such domain.
  [[nodiscard]] Status SetProtectionMetadata(std::string_view domain, ByteView bundle) const;

  // The bundle stored by SetProtectionMetadata in the persistent definition
  // of `domain`. kNotFound if there is no such domain or it has no vouch
  // metadata; kMalformed if the element is not a valid bundle. Not hook-safe.
  [[nodiscard]] Result<Bytes> GetProtectionMetadata(std::string_view domain) const;

  // Removes the vouch element from the persistent definition's <metadata>.
  // OK if there was none; kNotFound if there is no such domain. Not hook-safe.
  [[nodiscard]] Status RemoveProtectionMetadata(std::string_view domain) const;

  // The domain XML (virDomainGetXMLDesc): the persistent definition if
  // `inactive`, else the live one of a running domain (the persistent one
  // if it is not running). Never VIR_DOMAIN_XML_SECURE. kNotFound if there
  // is no such domain. Not hook-safe.
  [[nodiscard]] Result<std::string> DomainXml(std::string_view domain, bool inactive) const;

  // Starts the defined, inactive `domain` (virDomainCreate), waiting at most
  // `timeout` (a start runs libvirt's hooks and spawns QEMU: seconds, not
  // call_timeout's milliseconds). kNotFound if there is no such domain;
  // kInvalidArgument with libvirt's message if it refuses (already running,
  // a hook aborted it, QEMU failed); kTimeout. Not hook-safe.
  [[nodiscard]] Status StartDomain(std::string_view domain, std::chrono::milliseconds timeout) const;

  // The names of the running (and paused) domains, sorted. Not hook-safe.
  [[nodiscard]] Result<std::vector<std::string>> ActiveDomains() const;

  // True if `domain` is running or paused (virDomainIsActive). kNotFound if
  // there is no such domain. Not hook-safe.
  [[nodiscard]] Result<bool> DomainIsActive(std::string_view domain) const;

  // `domain`'s state in virsh's words ("running", "paused", "shut off", …;
  // virDomainGetState). kNotFound if there is no such domain. Not hook-safe.
  [[nodiscard]] Result<std::string> DomainStateName(std::string_view domain) const;

  // Enforces a drift verdict on a running `domain`: pauses it
  // (virDomainSuspend; `virsh resume` undoes it) or, if `destroy`, stops it
  // at once (virDomainDestroy; its definition stays). kNotFound if there is
  // no such domain; kInvalidArgument with libvirt's message if it is not
  // running. Not hook-safe.
  [[nodiscard]] Status StopDomain(std::string_view domain, bool destroy) const;

 private:
  friend Result<LibvirtConnection> Connect(std::string_view uri, const LibvirtOptions& options);
  friend Result<HypervisorFacts> ReadHypervisorFacts(const LibvirtConnection& conn,
                                                     std::string_view machine);
  LibvirtConnection(std::shared_ptr<virConnect> conn, std::string uri, LibvirtOptions options)
      : conn_(std::move(conn)), uri_(std::move(uri)), options_(options) {}
  void Close();

  std::shared_ptr<virConnect> conn_;  // shared with in-flight worker calls
  std::string uri_;
  LibvirtOptions options_;
};

// Opens a read-write connection to `uri`. kTimeout if the daemon does not
// answer within options.call_timeout; kUnavailable if it cannot be reached
// (e.g. "Failed to connect socket to '/var/run/libvirt/libvirt-sock'").
[[nodiscard]] Result<LibvirtConnection> Connect(std::string_view uri = kDefaultLibvirtUri,
                                                const LibvirtOptions& options = {});

// The "vouch.hv" facts: libvirt = the daemon's libvirt version
// (virConnectGetLibVersion), qemu = the hypervisor version
// (virConnectGetVersion), both "MAJOR.MINOR.MICRO"; kernel = uname(2)
// release of this machine (so `conn` must be local); machine = `machine`
// as given (DomainOs::machine of the live domain XML, e.g. "pc-q35-7.2").
// No program's --version output is parsed. Hook-safe.
[[nodiscard]] Result<HypervisorFacts> ReadHypervisorFacts(const LibvirtConnection& conn,
                                                          std::string_view machine);

// "MAJOR.MINOR.MICRO" of a libvirt-encoded version number
// (major * 1,000,000 + minor * 1,000 + micro).
std::string FormatLibvirtVersion(unsigned long version);

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_LIBVIRT_H_
