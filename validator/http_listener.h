// vouchd's connection layer (server.h states the contract): a listening
// socket, an accept loop that admits or refuses each connection, a bounded
// queue, `threads` workers, and per request a DeadlineStream that
// cpp-httplib's request parser reads from.
//
// Admission (the accept loop, which never blocks on a peer): a connection
// whose peer (PeerKey) already holds `max_peer_connections` connections,
// queued or served, is answered 429 rate-limited and closed; one that would
// make more than `max_queue` connections wait for a worker is answered 503
// unavailable and closed. Each refusal is reported to `on_limit`.
//
// A worker serves one connection: up to `keep_alive_max_requests` requests,
// each of which must be read within `request_timeout` (else 408 and close,
// reported as "request-deadline"). Between requests it waits at most
// `keep_alive_timeout`, and not at all while another connection waits for a
// worker: an idle keep-alive connection is closed to serve it, and a request
// started while one waits is answered with "Connection: close".
//
// Thread-safe: Stop() may be called from any thread.
#ifndef VOUCH_VALIDATOR_HTTP_LISTENER_H_
#define VOUCH_VALIDATOR_HTTP_LISTENER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/core/unique_fd.h"

namespace httplib {
class Stream;
}  // namespace httplib

namespace vouch::validator {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks one
  size_t threads = 8;
  size_t max_queue = 64;
  size_t max_peer_connections = 4;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  size_t keep_alive_max_requests = 100;
};

// Reads one request from `stream` and answers it (cpp-httplib's
// Server::process_request); false once the connection is done.
using ServeRequest =
    std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;
// Told of each refusal by a limit: "peer-connections", "queue" or
// "request-deadline", and the peer's PeerKey.
using OnLimit = std::function<void(std::string_view limit, const std::string& peer)>;

class HttpListener {
 public:
  // Binds and listens, then starts the accept loop and the workers.
  // kUnavailable if the address cannot be bound; kInvalidArgument for a zero
  // count or timeout.
  static Result<std::unique_ptr<HttpListener>> Start(ListenerOptions options, ServeRequest serve,
                                                     OnLimit on_limit);

  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;
  ~HttpListener();  // Stop()

  // Stops accepting and closes the listening socket; queued connections are
  // closed, a request being read is cut short (its read sees EOF), one being
  // handled is answered. Joins every thread. Idempotent.
  void Stop();

  uint16_t port() const { return port_; }

  struct Counts {
    size_t active = 0;  // connections a worker serves
    size_t queued = 0;  // connections waiting for a worker
  };
  Counts counts() const;

 private:
  struct Connection {
    UniqueFd fd;
    std::string ip;
    int port = 0;
    std::string peer;  // PeerKey(ip)
  };

  HttpListener(ListenerOptions options, ServeRequest serve, OnLimit on_limit);
  void AcceptLoop();
  void Admit(Connection c);
  void WorkerLoop();
  void Serve(const Connection& c);
  // Waits for the next request of a keep-alive connection; false when it
  // is time to close it instead.
  bool AwaitNextRequest(int fd) const;
  // Stopping, or a queued connection waits for a worker.
  bool Yielding() const;

  const ListenerOptions options_;
  const ServeRequest serve_;
  const OnLimit on_limit_;
  UniqueFd listen_;
  UniqueFd wake_;  // eventfd: Stop wakes the accept loop
  uint16_t port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Connection> queue_;
  std::unordered_map<std::string, size_t> per_peer_;  // queued + served
  std::set<int> active_;                              // fds being served
  size_t idle_ = 0;                                   // workers waiting for a connection
  bool stopping_ = false;

  std::mutex stop_mu_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_HTTP_LISTENER_H_
