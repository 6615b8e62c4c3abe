// etcd's v3 JSON gateway over libcurl, for EtcdLedger (private to
// vouch_ledger): a pool of curl handles, round-robin failover between the
// endpoints, and on etcds:// TLS with a client certificate plus etcd
// authentication.
//
// Authentication: with a user configured, the first request fetches a
// token (POST /v3/auth/authenticate {"name","password"}) and every request
// carries it in the "Authorization" header; when a member answers that the
// token is invalid (it expired, or the member restarted) the gateway fetches
// a new one and repeats the request once. etcd 3.4's gateway does not take
// the user from the client certificate: a certificate with a Common Name is
// refused outright, so the certificate only admits the client to TLS.
//
// Errors name the endpoint, the operation and what to fix: a refusal by the
// cluster (HTTP 4xx: no user, a wrong password, a role without the
// permission) at once; a TLS failure that is the client's (a CA the members'
// certificates do not chain to, no client certificate or one the cluster
// does not trust, TLS spoken to a plain member or plain HTTP to a TLS one)
// once every endpoint has said so in a row; anything else (a member down or
// slow) after EtcdOptions::retry_window.
//
// Thread-safe.
#ifndef VOUCH_LEDGER_INTERNAL_ETCD_GATEWAY_H_
#define VOUCH_LEDGER_INTERNAL_ETCD_GATEWAY_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/ledger/etcd_ledger.h"

namespace vouch::ledger::internal {

class EtcdGateway {
 public:
  // `password` is the user's (options.access.user), empty without one.
  // REQUIRES: curl_global_init has run; endpoints is not empty.
  EtcdGateway(std::vector<std::string> endpoints, bool tls, const EtcdOptions& options, SecretBytes password);
  ~EtcdGateway();
  EtcdGateway(const EtcdGateway&) = delete;
  EtcdGateway& operator=(const EtcdGateway&) = delete;

  // POSTs `body` to `path` ("/v3/kv/range") and returns the parsed reply
  // (see the file comment for failover and errors). `what` names the
  // operation in errors ("append entry 7").
  Result<nlohmann::json> Post(std::string_view path, const nlohmann::json& body, std::string_view what);

  // Makes the endpoint after the preferred one the preferred one.
  void Rotate();

  // Outcome of one watch connection.
  enum class StreamEnd { kStopped, kTimedOut, kEnded };

  // Opens a watch stream (/v3/watch) with `body` on the preferred endpoint
  // for at most `duration` and feeds each JSON line to `on_line` until it
  // returns false (kStopped). kEnded (and the next endpoint becomes the
  // preferred one) if the stream ends or fails before that.
  StreamEnd Watch(const nlohmann::json& body, std::chrono::milliseconds duration,
                  const std::function<bool(const nlohmann::json&)>& on_line);

  struct Curl;  // a pooled curl handle (etcd_gateway.cc)

 private:
  struct Attempt;
  // One POST of `payload` to endpoint i with `token` (none if empty).
  Attempt Perform(size_t i, std::string_view path, const std::string& payload, const std::string& token);
  // Post's loop: `with_token` is false only for the authentication itself.
  Result<nlohmann::json> PostPayload(std::string_view path, const std::string& payload, std::string_view what,
                                     bool with_token);
  // The token to send (authenticating first if there is none); "" without a user.
  Result<std::string> Token();
  // Drops `stale` (if it is still the current token) and authenticates again.
  Result<std::string> RenewToken(const std::string& stale);
  Result<std::string> Authenticate();
  // A refusal (HTTP 4xx) as one line naming what to fix.
  Error Refusal(const std::string& endpoint, std::string_view what, long status, const std::string& reply) const;
  // A transport failure as one line; `client_side` says whether it is the
  // client's TLS set-up (not a member down).
  std::string DescribeFailure(const Attempt& a, bool* client_side) const;
  std::string Url(size_t i, std::string_view path) const;
  std::unique_ptr<Curl> Take();  // from the pool, or new
  std::unique_ptr<Curl> NewCurl() const;
  void Give(std::unique_ptr<Curl> c);

  const std::vector<std::string> endpoints_;
  const bool tls_;
  const EtcdOptions options_;
  const SecretBytes password_;
  std::atomic<size_t> preferred_{0};
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Curl>> pool_;
  std::mutex token_mu_;  // held while authenticating: one token fetch at a time
  std::string token_;
};

}  // namespace vouch::ledger::internal

#endif  // VOUCH_LEDGER_INTERNAL_ETCD_GATEWAY_H_
