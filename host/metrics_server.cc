#include "vouch/host/metrics_server.h"

#include <httplib.h>

#include <cstdlib>
#include <thread>

namespace vouch::host {

class MetricsServer::Impl {
 public:
  Impl(std::string host, std::function<std::string()> render) : host_(std::move(host)) {
    server_.set_keep_alive_max_count(1);
    server_.new_task_queue = [] { return new httplib::ThreadPool(1); };
    server_.Get("/metrics", [render](const httplib::Request&, httplib::Response& res) {
      res.set_content(render(), "text/plain; version=0.0.4");
    });
  }
  ~Impl() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  Status Listen(int port) {
    port_ = port == 0 ? server_.bind_to_any_port(host_) : (server_.bind_to_port(host_, port) ? port : -1);
    if (port_ <= 0) return Error(Code::kUnavailable, StrCat("cannot listen on ", host_, ":", port));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return Ok();
  }

  std::string address() const { return StrCat(host_, ":", port_); }

 private:
  std::string host_;
  int port_ = 0;
  httplib::Server server_;
  std::thread thread_;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsServer::~MetricsServer() = default;

std::string MetricsServer::address() const { return impl_->address(); }

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(std::string_view listen,
                                                             std::function<std::string()> render) {
  size_t colon = listen.rfind(':');
  std::string port_text = colon == std::string_view::npos ? "" : std::string(listen.substr(colon + 1));
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (colon == std::string_view::npos || colon == 0 || port_text.empty() || *end != '\0' || port < 0 ||
      port > 65535) {
    return Error(Code::kInvalidArgument, StrCat("metrics_listen '", listen, "' is not HOST:PORT"));
  }
  auto impl = std::make_unique<Impl>(std::string(listen.substr(0, colon)), std::move(render));
  VOUCH_RETURN_IF_ERROR(impl->Listen(static_cast<int>(port)));
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

}  // namespace vouch::host
