// The host's client for one validator's HTTP API (DESIGN §4). Each call is
// bounded by the timeout given at construction. Thread-compatible: use one
// client per thread.
#ifndef VOUCH_HOOK_VALIDATOR_CLIENT_H_
#define VOUCH_HOOK_VALIDATOR_CLIENT_H_

#include <chrono>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::hook {

struct Challenge {
  Bytes nonce;
  std::string validator_did;
};

struct AttestResponse {
  Bytes endorsement;  // encoded COSE_Countersignature
  Bytes share;        // share re-sealed to the VC's cnf key
};

class ValidatorClient {
 public:
  // `endpoint` is "http://HOST:PORT" (https is not built in yet).
  ValidatorClient(std::string endpoint, std::chrono::milliseconds timeout);

  // GET /v1/challenge?host=DID. kUnavailable / kTimeout if it cannot be
  // reached; the validator's own code and reason if it refuses.
  Result<Challenge> GetChallenge(const std::string& host_did);

  // POST /v1/attest {"vc", "policy", "share", "index"}.
  Result<AttestResponse> Attest(ByteView vc, ByteView policy, ByteView sealed_share, size_t index);

  const std::string& endpoint() const { return endpoint_; }

 private:
  Result<Bytes> Call(const std::string& method, const std::string& path, const Bytes* body);
  std::string endpoint_;
  std::chrono::milliseconds timeout_;
};

}  // namespace vouch::hook

#endif  // VOUCH_HOOK_VALIDATOR_CLIENT_H_
