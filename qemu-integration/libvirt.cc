#include "vouch/qemu/libvirt.h"

#include <libvirt/virterror.h>
#include <sys/utsname.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "internal/libvirt_error.h"
#include "internal/text.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::qemu {
namespace {

using internal::LastLibvirtError;
using internal::OneLine;
using internal::Printable;

// --- deadline runner ---------------------------------------------------------

template <typename T>
struct CallState {
  std::mutex mu;
  std::condition_variable done;
  std::optional<Result<T>> result;
};

// Runs `fn` on a new thread and waits up to `timeout` for its result.
// `fn` must own everything it uses: on kTimeout it keeps running detached,
// and its captures and result are released when it finishes.
template <typename T, typename F>
Result<T> RunWithDeadline(std::string_view what, std::chrono::milliseconds timeout, F fn) {
  auto state = std::make_shared<CallState<T>>();
  try {
    std::thread([state, f = std::make_unique<F>(std::move(fn))]() mutable {
      Result<T> r = (*f)();
      f.reset();  // drop captures (connection reference, secret copy) first
      std::lock_guard<std::mutex> lock(state->mu);
      state->result.emplace(std::move(r));
      state->done.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return Error(Code::kInternal, StrCat(what, ": cannot start a worker thread (", e.what(), ")"));
  }
  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->done.wait_for(lock, timeout, [&] { return state->result.has_value(); })) {
    return Error(Code::kTimeout, StrCat(what, ": libvirt did not answer within ", timeout.count(),
                                        " ms"));
  }
  return std::move(*state->result);
}

// --- arguments ---------------------------------------------------------------

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// 8-4-4-4-12 hex → lower case.
Result<std::string> CheckUuid(std::string_view uuid, std::string_view what) {
  bool ok = uuid.size() == 36;
  for (size_t i = 0; ok && i < uuid.size(); ++i) {
    ok = (i == 8 || i == 13 || i == 18 || i == 23) ? uuid[i] == '-' : IsHex(uuid[i]);
  }
  if (!ok) {
    return Error(Code::kInvalidArgument,
                 StrCat(what, ": expected a UUID (8-4-4-4-12 hex digits), got '", Printable(uuid), "'"));
  }
  std::string out(uuid);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string EscapeXml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// Memory from libvirt that must be released with free().
struct FreeDeleter {
  void operator()(char* p) const { free(p); }
};
using LibvirtString = std::unique_ptr<char, FreeDeleter>;

Result<VirDomainHandle> LookupDomain(virConnectPtr conn, const std::string& name) {
  VirDomainHandle dom(virDomainLookupByName(conn, name.c_str()));
  if (!dom) {
    virErrorPtr e = virGetLastError();
    if (e != nullptr && e->code == VIR_ERR_NO_DOMAIN) {
      virResetLastError();
      return Error(Code::kNotFound, StrCat("libvirt domain '", Printable(name), "' does not exist"));
    }
    return LastLibvirtError(StrCat("libvirt domain '", Printable(name), "': lookup failed"));
  }
  return dom;
}

}  // namespace

std::string FormatLibvirtVersion(unsigned long version) {
  return StrCat(version / 1000000, ".", (version / 1000) % 1000, ".", version % 1000);
}

Result<LibvirtConnection> Connect(std::string_view uri, const LibvirtOptions& options) {
  internal::QuietLibvirtErrors();
  std::string u(uri);
  auto opened = RunWithDeadline<std::shared_ptr<virConnect>>(
      StrCat("libvirt connection '", u, "'"), options.call_timeout,
      [u]() -> Result<std::shared_ptr<virConnect>> {
        virConnectPtr c = virConnectOpen(u.c_str());
        if (c == nullptr) {
          Error e = LastLibvirtError(StrCat("libvirt connection '", u, "'"));
          // Whatever libvirt calls it, failing to open is "cannot reach".
          return Error(e.code() == Code::kInternal || e.code() == Code::kInvalidArgument
                           ? Code::kUnavailable : e.code(),
                       e.message());
        }
        return std::shared_ptr<virConnect>(c, VirConnectClose());
      });
  if (!opened.ok()) return opened.error();
  return LibvirtConnection(std::move(opened).value(), std::move(u), options);
}

LibvirtConnection& LibvirtConnection::operator=(LibvirtConnection&& other) noexcept {
  if (this != &other) {
    Close();
    conn_ = std::move(other.conn_);
    uri_ = std::move(other.uri_);
    options_ = other.options_;
  }
  return *this;
}

LibvirtConnection::~LibvirtConnection() { Close(); }

void LibvirtConnection::Close() {
  if (!conn_) return;
  // virConnectClose talks to the daemon: bound it like any other call. The
  // worker may not be the last owner (an abandoned call), which is fine.
  auto closed = RunWithDeadline<bool>(
      StrCat("libvirt connection '", uri_, "': close"), options_.call_timeout,
      [c = std::move(conn_)]() mutable -> Result<bool> {
        c.reset();
        return true;
      });
  (void)closed;  // nothing useful to do with a close that timed out
}

Status LibvirtConnection::DefineEphemeralSecret(std::string_view uuid, std::string_view description,
                                                const SecretBytes& value) const {
  VOUCH_ASSIGN_OR_RETURN(std::string id, CheckUuid(uuid, "libvirt secret"));
  const std::string what = StrCat("libvirt secret '", id, "'");
  if (value.empty()) return Error(Code::kInvalidArgument, StrCat(what, ": the value is empty"));
  std::string xml = StrCat("<secret ephemeral='yes' private='yes'><uuid>", id,
                           "</uuid><description>", EscapeXml(description), "</description></secret>");
  auto run = RunWithDeadline<bool>(
      StrCat(what, ": define"), options_.call_timeout,
      [conn = conn_, xml = std::move(xml), what, v = value.Clone()]() -> Result<bool> {
        VirSecretHandle secret(virSecretDefineXML(conn.get(), xml.c_str(), 0));
        if (!secret) return LastLibvirtError(StrCat(what, ": define failed"));
        // A secret that already existed keeps libvirt's flags for it: make
        // sure the value goes only into an ephemeral, private one.
        LibvirtString desc(virSecretGetXMLDesc(secret.get(), 0));
        std::string_view head = desc ? std::string_view(desc.get()) : std::string_view();
        head = head.substr(0, head.find('>'));
        if (!desc || head.find("ephemeral='yes'") == std::string_view::npos ||
            head.find("private='yes'") == std::string_view::npos) {
          Error e = desc ? Error(Code::kInvalidArgument,
                                 StrCat(what, ": libvirt did not define it as ephemeral and private "
                                              "(a secret with this UUID already exists?)"))
                         : LastLibvirtError(StrCat(what, ": reading back its definition failed"));
          virSecretUndefine(secret.get());
          virResetLastError();
          return e;
        }
        ByteView bytes = v.Expose();
        if (virSecretSetValue(secret.get(), bytes.data(), bytes.size(), 0) < 0) {
          Error e = LastLibvirtError(StrCat(what, ": setting the value failed"));
          virSecretUndefine(secret.get());
          virResetLastError();
          return e;
        }
        return true;
      });
  if (!run.ok()) return run.error();
  return Ok();
}

Status LibvirtConnection::UndefineSecret(std::string_view uuid) const {
  VOUCH_ASSIGN_OR_RETURN(std::string id, CheckUuid(uuid, "libvirt secret"));
  const std::string what = StrCat("libvirt secret '", id, "'");
  auto run = RunWithDeadline<bool>(
      StrCat(what, ": undefine"), options_.call_timeout, [conn = conn_, id, what]() -> Result<bool> {
        VirSecretHandle secret(virSecretLookupByUUIDString(conn.get(), id.c_str()));
        if (!secret) {
          virErrorPtr e = virGetLastError();
          if (e != nullptr && e->code == VIR_ERR_NO_SECRET) {
            virResetLastError();
            return Error(Code::kNotFound, StrCat(what, " does not exist"));
          }
          return LastLibvirtError(StrCat(what, ": lookup failed"));
        }
        if (virSecretUndefine(secret.get()) < 0) return LastLibvirtError(StrCat(what, ": undefine failed"));
        return true;
      });
  if (!run.ok()) return run.error();
  return Ok();
}

Result<bool> LibvirtConnection::SecretExists(std::string_view uuid) const {
  VOUCH_ASSIGN_OR_RETURN(std::string id, CheckUuid(uuid, "libvirt secret"));
  const std::string what = StrCat("libvirt secret '", id, "'");
  return RunWithDeadline<bool>(StrCat(what, ": lookup"), options_.call_timeout,
                               [conn = conn_, id, what]() -> Result<bool> {
                                 VirSecretHandle secret(virSecretLookupByUUIDString(conn.get(), id.c_str()));
                                 if (secret) return true;
                                 virErrorPtr e = virGetLastError();
                                 if (e != nullptr && e->code == VIR_ERR_NO_SECRET) {
                                   virResetLastError();
                                   return false;
                                 }
                                 return LastLibvirtError(StrCat(what, ": lookup failed"));
                               });
}

Status LibvirtConnection::SetProtectionMetadata(std::string_view domain, ByteView bundle) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  if (bundle.empty()) return Error(Code::kInvalidArgument, StrCat(what, ": the protection bundle is empty"));
  if (bundle.size() > kMaxBundleSize) {
    return Error(Code::kInvalidArgument, StrCat(what, ": the protection bundle has ", bundle.size(),
                                                " bytes, more than the limit of ", kMaxBundleSize));
  }
  std::string xml = StrCat("<", kVouchMetadataElement, ">", Base64Encode(bundle), "</",
                           kVouchMetadataElement, ">");
  auto run = RunWithDeadline<bool>(
      StrCat(what, ": set metadata"), options_.call_timeout,
      [conn = conn_, name, what, xml = std::move(xml)]() -> Result<bool> {
        VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom, LookupDomain(conn.get(), name));
        const std::string key(kVouchMetadataPrefix), uri(kVouchMetadataNamespace);
        if (virDomainSetMetadata(dom.get(), VIR_DOMAIN_METADATA_ELEMENT, xml.c_str(), key.c_str(),
                                 uri.c_str(), VIR_DOMAIN_AFFECT_CONFIG) < 0) {
          return LastLibvirtError(StrCat(what, ": setting the vouch metadata failed"));
        }
        return true;
      });
  if (!run.ok()) return run.error();
  return Ok();
}

Result<Bytes> LibvirtConnection::GetProtectionMetadata(std::string_view domain) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  auto xml = RunWithDeadline<std::string>(
      StrCat(what, ": get metadata"), options_.call_timeout,
      [conn = conn_, name, what]() -> Result<std::string> {
        VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom, LookupDomain(conn.get(), name));
        const std::string uri(kVouchMetadataNamespace);
        LibvirtString meta(virDomainGetMetadata(dom.get(), VIR_DOMAIN_METADATA_ELEMENT, uri.c_str(),
                                                VIR_DOMAIN_AFFECT_CONFIG));
        if (!meta) {
          virErrorPtr e = virGetLastError();
          if (e != nullptr && e->code == VIR_ERR_NO_DOMAIN_METADATA) {
            virResetLastError();
            return Error(Code::kNotFound, StrCat(what, " has no vouch metadata (namespace '", uri, "')"));
          }
          return LastLibvirtError(StrCat(what, ": reading the vouch metadata failed"));
        }
        return std::string(meta.get());
      });
  if (!xml.ok()) return xml.error();
  auto bundle = ParseProtectElement(*xml);
  if (!bundle.ok()) return bundle.error().WithContext(what);
  return bundle;
}

Status LibvirtConnection::RemoveProtectionMetadata(std::string_view domain) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  auto run = RunWithDeadline<bool>(
      StrCat(what, ": remove metadata"), options_.call_timeout, [conn = conn_, name, what]() -> Result<bool> {
        VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom, LookupDomain(conn.get(), name));
        const std::string uri(kVouchMetadataNamespace);
        if (virDomainSetMetadata(dom.get(), VIR_DOMAIN_METADATA_ELEMENT, nullptr, nullptr, uri.c_str(),
                                 VIR_DOMAIN_AFFECT_CONFIG) < 0) {
          return LastLibvirtError(StrCat(what, ": removing the vouch metadata failed"));
        }
        return true;
      });
  if (!run.ok()) return run.error();
  return Ok();
}

Result<std::string> LibvirtConnection::DomainXml(std::string_view domain, bool inactive) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  return RunWithDeadline<std::string>(
      StrCat(what, ": get XML"), options_.call_timeout,
      [conn = conn_, name, what, inactive]() -> Result<std::string> {
        VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom, LookupDomain(conn.get(), name));
        LibvirtString xml(virDomainGetXMLDesc(dom.get(), inactive ? VIR_DOMAIN_XML_INACTIVE : 0));
        if (!xml) return LastLibvirtError(StrCat(what, ": reading its XML failed"));
        return std::string(xml.get());
      });
}

Status LibvirtConnection::StartDomain(std::string_view domain, std::chrono::milliseconds timeout) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  auto started = RunWithDeadline<bool>(StrCat(what, ": start"), timeout,
                                       [conn = conn_, name, what]() -> Result<bool> {
                                         VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom,
                                                                LookupDomain(conn.get(), name));
                                         if (virDomainCreate(dom.get()) < 0) {
                                           return LastLibvirtError(StrCat(what, ": start failed"));
                                         }
                                         return true;
                                       });
  if (!started.ok()) return started.error();
  return Ok();
}

Result<bool> LibvirtConnection::DomainIsActive(std::string_view domain) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  return RunWithDeadline<bool>(StrCat(what, ": state"), options_.call_timeout,
                               [conn = conn_, name, what]() -> Result<bool> {
                                 VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom,
                                                        LookupDomain(conn.get(), name));
                                 int active = virDomainIsActive(dom.get());
                                 if (active < 0) {
                                   return LastLibvirtError(StrCat(what, ": reading its state failed"));
                                 }
                                 return active == 1;
                               });
}

Result<std::string> LibvirtConnection::DomainStateName(std::string_view domain) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  return RunWithDeadline<std::string>(StrCat(what, ": state"), options_.call_timeout,
                                      [conn = conn_, name, what]() -> Result<std::string> {
                                        VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom, LookupDomain(conn.get(), name));
                                        int state = 0, reason = 0;
                                        if (virDomainGetState(dom.get(), &state, &reason, 0) < 0) {
                                          return LastLibvirtError(StrCat(what, ": reading its state failed"));
                                        }
                                        switch (state) {
                                          case VIR_DOMAIN_RUNNING: return std::string("running");
                                          case VIR_DOMAIN_BLOCKED: return std::string("idle");
                                          case VIR_DOMAIN_PAUSED: return std::string("paused");
                                          case VIR_DOMAIN_SHUTDOWN: return std::string("in shutdown");
                                          case VIR_DOMAIN_SHUTOFF: return std::string("shut off");
                                          case VIR_DOMAIN_CRASHED: return std::string("crashed");
                                          case VIR_DOMAIN_PMSUSPENDED: return std::string("pmsuspended");
                                          default: return std::string("no state");
                                        }
                                      });
}

Result<std::vector<std::string>> LibvirtConnection::ActiveDomains() const {
  const std::string what = StrCat("libvirt connection '", uri_, "'");
  return RunWithDeadline<std::vector<std::string>>(
      StrCat(what, ": list running domains"), options_.call_timeout,
      [conn = conn_, what]() -> Result<std::vector<std::string>> {
        virDomainPtr* domains = nullptr;
        int n = virConnectListAllDomains(conn.get(), &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
        if (n < 0) return LastLibvirtError(StrCat(what, ": listing running domains failed"));
        std::vector<std::string> names;
        for (int i = 0; i < n; ++i) {
          VirDomainHandle dom(domains[i]);  // frees each
          if (const char* name = virDomainGetName(dom.get())) names.emplace_back(name);
        }
        std::free(domains);
        std::sort(names.begin(), names.end());
        return names;
      });
}

Status LibvirtConnection::StopDomain(std::string_view domain, bool destroy) const {
  const std::string name(domain);
  const std::string what = StrCat("libvirt domain '", Printable(name), "'");
  auto done = RunWithDeadline<bool>(
      StrCat(what, destroy ? ": destroy" : ": pause"), options_.call_timeout,
      [conn = conn_, name, what, destroy]() -> Result<bool> {
        VOUCH_ASSIGN_OR_RETURN(VirDomainHandle dom, LookupDomain(conn.get(), name));
        int rc = destroy ? virDomainDestroy(dom.get()) : virDomainSuspend(dom.get());
        if (rc < 0) {
          return LastLibvirtError(StrCat(what, destroy ? ": destroy failed" : ": pause failed"));
        }
        return true;
      });
  if (!done.ok()) return done.error();
  return Ok();
}

Result<HypervisorFacts> ReadHypervisorFacts(const LibvirtConnection& conn, std::string_view machine) {
  const std::string what = StrCat("libvirt connection '", conn.uri(), "'");
  struct Versions {
    unsigned long lib = 0, hv = 0;
  };
  if (!conn.conn_) return Error(Code::kInvalidArgument, StrCat(what, ": not open"));
  VOUCH_ASSIGN_OR_RETURN(
      Versions v, RunWithDeadline<Versions>(
                      StrCat(what, ": versions"), conn.options().call_timeout,
                      [ref = conn.conn_, what]() -> Result<Versions> {
                        Versions out;
                        if (virConnectGetLibVersion(ref.get(), &out.lib) < 0) {
                          return LastLibvirtError(StrCat(what, ": reading the libvirt version failed"));
                        }
                        if (virConnectGetVersion(ref.get(), &out.hv) < 0) {
                          return LastLibvirtError(StrCat(what, ": reading the hypervisor version failed"));
                        }
                        return out;
                      }));
  if (v.hv == 0) {
    return Error(Code::kInternal, StrCat(what, ": the hypervisor did not report its version"));
  }
  struct utsname u {};
  if (uname(&u) != 0) return Error(Code::kInternal, "uname(2) failed: cannot read the kernel release");
  HypervisorFacts facts;
  facts.libvirt = FormatLibvirtVersion(v.lib);
  facts.qemu = FormatLibvirtVersion(v.hv);
  facts.kernel = u.release;
  facts.machine = std::string(machine);
  return facts;
}

}  // namespace vouch::qemu
