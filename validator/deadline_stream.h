// A connected socket as the httplib::Stream that cpp-httplib parses requests
// from and writes answers to (vouchd's HTTP API, server.h), with a deadline
// for each request as a whole.
//
// A read waits at most `read_timeout` for the next bytes (cpp-httplib's own
// per-read timeout) and never past the current request's deadline: however
// the bytes trickle, a request not read by then fails the read, and the
// stream is expired() for good (no further read or write, so httplib
// answers nothing; the caller answers 408 and closes). Writes wait at most
// `write_timeout` each, and send with MSG_NOSIGNAL.
//
// Not thread-safe; the fd stays the caller's (not closed here).
#ifndef VOUCH_VALIDATOR_DEADLINE_STREAM_H_
#define VOUCH_VALIDATOR_DEADLINE_STREAM_H_

#include <httplib.h>

#include <array>
#include <chrono>
#include <string>

namespace vouch::validator {

// The text address and port of an IPv4 or IPv6 socket address; false for
// another family.
bool IpAndPort(const sockaddr_storage& addr, std::string& ip, int& port);

class DeadlineStream final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // `peer_ip`/`peer_port`: the accepted connection's remote address.
  DeadlineStream(int fd, std::string peer_ip, int peer_port, std::chrono::milliseconds read_timeout,
                 std::chrono::milliseconds write_timeout);

  // Starts the next request: reads must complete by `deadline`.
  void BeginRequest(Clock::time_point deadline) { deadline_ = deadline; }
  // A read hit the request's deadline.
  bool expired() const { return expired_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  // Waits for `events` up to `timeout`, and for POLLIN never past the
  // deadline (setting expired_ when that is what ended the wait).
  bool Wait(short events, std::chrono::milliseconds timeout) const;

  const int fd_;
  const std::string peer_ip_;
  const int peer_port_;
  const std::chrono::milliseconds read_timeout_;
  const std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  mutable bool expired_ = false;
  std::array<char, 4096> buffer_{};  // httplib reads request lines a byte at a time
  size_t buffered_begin_ = 0;
  size_t buffered_end_ = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_DEADLINE_STREAM_H_
