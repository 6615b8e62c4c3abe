#include "vouch/validator/server.h"

#include <httplib.h>

#include "http_listener.h"
#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"
#include "vouch/core/random.h"
#include "vouch/core/version.h"
#include "vouch/validator/dashboard.h"
#include "vouch/validator/decision_log.h"
#include "vouch/validator/peer_key.h"
#include "vouch/w3c/revocation_list.h"

namespace vouch::validator {

// cpp-httplib's router and request parser, fed one request at a time from
// the listener's streams (process_request is protected: for subclasses).
class HttpCore final : public httplib::Server {
 public:
  bool Serve(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    return process_request(stream, close_connection, connection_closed, nullptr);
  }
};

namespace {

constexpr double kLogLinesPerInterval = 20;
constexpr char kRequestIdHeader[] = "X-Request-Id";
constexpr size_t kLoggedPathBytes = 200;  // a path in a log line, at most

double PerSecond(double n, std::chrono::milliseconds interval) {
  return n * 1000.0 / static_cast<double>(std::max<int64_t>(interval.count(), 1));
}

using cbor::Value;

int64_t SystemSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void SetCbor(httplib::Response& res, int status, const Bytes& body) {
  res.status = status;
  res.set_content(std::string(body.begin(), body.end()), kCborContentType);
}

void Refuse(httplib::Response& res, int status, const Error& error, ByteView drift_verdict = {}) {
  SetCbor(res, status, protocol::EncodeRefusal(error, drift_verdict));
}

std::string_view EndpointLabel(const std::string& path) {
  if (path == "/v1/challenge") return "challenge";
  if (path == "/v1/attest") return "attest";
  if (path == "/v1/reattest") return "reattest";
  if (path == "/v1/enroll" || path == "/v1/enroll/finish") return "enroll";
  if (path == "/v1/ledger/append") return "ledger-append";
  if (path == "/v1/stop") return "stop";
  if (path == "/v1/status") return "status";
  if (path == "/v1/checkpoint") return "checkpoint";
  if (path == "/v1/status/revocation") return "status-list";
  if (path == "/metrics") return "metrics";
  if (path == "/") return "dashboard";
  return "other";
}

// 16 hex digits: unique enough to find one request in a validator's log.
std::string NewRequestId() { return HexEncode(RandomBytes(8)); }

std::string RequestIdOf(const httplib::Response& res) { return res.get_header_value(kRequestIdHeader); }

// " peer=… request_id=…", the fields every line about a request ends with.
std::string RequestFields(const httplib::Request& req, const httplib::Response& res) {
  std::string out;
  AppendLogField(out, "peer", req.remote_addr);
  AppendLogField(out, "request_id", RequestIdOf(res));
  return out;
}

// The refusal for an error cpp-httplib answered itself (no body yet).
Error HttpLayerError(const httplib::Request& req, int status, size_t max_body_bytes) {
  switch (status) {
    case 404:
      return Error(Code::kNotFound, StrCat("no endpoint ", req.method, " ", req.path));
    case 413:
      return Error(Code::kMalformed, StrCat("request body exceeds the limit of ", max_body_bytes, " bytes"));
    case 414:
      return Error(Code::kMalformed, "request URI is too long");
    default:
      if (status >= 500) return Error(Code::kInternal, StrCat("HTTP ", status));
      return Error(Code::kMalformed, StrCat("request refused by the HTTP layer (HTTP ", status, ")"));
  }
}

Value CborCounts(const std::map<std::string, uint64_t>& counts) {
  cbor::MapEntries entries;
  for (const auto& [k, v] : counts) entries.emplace_back(Value(k), Value(v));
  return Value::Map(std::move(entries));
}

Bytes StatusCbor(const ValidatorStatus& s, ByteView hpke_public_key) {
  return cbor::Encode(Value::Map({{"did", Value(s.did)},
                                  {"hpke_public_key", Value(Bytes(hpke_public_key.begin(), hpke_public_key.end()))},
                                  {"fault", Value(s.fault)},
                                  {"uptime_s", Value(s.uptime_s)},
                                  {"replay_cache", Value(s.replay_cache)},
                                  {"requests", CborCounts(s.metrics.requests)},
                                  {"approvals", Value(s.metrics.approvals)},
                                  {"refusals", CborCounts(s.metrics.refusals)}}));
}

}  // namespace

Server::Server(ServerOptions options, ServerParts parts)
    : options_(std::move(options)),
      parts_(parts),
      http_(std::make_unique<HttpCore>()),
      challenge_limiter_(RateLimit{options_.challenge_rate,
                                   static_cast<double>(options_.challenge_burst)}),
      log_per_peer_(RateLimit{PerSecond(1, options_.limit_log_interval), 1}),
      log_lines_(RateLimit{PerSecond(kLogLinesPerInterval, options_.limit_log_interval),
                           kLogLinesPerInterval}),
      started_(std::chrono::steady_clock::now()) {
  if (!options_.clock) options_.clock = SystemSeconds;
}

Server::~Server() { Stop(); }

std::string Server::address() const {
  bool v6 = options_.host.find(':') != std::string::npos;
  return v6 ? StrCat("[", options_.host, "]:", port_) : StrCat(options_.host, ":", port_);
}

size_t Server::active_connections() const { return listener_->counts().active; }
size_t Server::queued_connections() const { return listener_->counts().queued; }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, ServerParts parts) {
  if (parts.appraiser == nullptr || parts.challenges == nullptr || parts.metrics == nullptr) {
    return Error(Code::kInvalidArgument, "server: appraiser, challenges and metrics are required");
  }
  if (options.challenge_rate <= 0 || options.challenge_burst == 0) {
    return Error(Code::kInvalidArgument, "server: challenge rate and burst must be positive");
  }
  std::unique_ptr<Server> server(new Server(std::move(options), parts));
  const ServerOptions& o = server->options_;
  server->http_->set_payload_max_length(o.max_body_bytes);
  // Only for the Keep-Alive header httplib writes; the listener enforces them.
  server->http_->set_keep_alive_timeout(
      std::chrono::duration_cast<std::chrono::seconds>(o.keep_alive_timeout).count());
  server->http_->set_keep_alive_max_count(o.keep_alive_max_requests);
  server->Route();

  ListenerOptions l;
  l.host = o.host;
  l.port = o.port;
  l.threads = o.threads;
  l.max_queue = o.max_queue;
  l.max_peer_connections = o.max_peer_connections;
  l.request_timeout = o.request_timeout;
  l.read_timeout = o.read_timeout;
  l.write_timeout = o.write_timeout;
  l.keep_alive_timeout = o.keep_alive_timeout;
  l.keep_alive_max_requests = o.keep_alive_max_requests;
  Server* s = server.get();
  VOUCH_ASSIGN_OR_RETURN(
      server->listener_,
      HttpListener::Start(
          l,
          [s](httplib::Stream& stream, bool close, bool& closed) {
            return s->http_->Serve(stream, close, closed);
          },
          [s](std::string_view limit, const std::string& peer) { s->Limited(limit, peer); }));
  server->port_ = server->listener_->port();
  return server;
}

void Server::Stop() {
  if (listener_ != nullptr) listener_->Stop();
}

void Server::LogLimited(LogLevel level, std::string_view kind, const std::string& peer, std::string line) {
  auto now = std::chrono::steady_clock::now();
  RateLimiter::Outcome outcome = log_per_peer_.Take(StrCat(kind, " ", peer), now);
  if (!outcome.allowed || !log_lines_.Take("all", now).allowed) return;
  if (outcome.refused_before != 0) line += StrCat(" (and ", outcome.refused_before, " more since the last line)");
  options_.logger.Write(level, line);
}

void Server::Limited(std::string_view limit, const std::string& peer) {
  parts_.metrics->CountLimited(limit);
  LogLimited(LogLevel::kWarn, limit, peer, StrCat("vouchd: limit=", limit, " peer=", peer, " refused"));
}

void Server::RefuseAndLog(const httplib::Request& req, httplib::Response& res, int status, const Error& error) {
  Refuse(res, status, error);
  std::string line = StrCat("vouchd: refused status=", status);
  AppendLogField(line, "endpoint", EndpointLabel(req.path));
  AppendLogField(line, "method", req.method);
  AppendLogField(line, "path", std::string_view(req.path).substr(0, kLoggedPathBytes));
  AppendLogField(line, "code", CodeName(error.code()));
  line += RequestFields(req, res);
  AppendLogField(line, "reason", error.message());
  LogLimited(LogLevel::kWarn, StrCat("http ", status), PeerKey(req.remote_addr), std::move(line));
}

Server::Handler Server::Timed(std::string_view endpoint, Handler handler) {
  return [this, endpoint, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto t0 = std::chrono::steady_clock::now();
    handler(req, res);
    parts_.metrics->ObserveRequest(endpoint, SecondsSince(t0));
  };
}

ValidatorStatus Server::CurrentStatus() const {
  ValidatorStatus s;
  const ValidatorKeys& keys = parts_.appraiser->keys();
  s.did = keys.did();
  s.hpke_public_key_hex = HexEncode(keys.hpke_key().public_key());
  s.version = kVersion;
  s.fault = options_.fault_name;
  s.now = options_.clock();
  s.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  s.replay_cache = parts_.replay != nullptr ? parts_.replay->size() : 0;
  s.metrics = parts_.metrics->Snapshot();
  if (parts_.ledger_health != nullptr) s.ledger = parts_.ledger_health->Health();
  s.decisions = recent_.Latest();
  s.hosts = recent_.Hosts();
  return s;
}

void Server::Route() {
  RouteHooks();
  RouteChallenge();
  RouteAppraisal();
  RouteEnroll();
  RouteLedger();
  RouteStatus();
  RouteStatusList();
}

// Around every request: its id, its count, and the refusals httplib
// produced itself (404, 413, …) answered in CBOR, counted and logged.
void Server::RouteHooks() {
  httplib::Server& http = *http_;
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    res.set_header(kRequestIdHeader, NewRequestId());
    parts_.metrics->CountRequest(EndpointLabel(req.path));
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Called for every answer >= 400, the handlers' refusals too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                     httplib::Response& res) {
    // A request line or URI that did not parse never reached pre-routing.
    if (!res.has_header(kRequestIdHeader)) res.set_header(kRequestIdHeader, NewRequestId());
    parts_.metrics->CountHttpRefusal(EndpointLabel(req.path), res.status);
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    RefuseAndLog(req, res, res.status, HttpLayerError(req, res.status, options_.max_body_bytes));
    return httplib::Server::HandlerResponse::Handled;
  }));

  http.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    Refuse(res, 500, Error(Code::kInternal, "internal error while handling the request"));
    options_.logger.Error(StrCat("vouchd: internal error while handling ", req.method, " ",
                                 EndpointLabel(req.path), RequestFields(req, res)));
  });
}

// GET /v1/challenge?host=DID: unauthenticated, so limited per peer only.
void Server::RouteChallenge() {
  http_->Get("/v1/challenge", Timed("challenge", [this](const httplib::Request& req, httplib::Response& res) {
    std::string peer = PeerKey(req.remote_addr);
    if (!challenge_limiter_.Take(peer, std::chrono::steady_clock::now()).allowed) {
      Limited("challenge-rate", peer);
      Refuse(res, 429,
             Error(Code::kRateLimited,
                   StrCat("peer ", peer, " asked for challenges faster than this validator's "
                          "limit (", options_.challenge_burst, " at once, then ",
                          options_.challenge_rate, " a second): try again in a second")));
      return;
    }
    if (!req.has_param("host")) {
      RefuseAndLog(req, res, 400,
                   Error(Code::kMalformed, "challenge: query parameter 'host' (the host DID) is missing"));
      return;
    }
    auto did = DidKey::Parse(req.get_param_value("host"));
    if (!did.ok()) {
      RefuseAndLog(req, res, 400, did.error().WithContext("challenge: parameter 'host'"));
      return;
    }
    Bytes nonce = parts_.challenges->Issue(did->did(), options_.clock());
    SetCbor(res, 200, protocol::EncodeChallengeAnswer({nonce, parts_.appraiser->keys().did()}));
  }));
}

void Server::Decided(const httplib::Request& req, httplib::Response& res, Decision& decision, const Status& status,
                     const Bytes& body, ByteView drift_verdict, double seconds) {
  decision.milliseconds = seconds * 1000;
  decision.approved = status.ok();
  decision.at = options_.clock();
  decision.peer = req.remote_addr;
  decision.request_id = RequestIdOf(res);
  if (status.ok()) {
    parts_.metrics->RecordApproval(seconds);
    SetCbor(res, 200, body);
  } else {
    decision.code = status.error().code();
    decision.reason = status.error().message();
    parts_.metrics->RecordRefusal(status.error().code(), seconds);
    Refuse(res, HttpStatusFor(status.error().code()), status.error(), drift_verdict);
  }
  recent_.Add(decision);
  options_.logger.Write(DecisionLevel(decision), FormatDecision(decision));
}

// POST /v1/attest and /v1/reattest: decode, appraise, answer, and one
// decision line in the log either way.
void Server::RouteAppraisal() {
  auto appraisal = [this](std::string_view kind, auto decode, auto appraise, auto encode) {
    return Timed(kind, [=, this](const httplib::Request& req, httplib::Response& res) {
      auto t0 = std::chrono::steady_clock::now();
      Decision decision;
      decision.kind = kind == "attest" ? "" : std::string(kind);
      AppraisalTrace trace;
      std::string type = req.get_header_value("Content-Type");
      if (type.rfind(kCborContentType, 0) != 0) {
        Decided(req, res, decision,
                Error(Code::kMalformed,
                      StrCat(kind, " request: expected Content-Type ", kCborContentType, ", got '", type, "'")),
                {}, {}, SecondsSince(t0));
        res.status = 415;
        return;
      }
      auto request = decode(AsBytes(req.body));
      if (!request.ok()) {
        Decided(req, res, decision, request.error(), {}, {}, SecondsSince(t0));
        return;
      }
      decision.index = request->index;
      auto result = appraise(*request, options_.clock(), &trace);
      decision.host_did = trace.host_did;
      decision.domain_uuid = trace.domain_uuid;
      decision.cti_hex = trace.cti_hex;
      Status status = result.ok() ? Ok() : Status(result.error());
      Decided(req, res, decision, status, result.ok() ? encode(*result) : Bytes{}, trace.drift_verdict,
              SecondsSince(t0));
    });
  };
  http_->Post("/v1/attest",
              appraisal(
                  "attest", protocol::DecodeAttestRequest,
                  [this](const AttestRequest& r, int64_t now, AppraisalTrace* trace) {
                    return parts_.appraiser->Appraise(r, now, trace);
                  },
                  EncodeAttestResponse));
  // Re-attestation of a running domain: an endorsement, never a share; a
  // refusal's kDrift names what changed since launch.
  http_->Post("/v1/reattest",
              appraisal(
                  "reattest", protocol::DecodeReattestRequest,
                  [this](const ReattestRequest& r, int64_t now, AppraisalTrace* trace) {
                    return parts_.appraiser->Reappraise(r, now, trace);
                  },
                  EncodeReattestResponse));
}

// POST /v1/enroll and /v1/enroll/finish: one line per decoded step in the
// log, like attest decisions; each counted (metrics.h).
void Server::RouteEnroll() {
  auto enroll_handler = [this](bool finish) {
    return Timed("enroll", [this, finish](const httplib::Request& req, httplib::Response& res) {
      std::string_view what = finish ? "enroll-finish" : "enroll";
      auto refuse = [&](int status, const Error& error) {
        parts_.metrics->CountEnrollment("refused");
        RefuseAndLog(req, res, status, error);
      };
      auto done = [&](std::string_view did, const Status& status) {
        std::string line = StrCat("vouchd: ", what);
        AppendLogField(line, "host", did);
        line += status.ok() ? " ok" : StrCat(" refused code=", CodeName(status.error().code()));
        line += RequestFields(req, res);
        if (!status.ok()) AppendLogField(line, "reason", status.error().message());
        options_.logger.Write(status.ok() ? LogLevel::kInfo : LogLevel::kWarn, line);
        parts_.metrics->CountEnrollment(!status.ok() ? "refused" : finish ? "certified" : "challenged");
        if (!status.ok()) Refuse(res, HttpStatusFor(status.error().code()), status.error());
      };
      if (parts_.enroller == nullptr) {
        refuse(501, Error(Code::kUnavailable,
                          "AK enrollment needs a vouchd on the ledger (--ledger), not a --hosts file"));
        return;
      }
      std::string type = req.get_header_value("Content-Type");
      if (type.rfind(kCborContentType, 0) != 0) {
        refuse(415, Error(Code::kMalformed,
                          StrCat(what, " request: expected Content-Type ", kCborContentType, ", got '", type, "'")));
        return;
      }
      auto request = DecodeEnrollmentRequest(finish ? EnrollStep::kFinish : EnrollStep::kBegin, AsBytes(req.body));
      if (!request.ok()) {
        refuse(400, request.error());
        return;
      }
      if (!finish) {
        auto challenge = parts_.enroller->Begin(*request);
        done(request->did, challenge.ok() ? Ok() : Status(challenge.error()));
        if (challenge.ok()) SetCbor(res, 200, EncodeEnrollResponse(*challenge));
        return;
      }
      Status finished = parts_.enroller->Finish(*request);
      done(request->did, finished);
      if (finished.ok()) res.status = 204;
    });
  };
  http_->Post("/v1/enroll", enroll_handler(false));
  http_->Post("/v1/enroll/finish", enroll_handler(true));
}

// POST /v1/ledger/append, POST /v1/stop, GET /v1/checkpoint.
void Server::RouteLedger() {
  http_->Post("/v1/ledger/append", Timed("ledger-append", [this](const httplib::Request& req, httplib::Response& res) {
    LedgerAppendAnswer a =
        HandleLedgerAppend(parts_.ledger_append, req.get_header_value("Content-Type"), AsBytes(req.body));
    options_.logger.Write(a.status >= 400 ? LogLevel::kWarn : LogLevel::kInfo, a.log_line + RequestFields(req, res));
    SetCbor(res, a.status, a.body);
  }));

  http_->Post("/v1/stop", Timed("stop", [this](const httplib::Request& req, httplib::Response& res) {
    StopAnswer a = HandleStop(parts_.leases, req.get_header_value("Content-Type"), AsBytes(req.body),
                              options_.clock());
    options_.logger.Write(a.status >= 400 ? LogLevel::kWarn : LogLevel::kInfo, a.log_line + RequestFields(req, res));
    if (a.status == 204) {
      res.status = 204;
    } else {
      SetCbor(res, a.status, a.body);
    }
  }));

  http_->Get("/v1/checkpoint", Timed("checkpoint", [this](const httplib::Request& req, httplib::Response& res) {
    if (parts_.checkpoints == nullptr) {
      RefuseAndLog(req, res, 501,
                   Error(Code::kUnavailable, "this validator reads no ledger (it runs on a --hosts file)"));
      return;
    }
    auto checkpoint = parts_.checkpoints->SignedCheckpoint(parts_.appraiser->keys().signing_key(), options_.clock());
    if (!checkpoint.ok()) {
      RefuseAndLog(req, res, 503, checkpoint.error());
      return;
    }
    SetCbor(res, 200, *checkpoint);
  }));
}

// GET /v1/status/revocation: this validator's statement of the ledger's
// revocations, as a W3C Bitstring Status List credential.
void Server::RouteStatusList() {
  http_->Get("/v1/status/revocation", Timed("status-list", [this](const httplib::Request& req,
                                                                   httplib::Response& res) {
    if (parts_.revocations == nullptr) {
      RefuseAndLog(req, res, 501,
                   Error(Code::kUnavailable, "this validator reads no ledger (it runs on a --hosts file)"));
      return;
    }
    auto revoked = parts_.revocations->RevokedSubjects();
    auto list = revoked.ok() ? w3c::SignRevocationList(*revoked, parts_.appraiser->keys().signing_key(),
                                                       options_.clock())
                             : Result<nlohmann::json>(revoked.error());
    if (!list.ok()) {
      RefuseAndLog(req, res, 503, list.error());
      return;
    }
    res.set_content(list->dump(), "application/vc");
  }));
}

// GET /v1/status, /metrics and / (the dashboard).
void Server::RouteStatus() {
  http_->Get("/v1/status", Timed("status", [this](const httplib::Request& req, httplib::Response& res) {
    ValidatorStatus s = CurrentStatus();
    if (req.get_header_value("Accept").find("application/json") != std::string::npos) {
      res.set_content(StatusJson(s), "application/json");
      return;
    }
    SetCbor(res, 200, StatusCbor(s, parts_.appraiser->keys().hpke_key().public_key()));
  }));

  http_->Get("/metrics", Timed("metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string text = parts_.metrics->RenderPrometheus();
    if (parts_.ledger_health != nullptr) text += RenderLedgerPrometheus(parts_.ledger_health->Health(), options_.clock());
    res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  }));

  http_->Get("/", Timed("dashboard", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kDashboardCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_content(RenderDashboard(CurrentStatus()), "text/html; charset=utf-8");
  }));
}

}  // namespace vouch::validator
