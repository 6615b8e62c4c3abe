#include "vouch/host/audit_store.h"
#include "vouch/host/agent.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "vouch/core/duration.h"
#include "vouch/core/guest_channel.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/unique_fd.h"
#include "vouch/host/guest_relay.h"
#include "vouch/host/host_records.h"
#include "vouch/host/reattest.h"
#include "vouch/host/reattest_run.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/qemu/domain_events.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::host {
namespace {

using std::chrono::milliseconds;
using Log = std::function<void(const std::string&)>;

// Sleeps `total` in short steps; false if `stop` was set meanwhile.
bool SleepUnless(const std::atomic<bool>& stop, milliseconds total) {
  for (milliseconds slept{0}; slept < total && !stop.load(); slept += milliseconds(100)) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  return !stop.load();
}

Result<UniqueFd> ConnectUnix(const std::string& path) {
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) {
    return Error(Code::kInvalidArgument, StrCat("channel socket path too long: ", path));
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Error(Code::kIo, StrCat("socket: ", std::strerror(errno)));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return Error(Code::kUnavailable, StrCat("cannot connect to the channel socket ", path, ": ",
                                            std::strerror(errno)));
  }
  return fd;
}

// One attached domain's work on a thread of its own, stopped and joined on
// destruction.
class DomainWork {
 public:
  template <typename Body>
  explicit DomainWork(Body body) : thread_([this, body] { body(stop_); }) {}
  ~DomainWork() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The relay on the guest channel at `socket`, reconnected after each session.
void RelayGuest(const AgentOptions& options, const std::string& name, const std::string& socket,
                const std::atomic<bool>& stop, const Log& log) {
  GuestRelayOptions relay{options.config, name, options.enforce, options.drift_quorum, log, options.metrics};
  std::string last_problem;
  while (!stop.load()) {
    auto fd = ConnectUnix(socket);
    Status session = fd.ok() ? ServeGuestChannel(fd->get(), relay, stop) : Status(fd.error());
    if (!session.ok() && session.error().message() != last_problem && !stop.load()) {
      last_problem = session.error().message();  // said once until it changes
      log(StrCat("domain '", name, "': guest channel: ", last_problem));
    }
    SleepUnless(stop, milliseconds(1000));
  }
}

// A host-only re-attestation every `interval_s`.
void ReattestHost(const AgentOptions& options, const std::string& name, uint64_t interval_s,
                  const std::atomic<bool>& stop, const Log& log) {
  while (SleepUnless(stop, milliseconds(interval_s * 1000))) {
    auto round = PrepareDomainRound(options.config, name);
    if (!round.ok()) {
      log(round.error().message());
      continue;
    }
    if (*round == nullptr) continue;  // no longer protected
    (*round)->input.drift_quorum = options.drift_quorum;
    const auto started = std::chrono::steady_clock::now();
    auto report = RecordDomainRound(**round, Reattest((*round)->input, (*round)->host), options.enforce);
    if (options.metrics != nullptr) {
      options.metrics->Round("host", RoundResult(report.ok() ? Ok() : Status(report.error())),
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    log(report.ok() ? StrCat("domain '", name, "': re-endorsed by ", report->endorsements, " of ",
                             report->validators, " validators (t = ", report->threshold, ")")
                    : report.error().message());
    if (report.ok()) {
      for (const std::string& e : report->write_errors) log(StrCat("domain '", name, "': ", e));
    }
  }
}

AgentOptions WithDriftQuorum(AgentOptions options) {
  if (options.drift_quorum == 0) options.drift_quorum = LedgerDriftQuorum(options.config);
  return options;
}

}  // namespace

class Agent::Impl {
 public:
  explicit Impl(AgentOptions options) : options_(WithDriftQuorum(std::move(options))) {
    Log given = options_.log;
    log_ = [this, given](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      if (given) given(line);
    };
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (manager_.joinable()) manager_.join();
    if (ledger_watch_.joinable()) ledger_watch_.join();
    watch_.reset();
    std::lock_guard<std::mutex> lock(mu_);
    work_.clear();
  }

  Status Begin() {
    VOUCH_RETURN_IF_ERROR(Subscribe());
    Reconcile();
    manager_ = std::thread([this] { Manage(); });
    if (!options_.config.ledger.empty()) ledger_watch_ = std::thread([this] { WatchLedger(); });
    return Ok();
  }

  std::vector<std::string> Attached() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> names;
    for (const auto& [name, work] : work_) names.push_back(name);
    return names;
  }

 private:
  struct Event {
    std::string name;
    bool attach = false;
  };

  // An attached domain: its work, and what the ledger watch looks for.
  struct AttachedDomain {
    std::unique_ptr<DomainWork> work;
    std::string uuid;
    std::string host;       // the launch VC's issuer
    std::string launch;     // "cti:<hex>" of its launch VC
    std::string on_drift;
    bool enforced = false;  // a revocation was enforced once
  };

  Status Subscribe() {
    auto watch = qemu::DomainEventWatch::Open(options_.config.libvirt_uri, [this](const qemu::DomainEvent& e) {
      using Kind = qemu::DomainEvent::Kind;
      std::lock_guard<std::mutex> lock(mu_);
      if (e.kind == Kind::kConnectionLost) {
        lost_ = true;
      } else if (e.kind == Kind::kStarted || e.kind == Kind::kResumed) {
        events_.push_back({e.name, true});
      } else if (e.kind == Kind::kStopped) {
        events_.push_back({e.name, false});
      } else {
        return;
      }
      wake_.notify_all();
    });
    if (!watch.ok()) return watch.error();
    watch_ = std::move(watch).value();
    return Ok();
  }

  // Events are handled here, off libvirt's event thread, one at a time.
  void Manage() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::seconds(2),
                     [this] { return stopping_ || lost_ || !events_.empty(); });
      if (stopping_) break;
      if (lost_) {
        lock.unlock();
        Resubscribe();
        lock.lock();
        continue;
      }
      while (!events_.empty() && !stopping_) {
        Event e = std::move(events_.front());
        events_.pop_front();
        lock.unlock();
        if (e.attach) {
          Attach(e.name);
        } else {
          Detach(e.name);
        }
        lock.lock();
      }
    }
  }

  bool Stopping() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  }

  // Follows the ledger: a revocation of an attached domain's launch or host
  // is enforced (its policy's on_drift) as soon as the ledger holds it,
  // once per launch. A ledger that cannot be read is said once, and tried
  // again every 2 s.
  void WatchLedger() {
    std::unique_ptr<ledger::LedgerClient> client;
    std::string said;
    while (!Stopping()) {
      if (client == nullptr) {
        auto opened = ledger::LedgerClient::Open(options_.config.ledger, HostLedgerOptions(options_.config));
        if (!opened.ok()) {
          if (opened.error().message() != said) log_(StrCat("ledger watch: ", said = opened.error().message()));
          std::this_thread::sleep_for(milliseconds(2000));
          continue;
        }
        client = std::move(opened).value();
      }
      EnforceRevocations(client->state());
      auto more = client->WaitForEntries(milliseconds(500));
      if (!more.ok()) {
        if (more.error().message() != said) log_(StrCat("ledger watch: ", said = more.error().message()));
        client.reset();
      }
    }
  }

  void EnforceRevocations(const ledger::ChainState& state) {
    struct Due {
      std::string name, uuid, on_drift, why;
    };
    std::vector<Due> due;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [name, a] : work_) {
        if (a.enforced || a.launch.empty()) continue;
        const std::string& subject = state.IsRevoked(a.host) ? a.host : a.launch;
        if (!state.IsRevoked(subject)) continue;
        a.enforced = true;
        due.push_back({name, a.uuid, a.on_drift,
                       StrCat(subject == a.host ? "host " : "launch ", subject, " is revoked on the ledger")});
      }
    }
    for (const Due& d : due) {
      std::string done = EnforceRevocation(options_.config, d.name, d.uuid, d.on_drift, d.why);
      if (options_.metrics != nullptr) options_.metrics->Enforced(d.on_drift);
      log_(StrCat("domain '", d.name, "': ", d.why, "; on_drift=", d.on_drift, ": ", done));
    }
  }

  void Resubscribe() {
    watch_.reset();
    Status subscribed = Subscribe();
    std::lock_guard<std::mutex> lock(mu_);
    if (!subscribed.ok()) {
      if (!said_lost_) log_(StrCat("libvirt connection lost; subscribing again: ", subscribed.error().message()));
      said_lost_ = true;
      return;  // again at the next wake-up (2 s)
    }
    lost_ = false;
    said_lost_ = false;
    events_.push_back({"", true});  // "" = reconcile with the running domains
    wake_.notify_all();
  }

  // Attaches the running domains and detaches those that stopped unseen.
  void Reconcile() {
    auto conn = qemu::Connect(options_.config.libvirt_uri, LibvirtOptions());
    auto names = conn.ok() ? conn->ActiveDomains() : Result<std::vector<std::string>>(conn.error());
    if (!names.ok()) {
      log_(StrCat("cannot list the running domains: ", names.error().message()));
      return;
    }
    for (const std::string& name : Attached()) {
      if (std::find(names->begin(), names->end(), name) == names->end()) Detach(name);
    }
    for (const std::string& name : *names) Attach(name);
  }

  qemu::LibvirtOptions LibvirtOptions() const {
    qemu::LibvirtOptions o;
    o.call_timeout = options_.config.libvirt_timeout;
    return o;
  }

  void Attach(const std::string& name) {
    if (name.empty()) return Reconcile();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (work_.count(name) != 0) return;
    }
    std::optional<AttachedDomain> attached = WorkFor(name);
    if (!attached) return;
    std::lock_guard<std::mutex> lock(mu_);
    work_.emplace(name, std::move(*attached));
    if (options_.metrics != nullptr) options_.metrics->SetAttached(work_.size());
  }

  void Detach(const std::string& name) {
    std::unique_ptr<DomainWork> work;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = work_.find(name);
      if (it == work_.end()) return;
      work = std::move(it->second.work);
      work_.erase(it);
      if (options_.metrics != nullptr) options_.metrics->SetAttached(work_.size());
    }
    work.reset();  // joins, outside the lock
    log_(StrCat("domain '", name, "' stopped: detached"));
  }

  // The work `name` needs, or nothing (not protected, or it cannot be
  // served: said in one line).
  std::optional<AttachedDomain> WorkFor(const std::string& name) {
    auto conn = qemu::Connect(options_.config.libvirt_uri, LibvirtOptions());
    auto xml = conn.ok() ? conn->DomainXml(name, /*inactive=*/false) : Result<std::string>(conn.error());
    if (!xml.ok()) {
      log_(StrCat("domain '", name, "': ", xml.error().message()));
      return std::nullopt;
    }
    auto domain = qemu::ParseDomainXml(*xml);
    if (!domain.ok()) {
      if (xml->find(qemu::kVouchMetadataNamespace) != std::string::npos) {
        log_(StrCat("domain '", name, "': ", domain.error().message()));
      }
      return std::nullopt;
    }
    std::optional<Bytes> bundle = ProtectionBundleOf(options_.config, *domain);
    if (!bundle) return std::nullopt;
    auto policy = PolicyOfBundle(*bundle);
    if (!policy.ok()) {
      log_(StrCat("domain '", name, "': ", policy.error().message()));
      return std::nullopt;
    }
    const OwnerPolicy& p = policy->policy();
    const AgentOptions& options = options_;
    const Log& log = log_;
    AttachedDomain attached;
    attached.uuid = domain->uuid;
    attached.on_drift = p.on_drift;
    if (auto launch = AuditStore(options_.config.audit_dir).NewestVc(domain->uuid, "launch"); launch.ok()) {
      if (auto vc = HostVc::Parse(*launch); vc.ok()) {
        attached.host = vc->claims().issuer;
        attached.launch = StrCat("cti:", HexEncode(vc->claims().cti));
      }
    }
    if (!p.guest) {
      log_(StrCat("domain '", name, "' attached: host re-attestation every ",
                  FormatDuration(std::chrono::seconds(p.reattest_s))));
      const uint64_t interval = p.reattest_s;
      attached.work = std::make_unique<DomainWork>([&options, &log, name, interval](const std::atomic<bool>& stop) {
        ReattestHost(options, name, interval, stop, log);
      });
      return attached;
    }
    auto socket = qemu::VirtioChannelSocketPath(*xml, guest_channel::kPortName);
    if (!socket.ok()) {
      log_(StrCat("domain '", name, "': its policy expects guest evidence, but ", socket.error().message()));
      return std::nullopt;
    }
    log_(StrCat("domain '", name, "' attached: guest relay on ", *socket));
    attached.work = std::make_unique<DomainWork>([&options, &log, name, path = *socket](const std::atomic<bool>& stop) {
      RelayGuest(options, name, path, stop, log);
    });
    return attached;
  }

  const AgentOptions options_;
  Log log_;
  std::mutex log_mu_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Event> events_;
  bool lost_ = false;
  bool said_lost_ = false;
  bool stopping_ = false;
  std::map<std::string, AttachedDomain> work_;
  std::thread ledger_watch_;
  std::unique_ptr<qemu::DomainEventWatch> watch_;
  std::thread manager_;
};

Agent::Agent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Agent::~Agent() = default;

Result<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  VOUCH_RETURN_IF_ERROR(impl->Begin());
  return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

std::vector<std::string> Agent::Attached() const { return impl_->Attached(); }

}  // namespace vouch::host
