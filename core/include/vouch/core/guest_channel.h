// The guest channel (DESIGN §2 "Guest shim"): vouch-shim in the guest and the
// host agent talk over the virtio-serial port org.vouch.attest.0 in frames
// of a 4-byte big-endian length (1..65536) followed by one deterministic
// CBOR map whose text key "type" names the message:
//   shim→agent  hello {v: 1}            agent→shim  policy {policy, launch}
//   shim→agent  round {}                agent→shim  challenge {round, nonces}
//   shim→agent  evidence {round, quote, sig, pcrs, log, ak}
//   agent→shim  endorsed {round, vc}  |  refused {round, reason}
// Decoding is strict: a missing or unknown key, a wrong type or an oversize
// field is kMalformed naming the field. The channel is outside input on both
// ends; nothing decoded here is trusted until verified by the caller.
#ifndef VOUCH_CORE_GUEST_CHANNEL_H_
#define VOUCH_CORE_GUEST_CHANNEL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::guest_channel {

inline constexpr std::string_view kPortName = "org.vouch.attest.0";
inline constexpr size_t kMaxFrameSize = 65536;
inline constexpr uint64_t kVersion = 1;
inline constexpr size_t kMaxNonces = 64;
inline constexpr size_t kMaxReasonSize = 1024;

struct Hello {
  uint64_t v = kVersion;
  bool operator==(const Hello&) const = default;
};
struct PolicyOffer {
  Bytes policy;  // the owner-signed policy COSE_Sign1
  Bytes launch;  // the endorsed launch VC
  bool operator==(const PolicyOffer&) const = default;
};
struct RoundRequest {
  bool operator==(const RoundRequest&) const = default;
};
struct Challenge {
  uint64_t round = 0;
  std::vector<Bytes> nonces;  // in policy order, as the VC's eat_nonce lists them
  bool operator==(const Challenge&) const = default;
};
struct Evidence {
  uint64_t round = 0;
  GuestEvidence guest;
  bool operator==(const Evidence&) const = default;
};
struct Endorsed {
  uint64_t round = 0;
  Bytes vc;  // the endorsed reattest VC
  bool operator==(const Endorsed&) const = default;
};
struct Refused {
  uint64_t round = 0;
  std::string reason;
  bool operator==(const Refused&) const = default;
};

using Message = std::variant<Hello, PolicyOffer, RoundRequest, Challenge, Evidence, Endorsed, Refused>;

// The "type" text of `message` ("hello", "policy", …).
std::string_view TypeName(const Message& message);

// The deterministic CBOR map of `message` (no frame header).
Bytes EncodeMessage(const Message& message);
// Strict inverse of EncodeMessage; kMalformed naming the field.
Result<Message> DecodeMessage(ByteView encoded);

// Length header + EncodeMessage. kInvalidArgument if over kMaxFrameSize.
Result<Bytes> EncodeFrame(const Message& message);

using Deadline = std::chrono::steady_clock::time_point;

// Reads and writes whole frames on a file descriptor it does not own (a
// virtio-serial port, a socket). Every call is bounded by a deadline
// (poll), so a silent or trickling peer cannot hang the caller: kTimeout.
// A peer that closes gives kUnavailable; a bad length or body kMalformed.
class FramedChannel {
 public:
  explicit FramedChannel(int fd) : fd_(fd) {}

  Status Write(const Message& message, Deadline deadline);
  Result<Message> Read(Deadline deadline);

 private:
  Status WriteAll(ByteView data, Deadline deadline);
  Status ReadExactly(uint8_t* out, size_t size, Deadline deadline);
  int fd_;
};

}  // namespace vouch::guest_channel

#endif  // VOUCH_CORE_GUEST_CHANNEL_H_
