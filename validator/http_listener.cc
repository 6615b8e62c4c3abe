#include "http_listener.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "deadline_stream.h"
#include "vouch/core/duration.h"
#include "vouch/validator/api.h"
#include "vouch/validator/peer_key.h"

namespace vouch::validator {
namespace {

using Clock = std::chrono::steady_clock;

std::string HostPort(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  return v6 ? StrCat("[", host, "]:", port) : StrCat(host, ":", port);
}

const char* StatusText(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    default:
      return "Service Unavailable";
  }
}

// Answers `status` with the CBOR refusal and half-closes, without reading
// the request and without ever blocking (the accept loop calls this): a
// fresh socket's send buffer takes the ~200 bytes at once.
void SendRefusal(int fd, int status, const Error& error) {
  Bytes body = protocol::EncodeRefusal(error);
  std::string out = StrCat("HTTP/1.1 ", status, " ", StatusText(status),
                           "\r\nContent-Type: ", kCborContentType,
                           "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n");
  out.append(body.begin(), body.end());
  (void)::send(fd, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);  // best effort
  ::shutdown(fd, SHUT_WR);
  // What the peer already sent is read, so the close sends a FIN, not a RST
  // that could discard the answer; bounded, so a fast sender cannot hold us.
  char sink[4096];
  for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
  }
}

// A non-blocking listening socket on host:port; `bound` gets its port.
Result<UniqueFd> Listen(const std::string& host, int port, uint16_t& bound) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string where = port == 0 ? StrCat(host, " (any port)") : HostPort(host, port);
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Error(Code::kUnavailable, StrCat("cannot listen on ", where, ": ", ::gai_strerror(rc)));
  }
  int err = 0;
  UniqueFd fd;
  for (addrinfo* ai = found; ai != nullptr && !fd.valid(); ai = ai->ai_next) {
    UniqueFd s(::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    // SO_REUSEADDR only allows a restart while old connections linger in
    // TIME_WAIT (never SO_REUSEPORT: a second vouchd on the same port would
    // silently take half the requests).
    int yes = 1;
    if (!s.valid() || ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
        ::bind(s.get(), ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(s.get(), SOMAXCONN) != 0) {
      err = errno;
      continue;
    }
    fd = std::move(s);
  }
  ::freeaddrinfo(found);
  if (!fd.valid()) {
    return Error(Code::kUnavailable,
                 StrCat("cannot listen on ", where, ": ", std::strerror(err),
                        port == 0 ? "" : " (address in use or not local?)"));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  std::string ip;
  int p = 0;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      !IpAndPort(addr, ip, p)) {
    return Error(Code::kUnavailable, StrCat("cannot listen on ", where, ": no bound port"));
  }
  bound = static_cast<uint16_t>(p);
  return fd;
}

}  // namespace

HttpListener::HttpListener(ListenerOptions options, ServeRequest serve, OnLimit on_limit)
    : options_(std::move(options)), serve_(std::move(serve)), on_limit_(std::move(on_limit)) {}

Result<std::unique_ptr<HttpListener>> HttpListener::Start(ListenerOptions options,
                                                          ServeRequest serve, OnLimit on_limit) {
  using Ms = std::chrono::milliseconds;
  if (options.threads == 0 || options.max_peer_connections == 0 ||
      options.keep_alive_max_requests == 0 || options.request_timeout <= Ms(0) ||
      options.read_timeout <= Ms(0) || options.write_timeout <= Ms(0) ||
      options.keep_alive_timeout < Ms(0)) {
    return Error(Code::kInvalidArgument,
                 "server: threads, per-peer connections, keep-alive requests and timeouts must be "
                 "at least 1");
  }
  if (options.port < 0 || options.port > 65535) {
    return Error(Code::kInvalidArgument, StrCat("server: port ", options.port, " is out of range"));
  }
  std::unique_ptr<HttpListener> l(
      new HttpListener(std::move(options), std::move(serve), std::move(on_limit)));
  VOUCH_ASSIGN_OR_RETURN(l->listen_, Listen(l->options_.host, l->options_.port, l->port_));
  l->wake_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!l->wake_.valid()) {
    return Error(Code::kUnavailable, StrCat("server: eventfd: ", std::strerror(errno)));
  }
  for (size_t i = 0; i < l->options_.threads; ++i) {
    l->workers_.emplace_back([p = l.get()] { p->WorkerLoop(); });
  }
  l->acceptor_ = std::thread([p = l.get()] { p->AcceptLoop(); });
  return l;
}

HttpListener::~HttpListener() { Stop(); }

void HttpListener::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (int fd : active_) ::shutdown(fd, SHUT_RD);
    for (const Connection& c : queue_) {
      if (--per_peer_[c.peer] == 0) per_peer_.erase(c.peer);
    }
    queue_.clear();
  }
  cv_.notify_all();
  uint64_t one = 1;
  if (wake_.valid()) (void)::write(wake_.get(), &one, sizeof one);
  if (acceptor_.joinable()) acceptor_.join();
  listen_.Reset();  // from now on connecting is refused
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

HttpListener::Counts HttpListener::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Counts{active_.size(), queue_.size()};
}

void HttpListener::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;  // Stop
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    UniqueFd fd(::accept4(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC));
    if (!fd.valid()) {
      // Out of descriptors: let connections finish rather than spin.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      continue;
    }
    Connection c;
    c.fd = std::move(fd);
    if (!IpAndPort(addr, c.ip, c.port)) c.ip = "unknown";
    c.peer = PeerKey(c.ip);
    Admit(std::move(c));
  }
}

void HttpListener::Admit(Connection c) {
  int status = 0;
  Error refusal(Code::kInternal, "");
  std::string_view limit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    size_t& held = per_peer_[c.peer];
    if (held >= options_.max_peer_connections) {
      status = 429;
      limit = "peer-connections";
      refusal = Error(Code::kRateLimited,
                      StrCat("peer ", c.peer, " holds ", held,
                             " connections to this validator, its limit: close one or try again"));
    } else if (queue_.size() >= idle_ + options_.max_queue) {
      if (held == 0) per_peer_.erase(c.peer);
      status = 503;
      limit = "queue";
      refusal = Error(Code::kUnavailable,
                      StrCat("all ", options_.threads, " workers are busy and ", options_.max_queue,
                             " connections wait for one, the queue limit: try again in a moment"));
    } else {
      ++held;
      queue_.push_back(std::move(c));
      cv_.notify_one();
      return;
    }
  }
  on_limit_(limit, c.peer);  // first, so the count is in before the peer hears
  SendRefusal(c.fd.get(), status, refusal);
}

void HttpListener::WorkerLoop() {
  for (;;) {
    Connection c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (stopping_) return;
      c = std::move(queue_.front());
      queue_.pop_front();
      active_.insert(c.fd.get());
    }
    Serve(c);
    ::shutdown(c.fd.get(), SHUT_RDWR);
    std::lock_guard<std::mutex> lock(mu_);
    active_.erase(c.fd.get());
    if (--per_peer_[c.peer] == 0) per_peer_.erase(c.peer);
    // c.fd closes after it left active_: Stop never shuts down a reused fd.
  }
}

void HttpListener::Serve(const Connection& c) {
  int fd = c.fd.get();
  int yes = 1;
  // Answers are one small write each: without TCP_NODELAY, Nagle's
  // algorithm and the client's delayed ACK hold every answer ~40 ms.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  DeadlineStream stream(fd, c.ip, c.port, options_.read_timeout, options_.write_timeout);
  for (size_t n = 0; n < options_.keep_alive_max_requests; ++n) {
    if (n > 0 && !AwaitNextRequest(fd)) return;
    stream.BeginRequest(Clock::now() + options_.request_timeout);
    bool close = n + 1 == options_.keep_alive_max_requests || Yielding();
    bool closed = false;
    bool more = serve_(stream, close, closed);
    if (stream.expired()) {
      on_limit_("request-deadline", c.peer);
      SendRefusal(fd, 408,
                  Error(Code::kTimeout, StrCat("request not received within ",
                                               FormatDuration(options_.request_timeout),
                                               " (the whole-request deadline): connection closed")));
      return;
    }
    if (!more || close || closed) return;
  }
}

bool HttpListener::AwaitNextRequest(int fd) const {
  const Clock::time_point end = Clock::now() + options_.keep_alive_timeout;
  for (;;) {
    if (Yielding()) return false;
    Clock::time_point now = Clock::now();
    if (now >= end) return false;
    // Short slices, so a connection that starts to wait is seen soon.
    auto ms = std::min<int64_t>(50, std::chrono::ceil<std::chrono::milliseconds>(end - now).count());
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(ms));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

bool HttpListener::Yielding() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_ || queue_.size() > idle_;
}

}  // namespace vouch::validator
