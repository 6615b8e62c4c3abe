// Test fixture: a real Server (server.h) on 127.0.0.1 and a free port over
// an AttestWorld, its clock at kNow, its log lines captured.
// Header-only; tests link vouch::validator, vouch::measure_testing and gtest.
#ifndef VOUCH_VALIDATOR_TESTING_SERVER_FIXTURE_H_
#define VOUCH_VALIDATOR_TESTING_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "testing/attest_world.h"
#include "vouch/validator/server.h"

namespace vouch::validator::testing {

class ServerFixture : public ::testing::Test {
 protected:
  // (Re)starts the server with `options` (port, clock and log replaced).
  void StartServer(ServerOptions options) {
    server_.reset();
    options.port = 0;
    options.clock = [] { return kNow; };
    options.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(line);
    };
    auto started = Server::Start(options, ServerParts{&world_.appraiser(), &world_.challenges(),
                                                      &metrics_, &world_.replay()});
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    server_ = std::move(started).value();
    ASSERT_NE(server_->port(), 0);
  }

  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  AttestWorld world_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;

 private:
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

}  // namespace vouch::validator::testing

#endif  // VOUCH_VALIDATOR_TESTING_SERVER_FIXTURE_H_
