#include "deadline_stream.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vouch::validator {

bool IpAndPort(const sockaddr_storage& addr, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(addr);
    if (::inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf) == nullptr) return false;
    port = ntohs(v4.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(addr);
    if (::inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf) == nullptr) return false;
    port = ntohs(v6.sin6_port);
  } else {
    return false;
  }
  ip = buf;
  return true;
}

DeadlineStream::DeadlineStream(int fd, std::string peer_ip, int peer_port,
                               std::chrono::milliseconds read_timeout,
                               std::chrono::milliseconds write_timeout)
    : fd_(fd),
      peer_ip_(std::move(peer_ip)),
      peer_port_(peer_port),
      read_timeout_(read_timeout),
      write_timeout_(write_timeout) {}

bool DeadlineStream::Wait(short events, std::chrono::milliseconds timeout) const {
  for (;;) {
    Clock::time_point now = Clock::now();
    Clock::time_point limit = now + timeout;
    bool deadline_binds = events == POLLIN && deadline_ <= limit;
    if (deadline_binds) limit = deadline_;
    if (now >= limit) {
      expired_ = expired_ || deadline_binds;
      return false;
    }
    // Rounded up, so a wait never ends just before its limit.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(limit - now).count();
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
    // A timeout or EINTR: the loop re-checks the limit.
  }
}

bool DeadlineStream::is_readable() const {
  if (expired_) return false;
  return buffered_begin_ < buffered_end_ || Wait(POLLIN, read_timeout_);
}

bool DeadlineStream::is_writable() const { return !expired_ && Wait(POLLOUT, write_timeout_); }

ssize_t DeadlineStream::read(char* ptr, size_t size) {
  if (buffered_begin_ == buffered_end_) {
    if (!is_readable()) return -1;
    // A large read (a body) goes straight to the caller.
    bool direct = size >= buffer_.size();
    ssize_t n;
    do {
      n = direct ? ::recv(fd_, ptr, size, 0) : ::recv(fd_, buffer_.data(), buffer_.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0 || direct) return n;
    buffered_begin_ = 0;
    buffered_end_ = static_cast<size_t>(n);
  }
  size_t n = std::min(size, buffered_end_ - buffered_begin_);
  std::memcpy(ptr, buffer_.data() + buffered_begin_, n);
  buffered_begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t DeadlineStream::write(const char* ptr, size_t size) {
  if (!is_writable()) return -1;
  ssize_t n;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

void DeadlineStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = peer_ip_;
  port = peer_port_;
}

void DeadlineStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      !IpAndPort(addr, ip, port)) {
    ip.clear();
    port = 0;
  }
}

}  // namespace vouch::validator
