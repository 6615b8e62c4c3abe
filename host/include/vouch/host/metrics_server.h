// A minimal HTTP server for GET /metrics (vouch-agent's): one thread,
// loopback or wherever `listen` says, nothing else served (404).
#ifndef VOUCH_HOST_METRICS_SERVER_H_
#define VOUCH_HOST_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"

namespace vouch::host {

class MetricsServer {
 public:
  // Listens on `listen` ("HOST:PORT"; port 0 picks one) and answers GET
  // /metrics with `render()`. kInvalidArgument for a bad address,
  // kUnavailable if it cannot bind.
  static Result<std::unique_ptr<MetricsServer>> Start(std::string_view listen, std::function<std::string()> render);
  ~MetricsServer();  // stops and joins

  // "HOST:PORT" as bound.
  std::string address() const;

 private:
  class Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::host

#endif  // VOUCH_HOST_METRICS_SERVER_H_
