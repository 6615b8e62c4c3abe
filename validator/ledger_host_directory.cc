#include "vouch/validator/ledger_host_directory.h"

#include <chrono>

#include "vouch/ledger/checkpoint.h"

namespace vouch::validator {

Result<std::unique_ptr<LedgerHostDirectory>> LedgerHostDirectory::Open(
    std::string_view locator, const ledger::LedgerClientOptions& options, Clock clock) {
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<ledger::LedgerClient> client,
                         ledger::LedgerClient::Open(locator, options));
  return std::make_unique<LedgerHostDirectory>(std::move(client), std::move(clock));
}

LedgerHostDirectory::LedgerHostDirectory(std::unique_ptr<ledger::LedgerClient> client, Clock clock)
    : client_(std::move(client)), locator_(client_->ledger().locator()), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  std::lock_guard<std::mutex> lock(mu_);
  RecordSyncLocked("");  // an opened client has read and verified the ledger
}

Status LedgerHostDirectory::SyncLocked() {
  if (auto synced = client_->Sync(); !synced.ok()) {
    Error error(Code::kUnavailable,
                StrCat("ledger '", locator_, "' cannot be read or verified: ", synced.error().message()));
    RecordSyncLocked(error.message());
    return error;
  }
  RecordSyncLocked("");
  return Ok();
}

void LedgerHostDirectory::RecordSyncLocked(const std::string& error) {
  const ledger::ChainState& state = client_->state();
  const int64_t now = clock_();
  std::lock_guard<std::mutex> lock(health_mu_);
  health_.synced = error.empty();
  if (error.empty()) {
    health_.last_sync_at = now;
  } else {
    health_.last_error = error;
    health_.last_error_at = now;
    ++health_.sync_failures;
  }
  // A failed sync may still have moved the head (it keeps the entries
  // before the failing one); the revocations change only with the head.
  if (state.size() == health_.entries) return;
  health_.entries = state.size();
  health_.head_index = state.size() == 0 ? 0 : state.size() - 1;
  health_.head_digest_hex = HexEncode(state.head_digest());
  health_.revocations = state.revocation_count();
  health_.latest_revocations.clear();
  for (const ledger::Revocation& r : state.LatestRevocations(kLatestRevocations)) {
    health_.latest_revocations.push_back(RevocationSummary{r.subject, r.reason, r.index});
  }
}

Status LedgerHostDirectory::Refresh() {
  std::lock_guard<std::mutex> lock(mu_);
  return SyncLocked();
}

LedgerHealth LedgerHostDirectory::Health() {
  std::lock_guard<std::mutex> lock(health_mu_);
  return health_;
}

bool LedgerHostDirectory::IsActiveValidator(std::string_view did) {
  std::lock_guard<std::mutex> lock(mu_);
  return client_->state().IsActiveValidator(did);
}

std::optional<std::string> LedgerHostDirectory::RegisteredEndpoint(std::string_view did) {
  std::lock_guard<std::mutex> lock(mu_);
  const ledger::ValidatorRecord* v = client_->state().FindValidator(did);
  if (v == nullptr) return std::nullopt;
  return v->endpoint;
}

Result<Bytes> LedgerHostDirectory::SignedCheckpoint(const Ed25519PrivateKey& key, int64_t at) {
  std::lock_guard<std::mutex> lock(mu_);
  // A ledger that no longer verifies is exactly when readers need the head
  // verified before it.
  (void)SyncLocked();
  if (client_->state().size() == 0) return Error(Code::kUnavailable, "the ledger is empty");
  return ledger::EncodeCheckpoint(ledger::SignCheckpoint(client_->state(), key, at));
}

Result<std::vector<std::string>> LedgerHostDirectory::RevokedSubjects() {
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_RETURN_IF_ERROR(SyncLocked());
  return client_->state().RevokedSubjects();
}

Result<const ledger::DidDocument*> LedgerHostDirectory::SyncAndFindHostLocked(std::string_view did) {
  VOUCH_RETURN_IF_ERROR(SyncLocked());
  const ledger::DidDocument* doc = client_->state().FindHost(did);
  if (doc == nullptr) {
    return Error(Code::kUnknownHost, StrCat("host '", did, "' is not registered on the ledger"));
  }
  return doc;
}

Result<HostRecord> LedgerHostDirectory::Lookup(std::string_view did) {
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_ASSIGN_OR_RETURN(const ledger::DidDocument* doc, SyncAndFindHostLocked(did));
  const ledger::ChainState& state = client_->state();
  HostRecord record{doc->did, doc->ak_public, doc->certified, {}, doc->revoked, doc->revoked_reason};
  for (const std::string& validator : doc->certified_by) {
    if (state.IsActiveValidator(validator)) record.certified_by.insert(validator);
  }
  if (!record.revoked) {
    if (const ledger::Revocation* r = state.FindRevocation(did)) {
      record.revoked = true;
      record.revoked_reason = r->reason;
    }
  }
  if (record.revoked && record.revoked_reason.empty())
    record.revoked_reason = "revoked on the ledger";
  return record;
}

bool LedgerHostDirectory::IsRevoked(std::string_view subject) {
  std::lock_guard<std::mutex> lock(mu_);
  return client_->state().IsRevoked(subject);
}

std::optional<std::string> LedgerHostDirectory::QuarantineOf(std::string_view host, std::string_view domain) {
  std::lock_guard<std::mutex> lock(mu_);
  const ledger::Quarantine* q = client_->state().FindQuarantine(host, domain);
  if (q == nullptr) return std::nullopt;
  return StrCat("host '", host, "' is quarantined for domain ", domain, " since ledger entry ", q->index,
                ": its launch ", q->launch, " was revoked (", q->reason, "); until ",
                q->owner.empty() ? std::string("a governance quorum") : StrCat("its owner '", q->owner, "' or governance"),
                " reinstates it");
}

PlatformClass LedgerHostDirectory::PlatformClassOf(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return client_->state().FindPlatformClass(name);
}

Bytes LedgerHostDirectory::LedgerHead() {
  std::lock_guard<std::mutex> lock(mu_);
  return ToBytes(client_->state().head_digest());
}

std::optional<ledger::GenesisBody> LedgerHostDirectory::Genesis() {
  std::lock_guard<std::mutex> lock(mu_);
  const ledger::GenesisBody* genesis = client_->state().genesis();
  if (genesis == nullptr) return std::nullopt;
  return *genesis;
}

Result<EnrollmentSubject> LedgerHostDirectory::Subject(std::string_view did,
                                                       std::string_view validator_did) {
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_ASSIGN_OR_RETURN(const ledger::DidDocument* doc, SyncAndFindHostLocked(did));
  const ledger::ChainState& state = client_->state();
  EnrollmentSubject subject;
  subject.did = doc->did;
  subject.ak_public = doc->ak_public;
  subject.ek_cert = doc->ek_cert;
  if (const ledger::GenesisBody* g = state.genesis()) subject.tpm_cas = g->tpm_cas;
  subject.revoked = doc->revoked || state.IsRevoked(did);
  subject.certified_by_me = doc->certified_by.count(std::string(validator_did)) != 0;
  return subject;
}

Status LedgerHostDirectory::Certify(std::string_view did, ByteView ak_public,
                                    const Ed25519PrivateKey& key, int64_t at) {
  ledger::DidUpdateBody body;
  body.did = std::string(did);
  Sha256Digest digest = Sha256(ak_public);
  body.certify_ak = Bytes(digest.begin(), digest.end());
  std::lock_guard<std::mutex> lock(mu_);
  auto appended = client_->Append(body, key, at);
  if (!appended.ok()) {
    return appended.error().WithContext(StrCat("certifying '", did, "' on ledger '", locator_, "'"));
  }
  return Ok();
}

Result<ledger::AppendOutcome> LedgerHostDirectory::SubmitJudged(const ledger::Entry& entry, const Judge& judge) {
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_RETURN_IF_ERROR(SyncLocked());
  VOUCH_RETURN_IF_ERROR(judge(client_->state()));
  return client_->Submit(entry);
}

Status LedgerHostDirectory::Report(const LaunchReport& report, const Ed25519PrivateKey& key, int64_t at) {
  ledger::RevokeBody body;
  body.subject = report.launch;
  body.reason = report.reason.substr(0, ledger::kMaxReasonSize);
  body.evidence = report.evidence;
  body.host = report.host;
  body.domain = report.domain;
  body.owner = report.owner;
  std::lock_guard<std::mutex> lock(mu_);
  auto appended = client_->Append(body, key, at);
  if (!appended.ok()) {
    return appended.error().WithContext(
        StrCat("reporting '", report.launch, "' on ledger '", locator_, "'"));
  }
  return Ok();
}

}  // namespace vouch::validator
