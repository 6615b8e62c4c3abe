// Test helper: one validator in this process, as the host's tests talk to
// it: its keys, a static host directory, challenges, replay cache, metrics,
// an Appraiser (with a fault, fault.h, to play a Byzantine one) and a real
// Server on 127.0.0.1 and a free port. Header-only; tests link
// vouch::validator.
#ifndef VOUCH_VALIDATOR_TESTING_IN_PROCESS_VALIDATOR_H_
#define VOUCH_VALIDATOR_TESTING_IN_PROCESS_VALIDATOR_H_

#include <memory>
#include <set>
#include <string>

#include "vouch/validator/appraisal.h"
#include "vouch/validator/server.h"
#include "vouch/validator/static_host_directory.h"

namespace vouch::validator::testing {

struct InProcessValidator {
  // (Re)starts serving with `options`, knowing host `host_did` with AK
  // `ak_public` as certified by `certifiers`.
  Status Start(const std::string& host_did, const Bytes& ak_public, const std::set<std::string>& certifiers,
               AppraisalOptions options = {}) {
    server.reset();
    directory.Put(HostRecord{host_did, ak_public, true, certifiers, false, ""});
    appraiser = std::make_unique<Appraiser>(keys, directory, challenges, replay, options);
    ServerOptions server_options;
    server_options.logger = Logger::Discard();
    auto started = Server::Start(server_options, ServerParts{appraiser.get(), &challenges, &metrics, &replay});
    if (!started.ok()) return started.error();
    server = std::move(started).value();
    port = server->port();
    return Ok();
  }
  // Stops serving (its port then refuses connections).
  void Stop() { server.reset(); }
  // Where a policy says it is.
  std::string endpoint() const { return StrCat("http://127.0.0.1:", port); }

  ValidatorKeys keys = ValidatorKeys::Generate();
  StaticHostDirectory directory;
  ChallengeIssuer challenges;
  ReplayCache replay;
  Metrics metrics;
  std::unique_ptr<Appraiser> appraiser;
  std::unique_ptr<Server> server;
  int port = 0;  // kept after Stop, or set to where another server stands in
};

}  // namespace vouch::validator::testing

#endif  // VOUCH_VALIDATOR_TESTING_IN_PROCESS_VALIDATOR_H_
