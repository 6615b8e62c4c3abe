#include "vouch/core/guest_channel.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "internal/cbor_reader.h"
#include "vouch/core/cbor.h"

namespace vouch::guest_channel {
namespace {

using cbor::Value;
using internal::CborMapReader;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 needs the guide

Value PcrMap(const std::map<uint32_t, Bytes>& pcrs) {
  cbor::MapEntries m;
  for (const auto& [i, v] : pcrs) m.emplace_back(Value(uint64_t{i}), Value(v));
  return Value::Map(std::move(m));
}

cbor::MapEntries Fields(const Message& message) {
  return std::visit(
      Overloaded{
          [](const Hello& m) { return cbor::MapEntries{{"v", Value(m.v)}}; },
          [](const PolicyOffer& m) {
            return cbor::MapEntries{{"policy", Value(m.policy)}, {"launch", Value(m.launch)}};
          },
          [](const RoundRequest&) { return cbor::MapEntries{}; },
          [](const Challenge& m) {
            cbor::Array nonces;
            for (const Bytes& n : m.nonces) nonces.emplace_back(n);
            return cbor::MapEntries{{"round", Value(m.round)}, {"nonces", Value(std::move(nonces))}};
          },
          [](const Evidence& m) {
            return cbor::MapEntries{{"round", Value(m.round)},       {"quote", Value(m.guest.quote)},
                                    {"sig", Value(m.guest.signature)}, {"pcrs", PcrMap(m.guest.pcrs)},
                                    {"log", Value(m.guest.log)},     {"ak", Value(m.guest.ak)}};
          },
          [](const Endorsed& m) { return cbor::MapEntries{{"round", Value(m.round)}, {"vc", Value(m.vc)}}; },
          [](const Refused& m) {
            return cbor::MapEntries{{"round", Value(m.round)}, {"reason", Value(m.reason)}};
          },
      },
      message);
}

// A byte string field no longer than what fits in a frame.
Bytes Blob(CborMapReader& r, const char* name, size_t exact = 0) { return r.ByteString(name, name, exact); }

Result<Message> Decode(const Value& map, const std::string& type) {
  CborMapReader r(map, StrCat("guest channel message '", type, "'"));
  (void)r.Text("type", "type");
  Message out;
  if (type == "hello") {
    Hello m;
    m.v = r.Uint("v", "v");
    if (!r.error() && m.v != kVersion) r.Fail(StrCat("field 'v' is ", m.v, ", this shim speaks ", kVersion));
    out = m;
  } else if (type == "policy") {
    PolicyOffer m;
    m.policy = Blob(r, "policy");
    m.launch = Blob(r, "launch");
    out = std::move(m);
  } else if (type == "round") {
    out = RoundRequest{};
  } else if (type == "challenge") {
    Challenge m;
    m.round = r.Uint("round", "round");
    if (const Value* n = r.Get("nonces", "nonces")) {
      if (!n->is_array()) {
        r.Fail("field 'nonces' must be an array");
      } else if (n->array().empty() || n->array().size() > kMaxNonces) {
        r.Fail(StrCat("field 'nonces' must hold 1..", kMaxNonces, " challenges, got ", n->array().size()));
      } else {
        for (const Value& e : n->array()) {
          if (!e.is_bytes() || e.bytes().empty() || e.bytes().size() > 256) {
            r.Fail("field 'nonces' must hold byte strings of 1..256 bytes");
            break;
          }
          m.nonces.push_back(e.bytes());
        }
      }
    }
    out = std::move(m);
  } else if (type == "evidence") {
    Evidence m;
    m.round = r.Uint("round", "round");
    m.guest.quote = Blob(r, "quote");
    m.guest.signature = Blob(r, "sig");
    m.guest.pcrs = r.Pcrs("pcrs", "pcrs");
    m.guest.log = Blob(r, "log", 32);
    m.guest.ak = Blob(r, "ak");
    out = std::move(m);
  } else if (type == "endorsed") {
    Endorsed m;
    m.round = r.Uint("round", "round");
    m.vc = Blob(r, "vc");
    out = std::move(m);
  } else if (type == "refused") {
    Refused m;
    m.round = r.Uint("round", "round");
    m.reason = r.Text("reason", "reason");
    if (!r.error() && m.reason.size() > kMaxReasonSize) {
      r.Fail(StrCat("field 'reason' is longer than ", kMaxReasonSize, " bytes"));
    }
    out = std::move(m);
  } else {
    return Error(Code::kMalformed, StrCat("guest channel message: unknown type '", type, "'"));
  }
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  return out;
}

}  // namespace

std::string_view TypeName(const Message& message) {
  static constexpr std::string_view kNames[] = {"hello",    "policy",   "round",  "challenge",
                                                "evidence", "endorsed", "refused"};
  return kNames[message.index()];
}

Bytes EncodeMessage(const Message& message) {
  cbor::MapEntries m = Fields(message);
  m.emplace_back("type", Value(std::string(TypeName(message))));
  return cbor::Encode(Value::Map(std::move(m)));
}

Result<Message> DecodeMessage(ByteView encoded) {
  if (encoded.empty() || encoded.size() > kMaxFrameSize) {
    return Error(Code::kMalformed, StrCat("guest channel message: ", encoded.size(), " bytes, expected 1..",
                                          kMaxFrameSize));
  }
  cbor::DecodeLimits limits;
  limits.max_input_size = kMaxFrameSize;
  limits.max_depth = 4;
  limits.max_items = 512;
  limits.max_string_size = kMaxFrameSize;
  auto value = cbor::Decode(encoded, limits);
  if (!value.ok()) return value.error().WithContext("guest channel message");
  if (!value->is_map()) return Error(Code::kMalformed, "guest channel message: not a CBOR map");
  const Value* type = value->Find("type");
  if (type == nullptr || !type->is_text()) {
    return Error(Code::kMalformed, "guest channel message: field 'type' is missing or not a text string");
  }
  return Decode(*value, type->text());
}

Result<Bytes> EncodeFrame(const Message& message) {
  Bytes body = EncodeMessage(message);
  if (body.size() > kMaxFrameSize) {
    return Error(Code::kInvalidArgument, StrCat("guest channel message '", TypeName(message), "': ",
                                                body.size(), " bytes, the limit is ", kMaxFrameSize));
  }
  uint32_t n = static_cast<uint32_t>(body.size());
  Bytes frame = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
                 static_cast<uint8_t>(n)};
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
Status WaitFor(int fd, short events, Deadline deadline, const char* what) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error(Code::kTimeout, StrCat("guest channel: no ", what, " before the deadline"));
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error(Code::kIo, StrCat("guest channel: poll: ", std::strerror(errno)));
    if (r == 0) continue;  // the loop re-checks the deadline
    return Ok();
  }
}

}  // namespace

Status FramedChannel::WriteAll(ByteView data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size()) {
    VOUCH_RETURN_IF_ERROR(WaitFor(fd_, POLLOUT, deadline, "room to write"));
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Error(Code::kIo, StrCat("guest channel: write: ", std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  return Ok();
}

Status FramedChannel::ReadExactly(uint8_t* out, size_t size, Deadline deadline) {
  size_t done = 0;
  while (done < size) {
    VOUCH_RETURN_IF_ERROR(WaitFor(fd_, POLLIN, deadline, "complete message from the peer"));
    ssize_t n = ::read(fd_, out + done, size - done);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Error(Code::kIo, StrCat("guest channel: read: ", std::strerror(errno)));
    if (n == 0) return Error(Code::kUnavailable, "guest channel: the peer closed the channel");
    done += static_cast<size_t>(n);
  }
  return Ok();
}

Status FramedChannel::Write(const Message& message, Deadline deadline) {
  VOUCH_ASSIGN_OR_RETURN(Bytes frame, EncodeFrame(message));
  return WriteAll(frame, deadline);
}

Result<Message> FramedChannel::Read(Deadline deadline) {
  uint8_t head[4];
  VOUCH_RETURN_IF_ERROR(ReadExactly(head, 4, deadline));
  uint32_t n = (uint32_t{head[0]} << 24) | (uint32_t{head[1]} << 16) | (uint32_t{head[2]} << 8) | head[3];
  if (n == 0 || n > kMaxFrameSize) {
    return Error(Code::kMalformed, StrCat("guest channel: frame length ", n, ", expected 1..", kMaxFrameSize));
  }
  Bytes body(n);
  VOUCH_RETURN_IF_ERROR(ReadExactly(body.data(), n, deadline));
  return DecodeMessage(body);
}

}  // namespace vouch::guest_channel
