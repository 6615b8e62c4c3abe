// The host's client for one validator's HTTP API (DESIGN §4; the wire forms
// are vouch/protocol/validator_api.h, shared with vouchd). Each call is
// bounded by the timeout given at construction. Thread-compatible: use one
// client per thread.
#ifndef VOUCH_HOST_VALIDATOR_CLIENT_H_
#define VOUCH_HOST_VALIDATOR_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/core/stop_notice.h"
#include "vouch/ledger/entry.h"
#include "vouch/ledger/ledger.h"

namespace vouch::host {

struct Challenge {
  Bytes nonce;
  std::string validator_did;
};

struct AttestResponse {
  Bytes endorsement;  // encoded COSE_Countersignature
  Bytes share;        // share re-sealed to the VC's cnf key
};

// A credential to activate (DESIGN §4 POST /v1/enroll).
struct EnrollCredential {
  Bytes credential;        // TPM2B_ID_OBJECT
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET
};

class ValidatorClient {
 public:
  // `endpoint` is "http://HOST:PORT" (https is not built in yet).
  ValidatorClient(std::string endpoint, std::chrono::milliseconds timeout);

  // GET /v1/challenge?host=DID. kUnavailable / kTimeout if it cannot be
  // reached; the validator's own code and reason if it refuses.
  Result<Challenge> GetChallenge(const std::string& host_did);

  // POST /v1/attest {"vc", "policy", "share", "index", "evlog" (only if not
  // empty: the event log whose digest the VC's "vouch.evlog" holds)}.
  Result<AttestResponse> Attest(ByteView vc, ByteView policy, ByteView sealed_share, size_t index,
                                ByteView event_log = {});

  // POST /v1/reattest {"vc", "policy", "launch", "index", "guest_baseline"
  // and "evlog" (each only if not empty)}: the endorsement (encoded COSE_Countersignature)
  // over the reattest VC. A refusal that carries the validator's signed
  // drift verdict leaves it, unverified, in `drift_verdict` (if not null).
  Result<Bytes> Reattest(ByteView vc, ByteView policy, ByteView launch_vc, size_t index,
                         ByteView guest_baseline = {}, Bytes* drift_verdict = nullptr,
                         ByteView event_log = {});

  // POST /v1/enroll, signed by `host_key` for `validator_did`
  // (vouch/core/enrollment_request.h), dated `at`: the validator checks the
  // registered EK certificate and makes a credential for the registered AK.
  Result<EnrollCredential> BeginEnroll(const Ed25519PrivateKey& host_key, std::string_view validator_did,
                                       int64_t at);
  // POST /v1/enroll/finish for the enrollment begun at `at`: `secret` is
  // what TPM2_ActivateCredential returned; on success the validator's
  // certification is on the ledger.
  Status FinishEnroll(const Ed25519PrivateKey& host_key, std::string_view validator_did, int64_t at,
                      ByteView secret);

  // POST /v1/ledger/append of this host's `entry`
  // (vouch/ledger/append_request.h): kAppended or kAlreadyPresent once the
  // validator stored it, kIndexTaken if another entry holds its index (HTTP
  // 409 "index-taken": draft again); the validator's refusal otherwise.
  Result<ledger::AppendOutcome> AppendLedgerEntry(const ledger::Entry& entry);

  // POST /v1/stop of `notice` (vouch/core/stop_notice.h): Ok once the
  // validator ended its lease; kNotFound if it holds none of that launch.
  Status Stop(const StopNotice& notice);

  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Reply {
    int status = 0;
    Bytes body;
  };
  // One request, sent again on 429 (rate-limited) while timeout_ allows.
  Result<Reply> Send(const std::string& method, const std::string& path, const Bytes* body);
  Result<Reply> SendOnce(const std::string& method, const std::string& path, const Bytes* body,
                         std::chrono::milliseconds timeout);
  // The validator's refusal in `reply` (its signed drift verdict, if any,
  // into `drift_verdict` when not null), or an error naming the HTTP status.
  Error Refusal(const Reply& reply, Bytes* drift_verdict = nullptr) const;
  Result<Bytes> Call(const std::string& method, const std::string& path, const Bytes* body);
  std::string endpoint_;
  std::chrono::milliseconds timeout_;
};

}  // namespace vouch::host

#endif  // VOUCH_HOST_VALIDATOR_CLIENT_H_
