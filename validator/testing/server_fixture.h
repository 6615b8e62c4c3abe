// Test fixture: a real Server (server.h) on 127.0.0.1 and a free port over
// an AttestWorld, its clock at kNow, its log lines captured whole (time and
// level included; Log() drops them, LogLines() keeps them).
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
  // The server's threads log into log_ until they are joined.
  ~ServerFixture() override { server_.reset(); }

  // (Re)starts the server with `options` (port, clock and log replaced).
  void StartServer(ServerOptions options) {
    server_.reset();
    options.port = 0;
    options.clock = [] { return kNow; };
    options.logger = Logger(
        [this](const std::string& line) {
          std::lock_guard<std::mutex> lock(log_mu_);
          log_.push_back(line);
        },
        [] { return std::chrono::system_clock::time_point(std::chrono::seconds(kNow)); });
    auto started = Server::Start(options, ServerParts{&world_.appraiser(), &world_.challenges(),
                                                      &metrics_, &world_.replay()});
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    server_ = std::move(started).value();
    ASSERT_NE(server_->port(), 0);
  }

  // The captured lines without their "time=… level=… " prefix.
  std::vector<std::string> Log() {
    std::vector<std::string> out;
    for (const std::string& line : LogLines()) {
      size_t level = line.find(" level=");
      size_t message = level == std::string::npos ? std::string::npos : line.find(' ', level + 1);
      out.push_back(message == std::string::npos ? line : line.substr(message + 1));
    }
    return out;
  }

  std::vector<std::string> LogLines() {
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
