// vouchd's HTTP/1.1 API (DESIGN §4): cpp-httplib parses requests and routes
// them; vouchd owns the sockets, so that no peer can hold the workers.
//
//   GET  /v1/challenge?host=DID   200 {"nonce", "validator"}       (api.h)
//   POST /v1/attest               200 {"endorsement", "share"}     (Appraiser)
//   POST /v1/enroll               200 {"credential", "secret"}    (Enroller)
//   POST /v1/enroll/finish        204                             (Enroller)
//                                 Without an Enroller (a vouchd on --hosts):
//                                 501 {"code": "unavailable", …}
//   POST /v1/reattest             200 {"endorsement"}              (Appraiser::Reappraise)
//   GET  /v1/checkpoint           200 the signed ledger head       (CheckpointSource)
//                                 Without one (--hosts): 501
//   GET  /v1/status/revocation    200 the revocation status list      (RevocationSource)
//                                 credential, JSON (application/vc): a BitstringStatusListCredential
//                                 signed by this validator, valid 10 minutes (w3c/revocation_list.h);
//                                 503 if the ledger does not sync; without one (--hosts): 501
//   POST /v1/ledger/append        200 {"index", "outcome"}         (LedgerAppender; 501 without)
//   POST /v1/stop                 204                              (lease_stop.h; 501 without leases)
//   GET  /v1/status               CBOR {"did", "hpke_public_key", "fault", "uptime_s",
//                                 "replay_cache", "requests", "approvals", "refusals"}; with
//                                 Accept: application/json the dashboard's data as JSON
//                                 (validator_status.h)
//   GET  /metrics                 Prometheus text 0.0.4 (metrics.h, ledger_health.h)
//   GET  /                        the HTML dashboard (dashboard.h)
//
// Every answer to a request that was read (not the listener's 408, 429 and
// 503 below) carries X-Request-Id, a fresh random id (16 hex digits; the
// client's own is never taken) that every log line about the request ends
// with (logger.h), so a host's error can be found in the validator's log.
// Each request is counted by endpoint, each routed one timed, each answer
// >= 400 counted by endpoint and status (metrics.h). Refusals no handler
// logs itself (the HTTP layer's 400, 404, 413, 414; a bad challenge query;
// an enrollment request that does not decode) are logged as
//   vouchd: refused status=413 endpoint=attest method=POST path=/v1/attest code=malformed
//   peer=… request_id=… reason="request body exceeds the limit of 262144 bytes"
// at most once per status and peer per limit_log_interval, like the limits.
// The last RecentDecisions::kDefaultCapacity decisions are kept for the
// dashboard.
//
// Every refusal is HTTP 4xx/5xx with the CBOR body {"code", "reason"}: from
// the appraisal (status per HttpStatusFor), for a body that does not decode
// (400 "malformed"), a body over the limit (413 "malformed"), a wrong content
// type (415 "malformed"), an unknown path (404 "not-found"), and by the DoS
// limits below (429 "rate-limited", 503 "unavailable", 408 "timeout"). Each
// attest and reattest decision is written as one line by `log`
// (decision_log.h), counted in Metrics and kept in RecentDecisions.
//
// DoS limits (DESIGN §4 "Denial of service"). cpp-httplib 0.11.4 holds a
// worker per connection for as long as it reads, restarts its read timeout
// on every byte, and queues connections without bound, so 8 connections
// sending a byte every few seconds would hold all workers for ever. vouchd
// therefore runs its own accept loop and workers (http_listener.h) and hands
// cpp-httplib only a stream to parse one request from
// (Server::process_request, through a subclass; no HTTP parsing here):
//   - per peer: a peer address (IPv6: its /64; peer_key.h) holds at most
//     max_peer_connections connections, queued or served; the next is
//     answered 429 {"code": "rate-limited"} at once, from the accept loop;
//   - a bounded queue: at most max_queue connections wait for a worker;
//     the next is answered 503 {"code": "unavailable"} at once;
//   - a whole-request deadline: a request whose line, headers and body have
//     not all arrived within request_timeout of its start is answered 408
//     {"code": "timeout"} and its connection closed, however the bytes
//     trickle (read_timeout still bounds each wait for the next bytes);
//   - keep-alive never pins a worker: an idle connection waits at most
//     keep_alive_timeout, and is closed as soon as another connection waits
//     for a worker; keep_alive_max_requests bound one connection's requests;
//   - GET /v1/challenge: each peer may take challenge_burst challenges at
//     once and challenge_rate more a second; past that 429 rate-limited.
//     Nothing is limited per host DID here: the DID in the query is
//     unauthenticated, so a per-DID limit would let a stranger spend a
//     victim's budget. The per-DID limit is on answered challenges
//     (challenge.h), which only VCs signed by the DID's key spend.
// Each refusal is counted in vouchd_limited_total{limit} (metrics.h) and
// logged at most once per limit and peer per limit_log_interval (with the
// number held back), and at most 20 lines per interval in all.
// With the defaults (8 workers, 4 connections per peer) one peer holds at
// most half of the workers, and while another connection waits, each for
// at most request_timeout. The price: a host that opens more than 4
// connections to one validator at once gets 429 for the others. Not
// covered: many peers together (a botnet holding every worker), and hosts
// behind one NAT address share one peer's limits.
#ifndef VOUCH_VALIDATOR_SERVER_H_
#define VOUCH_VALIDATOR_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vouch/core/errors.h"
#include "vouch/validator/api.h"
#include "vouch/validator/appraisal.h"
#include "vouch/validator/challenge.h"
#include "vouch/validator/checkpoint_source.h"
#include "vouch/validator/enrollment.h"
#include "vouch/validator/lease_stop.h"
#include "vouch/validator/ledger_append.h"
#include "vouch/validator/ledger_health.h"
#include "vouch/validator/logger.h"
#include "vouch/validator/metrics.h"
#include "vouch/validator/rate_limiter.h"
#include "vouch/validator/recent_decisions.h"
#include "vouch/validator/replay_cache.h"
#include "vouch/validator/revocation_source.h"
#include "vouch/validator/validator_status.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace vouch::validator {

class HttpCore;
class HttpListener;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks a free port (see Server::port())
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::chrono::milliseconds read_timeout{5000};   // each wait for request bytes
  std::chrono::milliseconds write_timeout{5000};  // each wait to send answer bytes
  size_t threads = 8;
  // DoS limits (see above).
  size_t max_queue = 64;
  size_t max_peer_connections = 4;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  size_t keep_alive_max_requests = 100;
  double challenge_rate = 20;  // per peer, per second
  size_t challenge_burst = 100;
  std::chrono::milliseconds limit_log_interval{60000};
  std::string fault_name = "none";  // shown in /v1/status
  // Seconds since the epoch; the system clock if empty.
  std::function<int64_t()> clock;
  // Where the lines about requests go (stderr by default).
  Logger logger;
};

// What the server serves from. REQUIRES: all outlive the Server.
struct ServerParts {
  const Appraiser* appraiser = nullptr;
  ChallengeIssuer* challenges = nullptr;
  Metrics* metrics = nullptr;
  const ReplayCache* replay = nullptr;  // for /v1/status; may be null
  Enroller* enroller = nullptr;         // AK certification; may be null (501)
  LedgerAppender* ledger_append = nullptr;  // hosts' entries; may be null (501)
  CheckpointSource* checkpoints = nullptr;  // the ledger head; may be null (501)
  LeaseStore* leases = nullptr;             // POST /v1/stop; may be null (501)
  LedgerHealthSource* ledger_health = nullptr;  // dashboard, status, metrics; may be null (--hosts)
  RevocationSource* revocations = nullptr;      // GET /v1/status/revocation; may be null (501)
};

// Thread-safe: Stop() may be called from any thread.
class Server {
 public:
  // Binds options.host:options.port and starts serving on background
  // threads. Returns once connections are accepted. kUnavailable if the
  // address cannot be bound; kInvalidArgument if a part is missing or a
  // count or timeout is zero.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, ServerParts parts);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // Stop()

  // Stops accepting (connecting is refused from then on), lets requests
  // being handled finish, cuts short those being received, joins the
  // threads. Idempotent.
  void Stop();

  // The bound port (the picked one when options.port was 0).
  uint16_t port() const { return port_; }
  // "HOST:PORT" ("[::1]:PORT" for IPv6), e.g. for "vouchd: listening on …".
  std::string address() const;

  // Connections served by a worker now, and waiting for one.
  size_t active_connections() const;
  size_t queued_connections() const;

  // What GET /v1/status (JSON) and the dashboard show, as of now.
  ValidatorStatus CurrentStatus() const;

 private:
  Server(ServerOptions options, ServerParts parts);
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  void Route();
  void RouteHooks();
  void RouteChallenge();
  void RouteAppraisal();
  void RouteEnroll();
  void RouteLedger();
  void RouteStatus();
  void RouteStatusList();
  // `handler`, its time observed as `endpoint`'s (a string literal).
  Handler Timed(std::string_view endpoint, Handler handler);
  // An appraisal's answer and its decision: logged, counted, kept.
  void Decided(const httplib::Request& req, httplib::Response& res, Decision& decision, const Status& status,
               const Bytes& body, ByteView drift_verdict, double seconds);
  // Answers `error` as a CBOR refusal with `status` and logs it (rate-limited).
  void RefuseAndLog(const httplib::Request& req, httplib::Response& res, int status, const Error& error);
  // Writes `line` unless `kind` was already logged for `peer` within
  // limit_log_interval (the next line then says how many were held back),
  // or kLogLinesPerInterval lines were in all.
  void LogLimited(LogLevel level, std::string_view kind, const std::string& peer, std::string line);
  // Counts and (rate-limited) logs a refusal by `limit` of `peer`.
  void Limited(std::string_view limit, const std::string& peer);

  ServerOptions options_;
  ServerParts parts_;
  std::unique_ptr<HttpCore> http_;
  std::unique_ptr<HttpListener> listener_;
  RateLimiter challenge_limiter_;
  RateLimiter log_per_peer_;  // one line per limit and peer per interval
  RateLimiter log_lines_;     // and so many lines per interval in all
  RecentDecisions recent_;
  uint16_t port_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_SERVER_H_
