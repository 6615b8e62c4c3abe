#include "vouch/host/validator_client.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "vouch/core/cbor.h"
#include "vouch/core/duration.h"
#include "vouch/core/enrollment_request.h"
#include "vouch/ledger/append_request.h"
#include "vouch/protocol/validator_api.h"

namespace vouch::host {
namespace {

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

// `answer`, decoded from `endpoint`, with the endpoint named in its error.
template <typename T>
Result<T> From(Result<T> answer, const std::string& endpoint) {
  if (!answer.ok()) return answer.error().WithContext(StrCat("answer from ", endpoint));
  return answer;
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
                                          body->size(), protocol::kCborContentType);
  if (!res) {
    if (res.error() == httplib::Error::Read || res.error() == httplib::Error::ConnectionTimeout ||
        res.error() == httplib::Error::Write) {
      return Error(Code::kTimeout, StrCat("no answer within ", FormatDuration(timeout_)));
    }
    if (res.error() == httplib::Error::Connection) {
      return Error(Code::kUnavailable, "connection refused (is vouchd running?)");
    }
    return Error(Code::kUnavailable, StrCat("cannot reach it (", httplib::to_string(res.error()), ")"));
  }
  return Reply{res->status, Bytes(res->body.begin(), res->body.end())};
}

Error ValidatorClient::Refusal(const Reply& reply, Bytes* drift_verdict) const {
  auto refusal = protocol::DecodeRefusal(reply.body);
  if (!refusal.ok()) {
    return Error(reply.status == 429 ? Code::kRateLimited : Code::kUnavailable,
                 StrCat("HTTP ", reply.status, " from ", endpoint_));
  }
  if (drift_verdict != nullptr) *drift_verdict = std::move(refusal->drift_verdict);
  return Error(refusal->code, refusal->reason);
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
    auto refusal = protocol::DecodeRefusal(reply.body);
    if (refusal.ok() && refusal->code_name == ledger::kIndexTakenCode) {
      return ledger::AppendOutcome::kIndexTaken;
    }
  }
  return Refusal(reply);
}

Result<Challenge> ValidatorClient::GetChallenge(const std::string& host_did) {
  VOUCH_ASSIGN_OR_RETURN(Bytes body, Call("GET", "/v1/challenge?host=" + UrlEncode(host_did), nullptr));
  VOUCH_ASSIGN_OR_RETURN(protocol::ChallengeAnswer answer,
                         From(protocol::DecodeChallengeAnswer(body), endpoint_));
  return Challenge{std::move(answer.nonce), std::move(answer.validator_did)};
}

Result<AttestResponse> ValidatorClient::Attest(ByteView vc, ByteView policy, ByteView sealed_share,
                                               size_t index, ByteView event_log) {
  Bytes request = protocol::EncodeAttestRequest(
      {Bytes(vc.begin(), vc.end()), Bytes(policy.begin(), policy.end()),
       Bytes(sealed_share.begin(), sealed_share.end()), uint64_t{index}, Bytes(event_log.begin(), event_log.end())});
  VOUCH_ASSIGN_OR_RETURN(Bytes body, Call("POST", "/v1/attest", &request));
  VOUCH_ASSIGN_OR_RETURN(protocol::AttestAnswer answer, From(protocol::DecodeAttestAnswer(body), endpoint_));
  return AttestResponse{std::move(answer.endorsement), std::move(answer.share)};
}

Result<Bytes> ValidatorClient::Reattest(ByteView vc, ByteView policy, ByteView launch_vc,
                                        size_t index, ByteView guest_baseline, Bytes* drift_verdict,
                                        ByteView event_log) {
  Bytes request = protocol::EncodeReattestRequest(
      {Bytes(vc.begin(), vc.end()), Bytes(policy.begin(), policy.end()), Bytes(launch_vc.begin(), launch_vc.end()),
       uint64_t{index}, Bytes(guest_baseline.begin(), guest_baseline.end()), Bytes(event_log.begin(), event_log.end())});
  VOUCH_ASSIGN_OR_RETURN(Reply reply, Send("POST", "/v1/reattest", &request));
  if (reply.status != 200) return Refusal(reply, drift_verdict);
  return From(protocol::DecodeReattestAnswer(reply.body), endpoint_);
}

Result<EnrollCredential> ValidatorClient::BeginEnroll(const Ed25519PrivateKey& host_key,
                                                      std::string_view validator_did, int64_t at) {
  Bytes request = EncodeEnrollmentRequest(SignEnrollmentRequest(EnrollStep::kBegin, host_key, validator_did, at));
  VOUCH_ASSIGN_OR_RETURN(Bytes body, Call("POST", "/v1/enroll", &request));
  VOUCH_ASSIGN_OR_RETURN(protocol::EnrollAnswer answer, From(protocol::DecodeEnrollAnswer(body), endpoint_));
  return EnrollCredential{std::move(answer.credential), std::move(answer.encrypted_secret)};
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

}  // namespace vouch::host
