// agent_bench: how soon vouch-agent enforces a revocation on a running
// protected domain (DESIGN §2 "Run"), p50/p99, next to the ledger append it
// follows, measured in the same run:
//
//   - kDomains protected domains run on libvirt's test driver (test:///default,
//     a real libvirt driver kept in this process: it answers the agent's
//     lifecycle events, XML and suspend calls as qemu:/// does, without a
//     QEMU; the e2e does the same on the real qemu:///system once);
//   - the real host::Agent attaches to them (their bundles in bundle_dir,
//     their launch VCs in the audit store, on_drift = pause) and follows the
//     ledger (SQLite, then a 3-member etcd cluster started here);
//   - for each domain a governance quorum revokes its launch credential;
//     the time from the start of that Append until libvirt reports the domain
//     paused is the enforcement latency, shown against the Append's own
//     latency (the commit the agent cannot beat).
//
// A plain program; not part of ctest. Usage: agent_bench [/usr/bin/etcd]
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/testing/sample_claims.h"
#include "testing/etcd_cluster.h"
#include "testing/ledger_world.h"
#include "vouch/core/hpke.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"
#include "vouch/host/agent.h"
#include "vouch/host/audit_store.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/qemu/libvirt.h"

#include "percentile.h"

namespace {

using vouch::bench::Percentile;
using vouch::bench::Millis;

using namespace vouch;  // NOLINT: a benchmark program
using Clock = std::chrono::steady_clock;

constexpr int kDomains = 60;
constexpr const char* kUri = "test:///default";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "agent_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(StrCat(what, ": ", r.error().ToString()));
  return std::move(r).value();
}

void MustOk(const Status& s, const std::string& what) {
  if (!s.ok()) Die(StrCat(what, ": ", s.error().ToString()));
}

struct ProtectedDomain {
  std::string name, uuid, launch;  // launch: "cti:<hex>"
  qemu::VirDomainHandle domain;
};

std::string Uuid() { return StrCat("5f1e0c4a-3b57-4a8e-9d2c-", HexEncode(RandomBytes(6))); }

// Runs `name` on the test driver and gives it what the agent needs to
// attach: a bundle (owner policy, on_drift pause, no guest section) in
// bundle_dir and a launch VC in the audit store.
ProtectedDomain Protect(virConnectPtr conn, const host::HookConfig& config, const Ed25519PrivateKey& owner,
                        const Ed25519PrivateKey& host_key, int i) {
  ProtectedDomain d;
  d.name = StrCat("bench-", i);
  d.uuid = Uuid();
  const std::string xml = StrCat("<domain type='test'><name>", d.name, "</name><uuid>", d.uuid,
                                 "</uuid><memory unit='KiB'>65536</memory><vcpu>1</vcpu>"
                                 "<os><type arch='x86_64'>hvm</type></os></domain>");
  d.domain.reset(virDomainCreateXML(conn, xml.c_str(), 0));
  if (d.domain == nullptr) Die(StrCat("test driver: cannot start ", d.name));

  OwnerPolicy p;
  p.domain_uuid = d.uuid;
  p.threshold = 2;
  for (int v = 0; v < 2; ++v) {
    p.validators.push_back({DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did(),
                            X25519PrivateKey::Generate().public_key(), StrCat("http://127.0.0.1:", 7400 + v)});
    p.commit.push_back(RandomBytes(32));
  }
  p.kcv = RandomBytes(32);
  p.on_drift = "pause";
  p.reattest_s = 3600;  // no host round during the run: only the ledger watch acts
  SignedPolicy policy = Must(SignedPolicy::Sign(p, owner), "sign policy");
  MustOk(WriteFile(StrCat(config.bundle_dir, "/", d.uuid, ".bundle"),
                   EncodeBundle(ProtectionBundle{policy.encoded(), {RandomBytes(64), RandomBytes(64)}})),
         "bundle");
  HostVcClaims c = testing::SampleClaims(host_key, X25519PrivateKey::Generate().public_key());
  c.domain_uuid = d.uuid;
  const PolicyDigest digest = policy.digest();
  c.policy_digest = Bytes(digest.bytes().begin(), digest.bytes().end());
  HostVc vc = Must(HostVc::Issue(c, host_key), "launch VC");
  MustOk(host::AuditStore(config.audit_dir).PutVc(d.uuid, vc), "audit store");
  d.launch = StrCat("cti:", HexEncode(c.cti));
  return d;
}

bool Paused(virDomainPtr d) {
  int state = 0, reason = 0;
  return virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED;
}

void Run(const char* backend, const std::string& locator) {
  ledger::testing::World w;
  ledger::testing::TempDir tmp;
  host::HookConfig config;
  config.libvirt_uri = kUri;
  config.ledger = locator;
  config.audit_dir = StrCat(tmp.path(), "/audit");
  config.bundle_dir = StrCat(tmp.path(), "/domains");
  config.state_dir = StrCat(tmp.path(), "/state");
  for (const std::string& d : {config.bundle_dir, config.state_dir}) {
    if (std::system(StrCat("mkdir -p '", d, "'").c_str()) != 0) Die("mkdir " + d);
  }
  ledger::LedgerOptions ledger_options;
  ledger_options.create_if_missing = true;
  auto writer = Must(ledger::LedgerClient::Open(Must(ledger::OpenLedger(locator, ledger_options), "ledger")),
                     "ledger client");
  ledger::GenesisBody genesis = w.Genesis(/*certify=*/2, /*admit=*/2, /*revoke=*/2);
  auto g = Must(writer->Append(genesis, w.gov[0], ledger::testing::kT0), "genesis");
  config.genesis = g.digest();

  qemu::VirConnectHandle conn(virConnectOpen(kUri));  // held: the test driver's state lives while a connection does
  if (conn == nullptr) Die("cannot open test:///default");
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), host_key = Ed25519PrivateKey::Generate();
  std::vector<ProtectedDomain> domains;
  for (int i = 0; i < kDomains; ++i) domains.push_back(Protect(conn.get(), config, owner, host_key, i));

  std::mutex log_mu;
  std::vector<std::string> log;
  host::AgentOptions options;
  options.config = config;
  options.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.push_back(line);
  };
  auto agent = Must(host::Agent::Start(options), "agent");
  const auto attach_deadline = Clock::now() + std::chrono::seconds(30);
  while (agent->Attached().size() < static_cast<size_t>(kDomains)) {
    if (Clock::now() > attach_deadline) {
      std::lock_guard<std::mutex> lock(log_mu);
      Die(StrCat("the agent attached ", agent->Attached().size(), " of ", kDomains, " domains; last log: ",
                 log.empty() ? "-" : log.back()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the watch has read the head

  std::vector<double> enforce_ms, append_ms, after_append_ms;
  int64_t at = ledger::testing::kT0 + 10;
  for (ProtectedDomain& d : domains) {
    ledger::RevokeBody revoke{d.launch, "bench: launch withdrawn", RandomBytes(32)};
    const Clock::time_point t0 = Clock::now();
    Must(writer->Append(revoke, w.gov[0], at++, {&w.gov[1]}), "revoke");
    const Clock::time_point t1 = Clock::now();
    while (!Paused(d.domain.get())) {
      if (Clock::now() - t0 > std::chrono::seconds(20)) Die(StrCat(d.name, " was not paused within 20 s"));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const Clock::time_point t2 = Clock::now();
    append_ms.push_back(Millis(t1 - t0));
    enforce_ms.push_back(Millis(t2 - t0));
    after_append_ms.push_back(Millis(t2 - t1));
  }
  agent.reset();
  for (ProtectedDomain& d : domains) virDomainDestroy(d.domain.get());

  const double e50 = Percentile(enforce_ms, 0.5), e99 = Percentile(enforce_ms, 0.99);
  const double a50 = Percentile(append_ms, 0.5), a99 = Percentile(append_ms, 0.99);
  std::printf("%-6s revocation -> domain paused by vouch-agent (%d domains, one revocation each): p50 %.2f ms, "
              "p99 %.2f ms\n",
              backend, kDomains, e50, e99);
  std::printf("%-6s   after the append returned: p50 %.2f ms, p99 %.2f ms\n", backend,
              Percentile(after_append_ms, 0.5), Percentile(after_append_ms, 0.99));
  std::printf("%-6s   the governance append itself: p50 %.2f ms, p99 %.2f ms; enforced p50 / append p50 = %.2f\n",
              backend, a50, a99, e50 / a50);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string etcd = argc > 1 ? argv[1] : "/usr/bin/etcd";
  virSetErrorFunc(nullptr, [](void*, virErrorPtr) {});
  {
    ledger::testing::TempDir tmp;
    Run("sqlite", StrCat("sqlite://", tmp.path(), "/ledger.db"));
    std::printf("sqlite   (the agent's watch polls every %lld ms: LedgerOptions::poll_interval)\n",
                static_cast<long long>(ledger::LedgerOptions{}.poll_interval.count()));
  }
  {
    ledger::testing::EtcdCluster cluster(3, etcd);
    if (!cluster.ok()) Die(StrCat("etcd cluster: ", cluster.error()));
    Run("etcd", cluster.Locator({0, 1, 2}));
  }
  return 0;
}
