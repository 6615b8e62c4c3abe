// vouchd's HTTP/1.1 API (DESIGN §4) on cpp-httplib: a thread pool, a request
// body limit, read/write timeouts, CBOR bodies.
//
//   GET  /v1/challenge?host=DID   200 {"nonce", "validator"}       (api.h)
//   POST /v1/attest               200 {"endorsement", "share"}     (Appraiser)
//   POST /v1/enroll               200 {"credential", "secret"}    (Enroller)
//   POST /v1/enroll/finish        204                             (Enroller)
//                                 Without an Enroller (a vouchd on --hosts):
//                                 501 {"code": "unavailable", …}
//   POST /v1/reattest             200 {"endorsement"}              (Appraiser::Reappraise)
//   POST /v1/ledger/append        200 {"index", "outcome"}         (LedgerAppender; 501 without)
//   GET  /v1/status               CBOR, or JSON if Accept names application/json:
//                                 {"did", "hpke_public_key", "fault", "uptime_s",
//                                  "replay_cache", "requests", "approvals", "refusals"}
//   GET  /metrics                 Prometheus text (metrics.h)
//   GET  /                        a small HTML dashboard
//
// Every refusal is HTTP 4xx/5xx with the CBOR body {"code", "reason"}: from
// the appraisal (status per HttpStatusFor), for a body that does not decode
// (400 "malformed"), a body over the limit (413 "malformed"), a wrong content
// type (415 "malformed"), an unknown path (404 "not-found"). Each attest
// and reattest decision is written as one line by `log` (decision_log.h)
// and counted in Metrics.
#ifndef VOUCH_VALIDATOR_SERVER_H_
#define VOUCH_VALIDATOR_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "vouch/core/errors.h"
#include "vouch/validator/api.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/challenge.h"
#include "vouch/validator/enrollment.h"
#include "vouch/validator/ledger_append.h"
#include "vouch/validator/metrics.h"
#include "vouch/validator/replay_cache.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace vouch::validator {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks a free port (see Server::port())
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  size_t threads = 8;
  std::string fault_name = "none";  // shown in /v1/status
  // Seconds since the epoch; the system clock if empty.
  std::function<int64_t()> clock;
  // Receives each decision line (no newline); stderr if empty.
  std::function<void(const std::string&)> log;
};

// What the server serves from. REQUIRES: all outlive the Server.
struct ServerParts {
  const Appraiser* appraiser = nullptr;
  ChallengeIssuer* challenges = nullptr;
  Metrics* metrics = nullptr;
  const ReplayCache* replay = nullptr;  // for /v1/status; may be null
  Enroller* enroller = nullptr;         // AK certification; may be null (501)
  LedgerAppender* ledger_append = nullptr;  // hosts' entries; may be null (501)
};

// Thread-safe: Stop() may be called from any thread.
class Server {
 public:
  // Binds options.host:options.port and starts serving on a background
  // thread. Returns once connections are accepted. kUnavailable if the
  // address cannot be bound; kInvalidArgument if a part is missing.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, ServerParts parts);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // Stop()

  // Stops accepting, lets requests in flight finish, joins the threads.
  // Idempotent.
  void Stop();

  // The bound port (the picked one when options.port was 0).
  uint16_t port() const { return port_; }
  // "HOST:PORT" ("[::1]:PORT" for IPv6), e.g. for "vouchd: listening on …".
  std::string address() const;

 private:
  Server(ServerOptions options, ServerParts parts);
  void Route();

  ServerOptions options_;
  ServerParts parts_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_SERVER_H_
