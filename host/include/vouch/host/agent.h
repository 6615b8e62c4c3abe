// vouch-agent (DESIGN §2 "Run"): the host daemon that keeps every running
// protected domain re-attested while it runs.
//
// It follows libvirt's lifecycle events (qemu/domain_events.h), not a
// polling loop: at start it subscribes, then attaches to the domains
// already running (a restarted agent re-attaches; the guest baseline it
// kept means no false drift); a started or resumed domain is attached, a
// stopped one detached. A domain is attached only if it carries a vouch
// bundle; its work then depends on its policy:
//   - with a guest section: a relay (guest_relay.h) on the domain's
//     virtio-serial channel org.vouch.attest.0 (the unix socket QEMU binds,
//     from the live XML), reconnected after each session; the shim's timer
//     drives the rounds;
//   - without: a host-only re-attestation every reattest_s
//     (PrepareDomainRound + Reattest + RecordDomainRound).
// A drift verdict applies the policy's on_drift when `enforce`. When the
// libvirt connection is lost the agent subscribes again (every 2 s until it
// can) and reconciles with the running domains.
#ifndef VOUCH_HOST_AGENT_H_
#define VOUCH_HOST_AGENT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/host/agent_metrics.h"
#include "vouch/host/hook_config.h"

namespace vouch::host {

struct AgentOptions {
  HookConfig config;
  bool enforce = true;
  // Signed drift verdicts needed to enforce (ReattestInput::drift_quorum);
  // 0: the ledger's revoke_quorum, read at start (or the policy's t).
  size_t drift_quorum = 0;
  // One line per event, round and problem; may be called from any thread,
  // one call at a time.
  std::function<void(const std::string&)> log;
  // Counts rounds, enforcements and attached domains if set; outlives the agent.
  AgentMetrics* metrics = nullptr;
};

class Agent {
 public:
  // Subscribes to libvirt's events on config.libvirt_uri and attaches to the
  // running protected domains. kUnavailable naming the URI if libvirt cannot
  // be reached at all.
  static Result<std::unique_ptr<Agent>> Start(AgentOptions options);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  // Stops every domain's work and waits for it (a round in flight ends
  // within its deadline).
  ~Agent();

  // The names of the domains with work, sorted.
  std::vector<std::string> Attached() const;

 private:
  class Impl;
  explicit Agent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::host

#endif  // VOUCH_HOST_AGENT_H_
