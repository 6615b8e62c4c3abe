// vouchd's HTTP API against denial of service (server.h "DoS limits"): real
// sockets against a real Server on 127.0.0.1, from two peers, 127.0.0.1 and
// 127.0.0.2 (Linux routes all of 127/8 to lo).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "testing/attest_world.h"
#include "testing/server_fixture.h"
#include "vouch/core/cbor.h"
#include "vouch/core/unique_fd.h"
#include "vouch/validator/server.h"

namespace vouch::validator {
namespace {

using std::chrono::milliseconds;
using testing::Scenario;

// Two peers: the attacker (or the victim) on one, the other client on the other.
constexpr char kPeer1[] = "127.0.0.1";
constexpr char kPeer2[] = "127.0.0.2";

// A TCP connection from `from` to 127.0.0.1:`port`.
UniqueFd ConnectFrom(const char* from, uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  bool ok = fd.valid() && ::bind(fd.get(), reinterpret_cast<sockaddr*>(&src), sizeof src) == 0 &&
            ::connect(fd.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0;
  EXPECT_TRUE(ok) << "connect from " << from << ": " << std::strerror(errno);
  return fd;
}

void SendAll(int fd, std::string_view data) {
  ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
}

// What the server sent on `fd` until it closed the connection; `closed` is
// false if it was still open after `bound` (the test's bound, not a goal).
struct Received {
  std::string data;
  bool closed = false;
};
Received ReadUntilClosed(int fd, milliseconds bound = milliseconds(10000)) {
  Received r;
  auto end = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;  // EOF, or a reset after the answer
      return r;
    }
    r.data.append(buf, static_cast<size_t>(n));
  }
  return r;
}

// The status line's code and the CBOR refusal of a raw HTTP answer.
struct Answer {
  int status = 0;
  std::string code;
  std::string reason;
};
Answer ParseAnswer(const std::string& raw) {
  Answer a;
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return a;
  a.status = std::stoi(raw.substr(9, 3));
  size_t body = raw.find("\r\n\r\n");
  if (body == std::string::npos) return a;
  auto v = cbor::Decode(AsBytes(raw.substr(body + 4)));
  if (!v.ok() || !v->is_map()) return a;
  const cbor::Value* code = v->Find("code");
  const cbor::Value* reason = v->Find("reason");
  if (code != nullptr && code->is_text()) a.code = code->text();
  if (reason != nullptr && reason->is_text()) a.reason = reason->text();
  return a;
}

// The answer on a connection that the server refuses and closes.
Answer RefusalOn(int fd) {
  Received r = ReadUntilClosed(fd);
  EXPECT_TRUE(r.closed) << "the connection is still open";
  Answer a = ParseAnswer(r.data);
  EXPECT_NE(a.status, 0) << "not an HTTP answer: '" << r.data << "'";
  return a;
}

// The slow-loris attack: `n` connections from `from`, each sending the next
// byte of `head` (then of endless header lines) every `every`, until
// destroyed. Errors once the server closed a connection are ignored.
class Trickler {
 public:
  Trickler(const char* from, uint16_t port, size_t n, milliseconds every, std::string head)
      : head_(std::move(head)) {
    for (size_t i = 0; i < n; ++i) fds_.push_back(ConnectFrom(from, port));
    thread_ = std::thread([this, every] { Run(every); });
  }
  ~Trickler() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  int fd(size_t i) const { return fds_[i].get(); }

 private:
  void Run(milliseconds every) {
    static constexpr std::string_view kFiller = "X-Slow: 1\r\n";
    for (size_t pos = 0;; ++pos) {
      char byte = pos < head_.size() ? head_[pos] : kFiller[(pos - head_.size()) % kFiller.size()];
      for (const UniqueFd& fd : fds_) (void)::send(fd.get(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, every, [this] { return stop_; })) return;
    }
  }

  const std::string head_;
  std::vector<UniqueFd> fds_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

class ServerDosTest : public testing::ServerFixture {
 protected:
  // An HTTP client whose connections come from `from`.
  httplib::Client ClientFrom(const char* from) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    c.set_write_timeout(5);
    std::string ip = from;
    c.set_socket_options([ip](socket_t sock) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      ::inet_pton(AF_INET, ip.c_str(), &src.sin_addr);
      ::bind(sock, reinterpret_cast<sockaddr*>(&src), sizeof src);
    });
    return c;
  }

  std::string ChallengePath() const { return "/v1/challenge?host=" + world_.host_did(); }
  std::string SlowRequestHead() const { return "GET " + ChallengePath() + " HTTP/1.1\r\n"; }

  // GET /v1/challenge from `from`: the nonce, or empty (with a failure).
  Bytes ChallengeFrom(const char* from) {
    auto res = ClientFrom(from).Get(ChallengePath().c_str());
    EXPECT_TRUE(res) << "no answer: " << httplib::to_string(res.error());
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    auto v = cbor::Decode(AsBytes(res->body));
    const cbor::Value* nonce = v.ok() ? v->Find("nonce") : nullptr;
    return nonce != nullptr && nonce->is_bytes() ? nonce->bytes() : Bytes{};
  }

  // Waits (up to 10 s) until `done` holds; a bound, not a goal.
  static bool WaitFor(const std::function<bool()>& done) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }

  uint64_t Limited(const std::string& limit) {
    auto m = metrics_.Snapshot().limited;
    return m.count(limit) ? m.at(limit) : 0;
  }

  // Connections the server has taken in: served, waiting, or refused.
  uint64_t Accounted() {
    return server_->active_connections() + server_->queued_connections() +
           Limited("peer-connections") + Limited("queue");
  }

  size_t LogLinesStartingWith(const std::string& prefix) {
    size_t n = 0;
    for (const std::string& line : Log()) n += line.rfind(prefix, 0) == 0;
    return n;
  }
};

// (a) Before the limits, 8 connections that each send a byte every 500 ms
// held all 8 workers for ever (each byte restarted cpp-httplib's read
// timeout), and the 9th client timed out.
TEST_F(ServerDosTest, EightSlowConnectionsDoNotDenyANinthClient) {
  StartServer({});  // the defaults vouchd runs with
  Trickler slow(kPeer1, server_->port(), 8, milliseconds(500), SlowRequestHead());
  ASSERT_TRUE(WaitFor([&] { return Accounted() == 8; }));
  EXPECT_EQ(ChallengeFrom(kPeer2).size(), kNonceSize);
  EXPECT_EQ(Limited("peer-connections"), 4u);  // the other 4 hold workers
}

TEST_F(ServerDosTest, HundredSlowConnectionsFromOnePeerDoNotDenyAnotherClient) {
  StartServer({});
  Trickler slow(kPeer1, server_->port(), 100, milliseconds(500), SlowRequestHead());
  ASSERT_TRUE(WaitFor([&] { return Accounted() == 100; }));
  EXPECT_EQ(ChallengeFrom(kPeer2).size(), kNonceSize);
  EXPECT_EQ(Limited("peer-connections"), 96u);
  // 96 refusals, one log line.
  EXPECT_EQ(LogLinesStartingWith("vouchd: limit=peer-connections peer=127.0.0.1 refused"), 1u);
}

// (b) A request that trickles in for ever is cut at the whole-request
// deadline, although every byte comes well within the read timeout.
TEST_F(ServerDosTest, TricklingRequestIsDroppedAtTheWholeRequestDeadline) {
  ServerOptions o;
  o.request_timeout = milliseconds(1500);
  o.read_timeout = milliseconds(5000);
  StartServer(o);
  Trickler slow(kPeer1, server_->port(), 1, milliseconds(100), SlowRequestHead());
  Answer a = RefusalOn(slow.fd(0));
  EXPECT_EQ(a.status, 408);
  EXPECT_EQ(a.code, "timeout");
  EXPECT_EQ(a.reason,
            "request not received within 1500ms (the whole-request deadline): connection closed");
  EXPECT_EQ(Limited("request-deadline"), 1u);
}

// (c) The N+1th connection of one peer is refused at once; another peer is
// still served, and a freed slot is usable again.
TEST_F(ServerDosTest, PerPeerCapRefusesTheNextConnectionButNotAnotherPeer) {
  ServerOptions o;
  o.max_peer_connections = 2;
  o.read_timeout = milliseconds(30000);
  StartServer(o);
  UniqueFd a = ConnectFrom(kPeer1, server_->port());
  UniqueFd b = ConnectFrom(kPeer1, server_->port());
  ASSERT_TRUE(WaitFor([&] { return server_->active_connections() == 2; }));

  UniqueFd third = ConnectFrom(kPeer1, server_->port());
  Answer refused = RefusalOn(third.get());
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.code, "rate-limited");
  EXPECT_EQ(refused.reason,
            "peer 127.0.0.1 holds 2 connections to this validator, its limit: close one or try "
            "again");
  EXPECT_EQ(Limited("peer-connections"), 1u);

  EXPECT_EQ(ChallengeFrom(kPeer2).size(), kNonceSize);
  a.Reset();
  ASSERT_TRUE(WaitFor([&] { return server_->active_connections() == 1; }));
  EXPECT_EQ(ChallengeFrom(kPeer1).size(), kNonceSize);
}

// (d) With every worker busy, max_queue connections wait and the next is
// answered 503; a waiting one is served once a worker is free.
TEST_F(ServerDosTest, QueueBoundRefusesTheNextConnectionAndServesTheQueuedOne) {
  ServerOptions o;
  o.threads = 1;
  o.max_queue = 1;
  o.read_timeout = milliseconds(30000);
  o.request_timeout = milliseconds(30000);
  StartServer(o);
  UniqueFd busy = ConnectFrom(kPeer1, server_->port());
  SendAll(busy.get(), "GET /v1/status HTTP/1.1\r\n");  // and no more
  ASSERT_TRUE(WaitFor([&] { return server_->active_connections() == 1; }));
  UniqueFd waiting = ConnectFrom(kPeer2, server_->port());
  ASSERT_TRUE(WaitFor([&] { return server_->queued_connections() == 1; }));

  UniqueFd over = ConnectFrom(kPeer2, server_->port());
  Answer refused = RefusalOn(over.get());
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.code, "unavailable");
  EXPECT_NE(refused.reason.find("1 connections wait for one, the queue limit"), std::string::npos)
      << refused.reason;
  EXPECT_EQ(Limited("queue"), 1u);

  SendAll(waiting.get(), "GET /v1/status HTTP/1.1\r\nHost: v\r\nConnection: close\r\n\r\n");
  busy.Reset();  // frees the worker
  Received served = ReadUntilClosed(waiting.get());
  EXPECT_EQ(served.data.rfind("HTTP/1.1 200", 0), 0u) << served.data;
}

// Keep-alive cannot pin a worker: an idle keep-alive connection gives up
// its worker as soon as another connection waits for one.
TEST_F(ServerDosTest, IdleKeepAliveConnectionYieldsItsWorker) {
  ServerOptions o;
  o.threads = 1;
  o.keep_alive_timeout = milliseconds(60000);
  StartServer(o);
  httplib::Client idle = ClientFrom(kPeer1);
  idle.set_keep_alive(true);
  auto first = idle.Get("/v1/status");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  ASSERT_EQ(server_->active_connections(), 1u);  // kept alive, holding the one worker

  EXPECT_EQ(ChallengeFrom(kPeer2).size(), kNonceSize);
  auto again = idle.Get("/v1/status");  // the idle client reconnects
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// (e) A challenge answers one VC: a second VC of the host on the same
// challenge is refused, naming why.
TEST_F(ServerDosTest, ReusedChallengeIsRefused) {
  StartServer({});
  Scenario s;
  s.our_nonce = ChallengeFrom(kPeer2);
  auto attest = [&] {
    Bytes body = protocol::EncodeAttestRequest(world_.Build(s).request);
    return ClientFrom(kPeer2).Post("/v1/attest", reinterpret_cast<const char*>(body.data()),
                                    body.size(), kCborContentType);
  };
  auto first = attest();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  auto second = attest();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 403);
  Answer a = ParseAnswer("HTTP/1.1 403 \r\n\r\n" + second->body);
  EXPECT_EQ(a.code, "stale-nonce");
  EXPECT_EQ(a.reason,
            "challenge was already answered by another VC: a challenge is single-use (ask GET "
            "/v1/challenge for a new one)");
}

// (f) A stranger asks for challenges in the victim host's name until it is
// refused. The limit is the stranger's own (its peer address), not the
// victim's DID: the victim still gets its challenge and its key released.
TEST_F(ServerDosTest, StrangerAskingInTheVictimsNameDoesNotSpendTheVictimsChallenges) {
  ServerOptions o;
  o.challenge_burst = 5;
  o.challenge_rate = 0.01;
  StartServer(o);
  httplib::Client stranger = ClientFrom(kPeer2);
  stranger.set_keep_alive(true);
  size_t refused = 0;
  for (int i = 0; i < 50; ++i) {
    auto res = stranger.Get(ChallengePath().c_str());
    ASSERT_TRUE(res);
    if (res->status == 200) continue;
    ++refused;
    ASSERT_EQ(res->status, 429);
    Answer a = ParseAnswer("HTTP/1.1 429 \r\n\r\n" + res->body);
    EXPECT_EQ(a.code, "rate-limited");
    EXPECT_EQ(a.reason,
              "peer 127.0.0.2 asked for challenges faster than this validator's limit (5 at once, "
              "then 0.01 a second): try again in a second");
  }
  EXPECT_EQ(refused, 45u);
  EXPECT_EQ(Limited("challenge-rate"), 45u);
  EXPECT_EQ(LogLinesStartingWith("vouchd: limit=challenge-rate peer=127.0.0.2 refused"), 1u);

  Scenario s;
  s.our_nonce = ChallengeFrom(kPeer1);  // the victim, from its own address
  ASSERT_EQ(s.our_nonce->size(), kNonceSize);
  Bytes body = protocol::EncodeAttestRequest(world_.Build(s).request);
  auto released = ClientFrom(kPeer1).Post(
      "/v1/attest", reinterpret_cast<const char*>(body.data()), body.size(), kCborContentType);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->status, 200) << released->body;
}

}  // namespace
}  // namespace vouch::validator
