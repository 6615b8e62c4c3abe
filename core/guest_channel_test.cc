#include "vouch/core/guest_channel.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vouch/core/cbor.h"
#include "vouch/core/unique_fd.h"

namespace vouch::guest_channel {
namespace {

using cbor::Value;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

Evidence SomeEvidence() {
  Evidence e;
  e.round = 7;
  e.guest.quote = Bytes(100, 1);
  e.guest.signature = Bytes(72, 2);
  e.guest.pcrs = {{0, Bytes(32, 3)}, {9, Bytes(32, 4)}};
  e.guest.log = Bytes(32, 5);
  e.guest.ak = Bytes(90, 6);
  return e;
}

std::vector<Message> AllMessages() {
  return {Hello{}, PolicyOffer{Bytes{1, 2}, Bytes{3}}, RoundRequest{}, Challenge{3, {Bytes(32, 9), Bytes(32, 8)}},
          SomeEvidence(), Endorsed{7, Bytes{4, 5}}, Refused{7, "validator said no"}};
}

TEST(GuestChannelTest, EveryMessageRoundTrips) {
  for (const Message& m : AllMessages()) {
    auto back = DecodeMessage(EncodeMessage(m));
    ASSERT_TRUE(back.ok()) << TypeName(m) << ": " << back.error().ToString();
    EXPECT_EQ(*back, m) << TypeName(m);
  }
}

TEST(GuestChannelTest, WireFormIsTheDesignedMap) {
  Bytes wire = EncodeMessage(Challenge{3, {Bytes{0xaa}}});
  auto v = cbor::Decode(wire);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->ToDiagnostic(), R"({"type": "challenge", "round": 3, "nonces": [h'aa']})");
  auto frame = EncodeFrame(RoundRequest{});
  ASSERT_TRUE(frame.ok());
  Bytes body = EncodeMessage(RoundRequest{});
  ASSERT_EQ(frame->size(), body.size() + 4);
  EXPECT_EQ((*frame)[0], 0);
  EXPECT_EQ((*frame)[3], body.size());
}


std::string DecodeError(cbor::MapEntries m) {
  auto r = DecodeMessage(cbor::Encode(Value::Map(std::move(m))));
  if (r.ok()) return "ok";
  EXPECT_EQ(r.error().code(), Code::kMalformed);
  return r.error().message();
}

TEST(GuestChannelTest, StrictDecodingNamesTheField) {
  EXPECT_NE(DecodeError({{"type", "endorsed"}, {"round", 1}, {"vc", Bytes{1}}, {"extra", 1}}).find("unknown field"),
            std::string::npos);
  EXPECT_NE(DecodeError({{"type", "endorsed"}, {"round", 1}}).find("'vc' is missing"), std::string::npos);
  EXPECT_NE(DecodeError({{"type", "endorsed"}, {"round", -1}, {"vc", Bytes{1}}}).find("'round'"), std::string::npos);
  EXPECT_NE(DecodeError({{"type", "endorsed"}, {"round", 1}, {"vc", "text"}}).find("'vc' must be a byte string"),
            std::string::npos);
  EXPECT_NE(DecodeError({{"type", "teleport"}}).find("unknown type"), std::string::npos);
  EXPECT_NE(DecodeError({{"round", 1}}).find("'type'"), std::string::npos);
  EXPECT_NE(DecodeError({{"type", "hello"}, {"v", 2}}).find("'v'"), std::string::npos);
  EXPECT_NE(DecodeError({{"type", "challenge"}, {"round", 1}, {"nonces", Value(cbor::Array{})}}).find("'nonces'"),
            std::string::npos);
  EXPECT_NE(DecodeError({{"type", "challenge"}, {"round", 1}, {"nonces", Value(cbor::Array{Value("x")})}})
                .find("'nonces'"),
            std::string::npos);
  EXPECT_NE(DecodeError({{"type", "refused"}, {"round", 1}, {"reason", std::string(2000, 'x')}}).find("'reason'"),
            std::string::npos);
  EXPECT_NE(DecodeError({{"type", "evidence"}, {"round", 1}, {"quote", Bytes{1}}, {"sig", Bytes{1}},
                         {"pcrs", Value::Map({{Value(30), Value(Bytes(32))}})}, {"log", Bytes(32)}, {"ak", Bytes{1}}})
                .find("'pcrs'"),
            std::string::npos);
  EXPECT_NE(DecodeError({{"type", "evidence"}, {"round", 1}, {"quote", Bytes{1}}, {"sig", Bytes{1}},
                         {"pcrs", Value::Map({})}, {"log", Bytes(31)}, {"ak", Bytes{1}}})
                .find("'log'"),
            std::string::npos);
  // Not a map, not deterministic, empty, oversize.
  EXPECT_FALSE(DecodeMessage(cbor::Encode(Value(cbor::Array{}))).ok());
  EXPECT_FALSE(DecodeMessage(Bytes{0xa1, 0x61, 't', 0x18, 0x01}).ok());
  EXPECT_FALSE(DecodeMessage(Bytes{}).ok());
  EXPECT_FALSE(DecodeMessage(Bytes(kMaxFrameSize + 1, 0)).ok());
}

TEST(GuestChannelTest, OversizeMessageIsNotFramed) {
  auto f = EncodeFrame(PolicyOffer{Bytes(kMaxFrameSize, 1), Bytes{}});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), Code::kInvalidArgument);
}

struct Pair {
  UniqueFd a, b;
};
Pair SocketPair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

TEST(FramedChannelTest, WritesAndReadsFrames) {
  Pair p = SocketPair();
  FramedChannel a(p.a.get()), b(p.b.get());
  auto deadline = steady_clock::now() + milliseconds(2000);
  for (const Message& m : AllMessages()) {
    ASSERT_TRUE(a.Write(m, deadline).ok());
    auto got = b.Read(deadline);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    EXPECT_EQ(*got, m);
  }
}

TEST(FramedChannelTest, SilentPeerTimesOutAtTheDeadline) {
  Pair p = SocketPair();
  FramedChannel b(p.b.get());
  auto start = steady_clock::now();
  auto got = b.Read(start + milliseconds(200));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kTimeout);
  EXPECT_LT(steady_clock::now() - start, milliseconds(1500));
}

TEST(FramedChannelTest, TricklingPeerTimesOutAtTheDeadline) {
  Pair p = SocketPair();
  FramedChannel b(p.b.get());
  // A header promising 100 bytes and then only a few: the deadline still holds.
  uint8_t partial[] = {0, 0, 0, 100, 0xa1};
  ASSERT_EQ(::write(p.a.get(), partial, sizeof partial), static_cast<ssize_t>(sizeof partial));
  auto start = steady_clock::now();
  auto got = b.Read(start + milliseconds(200));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kTimeout);
  EXPECT_LT(steady_clock::now() - start, milliseconds(1500));
}

TEST(FramedChannelTest, BadLengthsAndClosedPeer) {
  {
    Pair p = SocketPair();
    uint8_t zero[] = {0, 0, 0, 0};
    ASSERT_EQ(::write(p.a.get(), zero, 4), 4);
    auto got = FramedChannel(p.b.get()).Read(steady_clock::now() + milliseconds(500));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), Code::kMalformed);
  }
  {
    Pair p = SocketPair();
    uint8_t big[] = {0, 1, 0, 1};  // 65537
    ASSERT_EQ(::write(p.a.get(), big, 4), 4);
    auto got = FramedChannel(p.b.get()).Read(steady_clock::now() + milliseconds(500));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), Code::kMalformed);
  }
  {
    Pair p = SocketPair();
    p.a.Reset();
    auto got = FramedChannel(p.b.get()).Read(steady_clock::now() + milliseconds(500));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), Code::kUnavailable);
  }
}

}  // namespace
}  // namespace vouch::guest_channel
