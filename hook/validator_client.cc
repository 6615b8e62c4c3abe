#include "vouch/hook/validator_client.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "vouch/core/cbor.h"
#include "vouch/core/enrollment_request.h"
#include "vouch/ledger/append_request.h"

namespace vouch::hook {
namespace {

constexpr const char* kCbor = "application/cbor";

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<cbor::Value> DecodeBody(const Bytes& body, const std::string& endpoint) {
  cbor::DecodeLimits limits;
  limits.max_input_size = 64 * 1024;
  auto v = cbor::Decode(body, limits);
  if (!v.ok()) return v.error().WithContext(StrCat("answer from ", endpoint));
  if (!v->is_map()) return Error(Code::kMalformed, StrCat("answer from ", endpoint, " is not a CBOR map"));
  return v;
}

}  // namespace

ValidatorClient::ValidatorClient(std::string endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

// A validator answers 429 when this host holds more connections than its
// per-peer cap or asks challenges faster than its rate (parallel starts on
// one host): the request was not appraised, so it is sent again after a
// short, growing pause while the timeout allows.
Result<ValidatorClient::Reply> ValidatorClient::Send(const std::string& method, const std::string& path,
                                                     const Bytes* body) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout_;
  std::chrono::milliseconds pause(25);
  std::optional<Reply> last_429;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Result<Reply> reply = SendOnce(method, path, body, std::max(left, std::chrono::milliseconds(1)));
    // A retry cut short by the timeout says less than the 429 before it.
    if (!reply.ok() && last_429 && reply.error().code() == Code::kTimeout) return *std::move(last_429);
    if (!reply.ok() || reply->status != 429 || Clock::now() + pause >= deadline) return reply;
    last_429 = *std::move(reply);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(400));
  }
}

Result<ValidatorClient::Reply> ValidatorClient::SendOnce(const std::string& method, const std::string& path,
                                                         const Bytes* body, std::chrono::milliseconds timeout) {
  httplib::Client client(endpoint_);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  client.set_tcp_nodelay(true);  // small requests: no Nagle delay
  httplib::Result res = method == "GET"
                            ? client.Get(path.c_str())
                            : client.Post(path.c_str(), reinterpret_cast<const char*>(body->data()),
                                          body->size(), kCbor);
  if (!res) {
    double s = static_cast<double>(timeout_.count()) / 1000.0;
    if (res.error() == httplib::Error::Read || res.error() == httplib::Error::ConnectionTimeout ||
        res.error() == httplib::Error::Write) {
      return Error(Code::kTimeout, StrCat("no answer within ", s, " s"));
    }
    if (res.error() == httplib::Error::Connection) {
      return Error(Code::kUnavailable, "connection refused (is vouchd running?)");
    }
    return Error(Code::kUnavailable, StrCat("cannot reach it (", httplib::to_string(res.error()), ")"));
  }
  return Reply{res->status, Bytes(res->body.begin(), res->body.end())};
}

Error ValidatorClient::Refusal(const Reply& reply) const {
  // A refusal: {"code", "reason"}.
  auto v = DecodeBody(reply.body, endpoint_);
  if (v.ok()) {
    const cbor::Value* code = v->Find("code");
    const cbor::Value* reason = v->Find("reason");
    if (code != nullptr && code->is_text() && reason != nullptr && reason->is_text()) {
      return Error(CodeFromName(code->text()), reason->text());
    }
  }
  return Error(reply.status == 429 ? Code::kRateLimited : Code::kUnavailable,
               StrCat("HTTP ", reply.status, " from ", endpoint_));
}

Result<Bytes> ValidatorClient::Call(const std::string& method, const std::string& path,
                                    const Bytes* body) {
  VOUCH_ASSIGN_OR_RETURN(Reply reply, Send(method, path, body));
  if (reply.status == 200 || reply.status == 204) return std::move(reply.body);
  return Refusal(reply);
}

Result<ledger::AppendOutcome> ValidatorClient::AppendLedgerEntry(const ledger::Entry& entry) {
  Bytes request = ledger::EncodeAppendRequest(entry);
  VOUCH_ASSIGN_OR_RETURN(Reply reply, Send("POST", "/v1/ledger/append", &request));
  if (reply.status == 200) {
    auto outcome = ledger::DecodeAppendAnswer(reply.body, entry.index());
    if (!outcome.ok()) return outcome.error().WithContext(StrCat("answer from ", endpoint_));
    return outcome;
  }
  if (reply.status == 409) {
    auto v = DecodeBody(reply.body, endpoint_);
    const cbor::Value* code = v.ok() ? v->Find("code") : nullptr;
    if (code != nullptr && code->is_text() && code->text() == ledger::kIndexTakenCode) {
      return ledger::AppendOutcome::kIndexTaken;
    }
  }
  return Refusal(reply);
}

Result<Challenge> ValidatorClient::GetChallenge(const std::string& host_did) {
  VOUCH_ASSIGN_OR_RETURN(Bytes body, Call("GET", "/v1/challenge?host=" + UrlEncode(host_did), nullptr));
  VOUCH_ASSIGN_OR_RETURN(cbor::Value v, DecodeBody(body, endpoint_));
  const cbor::Value* nonce = v.Find("nonce");
  const cbor::Value* did = v.Find("validator");
  if (nonce == nullptr || !nonce->is_bytes() || nonce->bytes().empty() || nonce->bytes().size() > 64 ||
      did == nullptr || !did->is_text()) {
    return Error(Code::kMalformed, StrCat("challenge from ", endpoint_, " lacks nonce or validator"));
  }
  return Challenge{nonce->bytes(), did->text()};
}

Result<AttestResponse> ValidatorClient::Attest(ByteView vc, ByteView policy, ByteView sealed_share,
                                               size_t index) {
  Bytes request = cbor::Encode(cbor::Value::Map({{"vc", cbor::Value(vc)},
                                                 {"policy", cbor::Value(policy)},
                                                 {"share", cbor::Value(sealed_share)},
                                                 {"index", uint64_t{index}}}));
  VOUCH_ASSIGN_OR_RETURN(Bytes body, Call("POST", "/v1/attest", &request));
  VOUCH_ASSIGN_OR_RETURN(cbor::Value v, DecodeBody(body, endpoint_));
  const cbor::Value* e = v.Find("endorsement");
  const cbor::Value* s = v.Find("share");
  if (e == nullptr || !e->is_bytes() || s == nullptr || !s->is_bytes()) {
    return Error(Code::kMalformed, StrCat("attest answer from ", endpoint_, " lacks endorsement or share"));
  }
  return AttestResponse{e->bytes(), s->bytes()};
}

Result<Bytes> ValidatorClient::Reattest(ByteView vc, ByteView policy, ByteView launch_vc,
                                        size_t index, ByteView guest_baseline, Bytes* drift_verdict) {
  cbor::MapEntries fields = {{"vc", cbor::Value(vc)},
                             {"policy", cbor::Value(policy)},
                             {"launch", cbor::Value(launch_vc)},
                             {"index", uint64_t{index}}};
  if (!guest_baseline.empty()) fields.emplace_back("guest_baseline", cbor::Value(guest_baseline));
  Bytes request = cbor::Encode(cbor::Value::Map(std::move(fields)));
  VOUCH_ASSIGN_OR_RETURN(Reply reply, Send("POST", "/v1/reattest", &request));
  if (reply.status != 200) {
    if (drift_verdict != nullptr) {
      auto v = DecodeBody(reply.body, endpoint_);
      const cbor::Value* verdict = v.ok() ? v->Find("verdict") : nullptr;
      if (verdict != nullptr && verdict->is_bytes()) *drift_verdict = verdict->bytes();
    }
    return Refusal(reply);
  }
  Bytes body = std::move(reply.body);
  VOUCH_ASSIGN_OR_RETURN(cbor::Value v, DecodeBody(body, endpoint_));
  const cbor::Value* e = v.Find("endorsement");
  if (e == nullptr || !e->is_bytes()) {
    return Error(Code::kMalformed, StrCat("reattest answer from ", endpoint_, " lacks endorsement"));
  }
  return e->bytes();
}

Result<EnrollCredential> ValidatorClient::BeginEnroll(const Ed25519PrivateKey& host_key,
                                                      std::string_view validator_did, int64_t at) {
  Bytes request = EncodeEnrollmentRequest(SignEnrollmentRequest(EnrollStep::kBegin, host_key, validator_did, at));
  VOUCH_ASSIGN_OR_RETURN(Bytes body, Call("POST", "/v1/enroll", &request));
  VOUCH_ASSIGN_OR_RETURN(cbor::Value v, DecodeBody(body, endpoint_));
  const cbor::Value* c = v.Find("credential");
  const cbor::Value* s = v.Find("secret");
  if (c == nullptr || !c->is_bytes() || s == nullptr || !s->is_bytes()) {
    return Error(Code::kMalformed,
                 StrCat("enroll answer from ", endpoint_, " lacks credential or secret"));
  }
  return EnrollCredential{c->bytes(), s->bytes()};
}

Status ValidatorClient::FinishEnroll(const Ed25519PrivateKey& host_key, std::string_view validator_did,
                                     int64_t at, ByteView secret) {
  Bytes request =
      EncodeEnrollmentRequest(SignEnrollmentRequest(EnrollStep::kFinish, host_key, validator_did, at, secret));
  Result<Bytes> done = Call("POST", "/v1/enroll/finish", &request);
  OPENSSL_cleanse(request.data(), request.size());
  if (!done.ok()) return done.error();
  return Ok();
}

Status ValidatorClient::Stop(const StopNotice& notice) {
  Bytes request = EncodeStopNotice(notice);
  Result<Bytes> done = Call("POST", "/v1/stop", &request);
  if (!done.ok()) return done.error();
  return Ok();
}

}  // namespace vouch::hook
