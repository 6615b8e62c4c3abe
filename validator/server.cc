#include "vouch/validator/server.h"

#include <httplib.h>

#include <cstdio>

#include "http_listener.h"
#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"
#include "vouch/validator/decision_log.h"
#include "vouch/validator/peer_key.h"

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

double PerSecond(double n, std::chrono::milliseconds interval) {
  return n * 1000.0 / static_cast<double>(std::max<int64_t>(interval.count(), 1));
}

using cbor::Value;

int64_t SystemSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
  if (path == "/metrics") return "metrics";
  if (path == "/") return "dashboard";
  return "other";
}

// JSON string literal for text vouch produced itself (DIDs, hex, code names).
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

std::string JsonCounts(const std::map<std::string, uint64_t>& counts) {
  std::string out = "{";
  for (const auto& [k, v] : counts) {
    if (out.size() > 1) out += ",";
    out += StrCat(JsonString(k), ":", v);
  }
  return out + "}";
}

Value CborCounts(const std::map<std::string, uint64_t>& counts) {
  cbor::MapEntries entries;
  for (const auto& [k, v] : counts) entries.emplace_back(Value(k), Value(v));
  return Value::Map(std::move(entries));
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
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
  if (!options_.log) {
    options_.log = [](const std::string& line) {
      std::string out = line + "\n";
      std::fwrite(out.data(), 1, out.size(), stderr);  // one write: lines do not interleave
    };
  }
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

void Server::Limited(std::string_view limit, const std::string& peer) {
  parts_.metrics->CountLimited(limit);
  auto now = std::chrono::steady_clock::now();
  RateLimiter::Outcome line = log_per_peer_.Take(StrCat(limit, " ", peer), now);
  if (!line.allowed || !log_lines_.Take("all", now).allowed) return;
  options_.log(StrCat("vouchd: limit=", limit, " peer=", peer, " refused",
                      line.refused_before == 0
                          ? std::string()
                          : StrCat(" (and ", line.refused_before, " more since the last line)")));
}

void Server::Route() {
  httplib::Server& http = *http_;

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    parts_.metrics->CountRequest(EndpointLabel(req.path));
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Fills in a CBOR refusal for errors httplib produced itself.
  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                     httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    switch (res.status) {
      case 404:
        Refuse(res, 404, Error(Code::kNotFound, StrCat("no endpoint ", req.method, " ", req.path)));
        break;
      case 413:
        Refuse(res, 413,
               Error(Code::kMalformed, StrCat("request body exceeds the limit of ",
                                              options_.max_body_bytes, " bytes")));
        break;
      case 414:
        Refuse(res, 414, Error(Code::kMalformed, "request URI is too long"));
        break;
      default:
        if (res.status >= 500) {
          Refuse(res, res.status, Error(Code::kInternal, StrCat("HTTP ", res.status)));
        } else {
          Refuse(res, res.status,
                 Error(Code::kMalformed,
                       StrCat("request refused by the HTTP layer (HTTP ", res.status, ")")));
        }
    }
    return httplib::Server::HandlerResponse::Handled;
  }));

  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        Refuse(res, 500, Error(Code::kInternal, "internal error while handling the request"));
      });

  RouteChallenge();

  // POST /v1/attest and /v1/reattest: decode, appraise, answer, and one
  // decision line in the log either way.
  auto appraisal = [this](std::string_view kind, auto decode, auto appraise, auto encode) {
    return [=, this](const httplib::Request& req, httplib::Response& res) {
      auto t0 = std::chrono::steady_clock::now();
      Decision decision;
      decision.kind = kind == "attest" ? "" : std::string(kind);
      AppraisalTrace trace;
      auto finish = [&](const Status& status, const Bytes& body) {
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        decision.milliseconds = seconds * 1000;
        decision.approved = status.ok();
        if (status.ok()) {
          parts_.metrics->RecordApproval(seconds);
          SetCbor(res, 200, body);
        } else {
          decision.code = status.error().code();
          decision.reason = status.error().message();
          parts_.metrics->RecordRefusal(status.error().code(), seconds);
          Refuse(res, HttpStatusFor(status.error().code()), status.error(), trace.drift_verdict);
        }
        options_.log(FormatDecision(decision));
      };
      std::string type = req.get_header_value("Content-Type");
      if (type.rfind(kCborContentType, 0) != 0) {
        finish(Error(Code::kMalformed, StrCat(kind, " request: expected Content-Type ",
                                              kCborContentType, ", got '", type, "'")),
               {});
        res.status = 415;
        return;
      }
      auto request = decode(AsBytes(req.body));
      if (!request.ok()) {
        finish(request.error(), {});
        return;
      }
      decision.index = request->index;
      auto result = appraise(*request, options_.clock(), &trace);
      decision.host_did = trace.host_did;
      decision.domain_uuid = trace.domain_uuid;
      decision.cti_hex = trace.cti_hex;
      if (!result.ok()) {
        finish(result.error(), {});
      } else {
        finish(Ok(), encode(*result));
      }
    };
  };
  http.Post("/v1/attest",
            appraisal(
                "attest", protocol::DecodeAttestRequest,
                [this](const AttestRequest& r, int64_t now, AppraisalTrace* trace) {
                  return parts_.appraiser->Appraise(r, now, trace);
                },
                EncodeAttestResponse));
  // Re-attestation of a running domain: an endorsement, never a share; a
  // refusal's kDrift names what changed since launch.
  http.Post("/v1/reattest",
            appraisal(
                "reattest", protocol::DecodeReattestRequest,
                [this](const ReattestRequest& r, int64_t now, AppraisalTrace* trace) {
                  return parts_.appraiser->Reappraise(r, now, trace);
                },
                EncodeReattestResponse));

  // Enrollment: one line per step in the log, like attest decisions.
  auto enroll_handler = [this](bool finish) {
    return [this, finish](const httplib::Request& req, httplib::Response& res) {
      std::string_view what = finish ? "enroll-finish" : "enroll";
      auto log = [&](std::string_view did, const Status& status) {
        options_.log(status.ok() ? StrCat("vouchd: ", what, " host=", did, " ok")
                                 : StrCat("vouchd: ", what, " host=", did, " refused code=",
                                          CodeName(status.error().code()), " reason=\"",
                                          status.error().message(), "\""));
      };
      if (parts_.enroller == nullptr) {
        Refuse(res, 501,
               Error(Code::kUnavailable,
                     "AK enrollment needs a vouchd on the ledger (--ledger), not a --hosts file"));
        return;
      }
      std::string type = req.get_header_value("Content-Type");
      if (type.rfind(kCborContentType, 0) != 0) {
        Refuse(res, 415,
               Error(Code::kMalformed, StrCat(what, " request: expected Content-Type ",
                                              kCborContentType, ", got '", type, "'")));
        return;
      }
      if (!finish) {
        auto request = DecodeEnrollmentRequest(EnrollStep::kBegin, AsBytes(req.body));
        if (!request.ok()) {
          Refuse(res, 400, request.error());
          return;
        }
        auto challenge = parts_.enroller->Begin(*request);
        log(request->did, challenge.ok() ? Ok() : Status(challenge.error()));
        if (!challenge.ok()) {
          Refuse(res, HttpStatusFor(challenge.error().code()), challenge.error());
          return;
        }
        SetCbor(res, 200, EncodeEnrollResponse(*challenge));
        return;
      }
      auto request = DecodeEnrollmentRequest(EnrollStep::kFinish, AsBytes(req.body));
      if (!request.ok()) {
        Refuse(res, 400, request.error());
        return;
      }
      Status done = parts_.enroller->Finish(*request);
      log(request->did, done);
      if (!done.ok()) {
        Refuse(res, HttpStatusFor(done.error().code()), done.error());
        return;
      }
      res.status = 204;
    };
  };
  http.Post("/v1/enroll", enroll_handler(false));
  http.Post("/v1/enroll/finish", enroll_handler(true));
  http.Post("/v1/ledger/append", [this](const httplib::Request& req, httplib::Response& res) {
    LedgerAppendAnswer a = HandleLedgerAppend(parts_.ledger_append, req.get_header_value("Content-Type"), AsBytes(req.body));
    options_.log(a.log_line);
    SetCbor(res, a.status, a.body);
  });

  http.Post("/v1/stop", [this](const httplib::Request& req, httplib::Response& res) {
    StopAnswer a = HandleStop(parts_.leases, req.get_header_value("Content-Type"), AsBytes(req.body), options_.clock());
    options_.log(a.log_line);
    if (a.status == 204) {
      res.status = 204;
    } else {
      SetCbor(res, a.status, a.body);
    }
  });

  http.Get("/v1/checkpoint", [this](const httplib::Request&, httplib::Response& res) {
    if (parts_.checkpoints == nullptr) {
      Refuse(res, 501, Error(Code::kUnavailable, "this validator reads no ledger (it runs on a --hosts file)"));
      return;
    }
    auto checkpoint = parts_.checkpoints->SignedCheckpoint(parts_.appraiser->keys().signing_key(), options_.clock());
    if (!checkpoint.ok()) {
      Refuse(res, 503, checkpoint.error());
      return;
    }
    SetCbor(res, 200, *checkpoint);
  });

  http.Get("/v1/status", [this](const httplib::Request& req, httplib::Response& res) {
    MetricsSnapshot m = parts_.metrics->Snapshot();
    const ValidatorKeys& keys = parts_.appraiser->keys();
    int64_t uptime = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - started_)
                         .count();
    uint64_t replay = parts_.replay != nullptr ? parts_.replay->size() : 0;
    if (req.get_header_value("Accept").find("application/json") != std::string::npos) {
      std::string json =
          StrCat("{\"did\":", JsonString(keys.did()),
                 ",\"hpke_public_key\":", JsonString(HexEncode(keys.hpke_key().public_key())),
                 ",\"fault\":", JsonString(options_.fault_name), ",\"uptime_s\":", uptime,
                 ",\"replay_cache\":", replay, ",\"requests\":", JsonCounts(m.requests),
                 ",\"approvals\":", m.approvals, ",\"refusals\":", JsonCounts(m.refusals), "}");
      res.set_content(json, "application/json");
      return;
    }
    SetCbor(res, 200,
            cbor::Encode(Value::Map({{"did", Value(keys.did())},
                                     {"hpke_public_key", Value(keys.hpke_key().public_key())},
                                     {"fault", Value(options_.fault_name)},
                                     {"uptime_s", Value(uptime)},
                                     {"replay_cache", Value(replay)},
                                     {"requests", CborCounts(m.requests)},
                                     {"approvals", Value(m.approvals)},
                                     {"refusals", CborCounts(m.refusals)}})));
  });

  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(parts_.metrics->RenderPrometheus(), "text/plain; version=0.0.4");
  });

  http.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    MetricsSnapshot m = parts_.metrics->Snapshot();
    std::string refusals;
    for (const auto& [code, n] : m.refusals) {
      refusals += StrCat("<tr><td>", HtmlEscape(code), "</td><td>", n, "</td></tr>");
    }
    std::string html = StrCat(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>vouchd</title></head><body>",
        "<h1>vouchd</h1><p>validator <code>", HtmlEscape(parts_.appraiser->keys().did()),
        "</code></p><p>approvals: ", m.approvals,
        "</p><table><tr><th>refusal</th><th>count</th></tr>", refusals,
        "</table><p><a href=\"/metrics\">metrics</a></p></body></html>");
    res.set_content(html, "text/html; charset=utf-8");
  });
}

// GET /v1/challenge?host=DID: unauthenticated, so limited per peer only.
void Server::RouteChallenge() {
  http_->Get("/v1/challenge", [this](const httplib::Request& req, httplib::Response& res) {
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
      Refuse(
          res, 400,
          Error(Code::kMalformed, "challenge: query parameter 'host' (the host DID) is missing"));
      return;
    }
    std::string host = req.get_param_value("host");
    auto did = DidKey::Parse(host);
    if (!did.ok()) {
      Refuse(res, 400, did.error().WithContext("challenge: parameter 'host'"));
      return;
    }
    Bytes nonce = parts_.challenges->Issue(did->did(), options_.clock());
    SetCbor(res, 200, protocol::EncodeChallengeAnswer({nonce, parts_.appraiser->keys().did()}));
  });
}

}  // namespace vouch::validator
