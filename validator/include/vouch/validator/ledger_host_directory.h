// LedgerHostDirectory: the HostDirectory of a production validator, read
// from the shared ledger (DESIGN §6) through vouch::ledger's LedgerClient,
// which verifies every entry (signatures, hash chain, authorization) before
// its views are used.
//
//   host record   ← the host's DID document (did-register / did-update):
//                   ak_public, certified (certify_quorum of admitted,
//                   unrevoked validators certified the current AK),
//                   certified_by (those validators: their own did-updates
//                   of the current AK), revoked and its reason;
//   IsRevoked     ← the chain's effective revocations (a DID or "cti:<hex>");
//   LedgerHead    ← the digest of the head entry;
//   PlatformClassOf ← the governance-admitted `reference` fragments in effect.
//
// Lookup first syncs the entries appended since the last read, so a
// revocation on the ledger is enforced from the next appraisal on. A ledger
// that cannot be read or no longer verifies makes Lookup fail kUnavailable
// (fail closed: no release without a current, verified view).
//
// It is also the enrollment's CertificationLedger: Certify appends the
// validator's certifying did-update through the same client; and the
// HostEntryLedger of POST /v1/ledger/append (ledger_append.h), and the
// LedgerHealthSource of the dashboard and /metrics, and the RevocationSource
// of GET /v1/status/revocation: every sync, however
// triggered (a lookup, Refresh), records its outcome there.
//
// Thread-safe (one mutex around the LedgerClient; another around the
// health, so reading it never waits for a sync).
#ifndef VOUCH_VALIDATOR_LEDGER_HOST_DIRECTORY_H_
#define VOUCH_VALIDATOR_LEDGER_HOST_DIRECTORY_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <functional>

#include "vouch/ledger/ledger_client.h"
#include "vouch/validator/checkpoint_source.h"
#include "vouch/validator/enrollment.h"
#include "vouch/validator/host_directory.h"
#include "vouch/validator/ledger_append.h"
#include "vouch/validator/ledger_health.h"
#include "vouch/validator/revocation_reporter.h"
#include "vouch/validator/revocation_source.h"

namespace vouch::validator {

class LedgerHostDirectory : public HostDirectory,
                            public CertificationLedger,
                            public RevocationReporter,
                            public CheckpointSource,
                            public HostEntryLedger,
                            public LedgerHealthSource,
                            public RevocationSource {
 public:
  // Seconds since the epoch, for the health's times.
  using Clock = std::function<int64_t()>;

  // Opens the ledger `locator` names ("sqlite:///abs/path") and verifies it
  // from genesis, under `options`' trust anchor (a pinned genesis, a head
  // file: ledger_client.h). kInvalidArgument for an unsupported locator;
  // otherwise the errors of LedgerClient::Open, with the locator.
  // `clock` dates the health (the system clock if empty).
  static Result<std::unique_ptr<LedgerHostDirectory>> Open(std::string_view locator,
                                                           const ledger::LedgerClientOptions& options,
                                                           Clock clock = {});
  // Over an already opened (so verified) client (tests).
  explicit LedgerHostDirectory(std::unique_ptr<ledger::LedgerClient> client, Clock clock = {});

  // Syncs now (vouchd calls it every few seconds, so the health stays
  // current without lookups). kUnavailable if the ledger cannot be read or
  // no longer verifies.
  Status Refresh();
  LedgerHealth Health() override;

  // Syncs, then: kUnknownHost if `did` never registered; kUnavailable if the
  // sync failed.
  Result<HostRecord> Lookup(std::string_view did) override;
  // From the view as of the last sync; does not sync.
  bool IsRevoked(std::string_view subject) override;
  std::optional<std::string> QuarantineOf(std::string_view host, std::string_view domain) override;
  Bytes LedgerHead() override;
  PlatformClass PlatformClassOf(std::string_view name) override;
  // The genesis parameters as of the last sync (they never change).
  std::optional<ledger::GenesisBody> Genesis();
  // Whether `did` is a registered, admitted, unrevoked validator as of the
  // last sync.
  bool IsActiveValidator(std::string_view did);
  // The endpoint `did` registered (its latest validator-register or
  // validator-update) as of the last sync; nullopt if it never registered.
  std::optional<std::string> RegisteredEndpoint(std::string_view did);

  Result<EnrollmentSubject> Subject(std::string_view did, std::string_view validator_did) override;
  Status Report(const LaunchReport& report,
                const Ed25519PrivateKey& key, int64_t at) override;
  Status Certify(std::string_view did, ByteView ak_public, const Ed25519PrivateKey& key,
                 int64_t at) override;
  Result<Bytes> SignedCheckpoint(const Ed25519PrivateKey& key, int64_t at) override;
  Result<std::vector<std::string>> RevokedSubjects() override;
  Result<ledger::AppendOutcome> SubmitJudged(const ledger::Entry& entry, const Judge& judge) override;

 private:
  // Reads the entries appended since the last sync. REQUIRES: mu_ held.
  Status SyncLocked();
  // Syncs, then the host's DID document; kUnknownHost if it never
  // registered. REQUIRES: mu_ held.
  Result<const ledger::DidDocument*> SyncAndFindHostLocked(std::string_view did);
  // Records a sync's outcome (`error` empty: it verified) and the head
  // after it. REQUIRES: mu_ held.
  void RecordSyncLocked(const std::string& error);

  std::mutex mu_;
  std::unique_ptr<ledger::LedgerClient> client_;
  std::string locator_;
  Clock clock_;
  std::mutex health_mu_;
  LedgerHealth health_;  // guarded by health_mu_
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LEDGER_HOST_DIRECTORY_H_
