// What the host keeps about its protected domains, read by every step that
// comes after a release (re-attestation, the stop, `vouch status`):
//   the domain's protection bundle: in its <metadata>, else
//     BUNDLE_DIR/<uuid>.bundle (managers that rewrite the XML);
//   the audit store, AUDIT_DIR: every endorsed VC the host obtained, as
//     "<uuid>-<cti>.cbor" (0644: no secrets), and the logs releases.log,
//     reattest.log and stops.log, one line per event;
//   the ledger, read as the hook reads it (pinned genesis, head file).
#ifndef VOUCH_HOST_HOST_RECORDS_H_
#define VOUCH_HOST_HOST_RECORDS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/host/hook_config.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::host {

// The encoded bundle of `domain`; nullopt if it has none (unprotected).
std::optional<Bytes> ProtectionBundleOf(const HookConfig& config, const qemu::DomainConfig& domain);

// The ledger's revoke_quorum (its genesis), the number of signed drift
// verdicts that make a re-attestation's refusal enforceable; 0 (the policy's
// t decides) without a ledger or if it cannot be read (said on stderr).
size_t LedgerDriftQuorum(const HookConfig& config);

// The ledger's client options for this host: its pinned genesis, its head
// file in the state dir, its access, warnings to stderr.
ledger::LedgerClientOptions HostLedgerOptions(const HookConfig& config);

}  // namespace vouch::host

#endif  // VOUCH_HOST_HOST_RECORDS_H_
