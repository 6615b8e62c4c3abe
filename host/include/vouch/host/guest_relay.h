// The host agent's side of the guest channel (DESIGN §2 "Run", §5 "Guest
// shim"): vouch-shim in a running protected domain drives each round over
// the virtio-serial port org.vouch.attest.0, and the relay answers it:
//   hello            → the domain's owner policy and endorsed launch VC;
//   round            → the validators' challenges (a ReattestRound begins,
//                      with the domain read afresh from libvirt);
//   evidence{round}  → the round finishes: the guest's vTPM evidence goes
//                      into the reattest VC beside the host's fresh quote
//                      and the live config digest; the endorsed VC goes
//                      back ("endorsed"), or the refusal ("refused", one
//                      line), and the outcome is recorded and, on a drift
//                      verdict, enforced (RecordDomainRound).
// The channel is outside input: a frame that does not decode ends the
// session (the caller reconnects); evidence for a round that was not begun
// is refused.
#ifndef VOUCH_HOST_GUEST_RELAY_H_
#define VOUCH_HOST_GUEST_RELAY_H_

#include <atomic>
#include <functional>
#include <string>

#include "vouch/core/errors.h"
#include "vouch/host/agent_metrics.h"
#include "vouch/host/hook_config.h"

namespace vouch::host {

struct GuestRelayOptions {
  HookConfig config;
  std::string domain;   // the libvirt domain name
  bool enforce = true;  // apply on_drift on a drift verdict
  size_t drift_quorum = 0;  // ReattestInput::drift_quorum (the ledger's revoke_quorum)
  // One line per round and per session problem (the agent's log).
  std::function<void(const std::string&)> log = [](const std::string&) {};
  AgentMetrics* metrics = nullptr;  // counts each round if set
};

// Serves the shim on `fd` (connected to the domain's channel; not owned)
// until `stop` is set (looked at every 200 ms) or the session ends: the
// peer closed (kUnavailable), a frame did not decode (kMalformed) or did not
// complete within 30 s (kTimeout). Never returns while a round's answer is
// owed and the channel works.
Status ServeGuestChannel(int fd, const GuestRelayOptions& options, const std::atomic<bool>& stop);

}  // namespace vouch::host

#endif  // VOUCH_HOST_GUEST_RELAY_H_
