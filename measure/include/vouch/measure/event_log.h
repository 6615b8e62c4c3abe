// The firmware's measured-boot event log (Linux
// /sys/kernel/security/tpm0/binary_bios_measurements) and its replay.
//
// Format (TCG PC Client Platform Firmware Profile, little-endian):
//   - crypto agile: a first TCG_PCClientPCREvent {pcrIndex u32, eventType u32,
//     digest[20], eventDataSize u32, event} of type EV_NO_ACTION on PCR 0
//     whose event is the TCG_EfiSpecIDEvent ("Spec ID Event03", the banks
//     and their digest sizes), then TCG_PCR_EVENT2 {pcrIndex u32,
//     eventType u32, count u32, count × {hashAlg u16, digest[size from the
//     Spec ID event]}, eventSize u32, event[eventSize]} to the end;
//   - SHA-1 (TPM 1.2 era firmware): TCG_PCClientPCREvent records only, chosen
//     when the first event is not a Spec ID Event03.
//
// Replay: each PCR of each supported bank (sha1, sha256, sha384, sha512)
// starts at zero and every event except EV_NO_ACTION extends it:
// PCR = H(PCR ‖ digest). PCR 0 starts with its last byte set to the startup
// locality given by an EV_NO_ACTION "StartupLocality" event, or to 4 when an
// EV_EFI_HCRTM_EVENT is logged on PCR 0 (TPM Library Part 1 §34.3).
//
// Everything here is thread-safe and never crashes on malformed input.
#ifndef VOUCH_MEASURE_EVENT_LOG_H_
#define VOUCH_MEASURE_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"

namespace vouch {

// Limits ParseEventLog enforces (a real log is tens of KiB, hundreds of
// events; its largest event data is a UEFI variable of a few KiB).
inline constexpr size_t kMaxEventLogSize = 16 * 1024 * 1024;
inline constexpr size_t kMaxEventLogEvents = 65536;
inline constexpr uint32_t kMaxEventDataSize = 1024 * 1024;
inline constexpr uint32_t kMaxEventLogAlgorithms = 8;
inline constexpr uint16_t kMaxEventDigestSize = 64;
// PCR indices a log may name: 0 … kEventLogPcrCount - 1 (PC Client TPMs).
inline constexpr uint32_t kEventLogPcrCount = 24;

// TPM_ALG_ID values of the banks ReplayEventLog computes.
inline constexpr uint16_t kEventLogSha1 = 0x0004;
inline constexpr uint16_t kEventLogSha256 = 0x000b;
inline constexpr uint16_t kEventLogSha384 = 0x000c;
inline constexpr uint16_t kEventLogSha512 = 0x000d;

// Event types the parser and replay treat specially.
inline constexpr uint32_t kEvNoAction = 0x00000003;
inline constexpr uint32_t kEvSeparator = 0x00000004;
inline constexpr uint32_t kEvEfiHcrtmEvent = 0x80000010;

enum class EventLogFormat { kCryptoAgile, kSha1 };

struct EventDigest {
  uint16_t alg = 0;  // TPM_ALG_ID
  Bytes digest;      // the size the Spec ID event gives for `alg`
};

struct LoggedEvent {
  size_t number = 0;  // 0 is the Spec ID event; the first TCG_PCR_EVENT2 is 1
  size_t offset = 0;  // byte offset of the event in the log
  uint32_t pcr = 0;
  uint32_t type = 0;  // eventType, e.g. kEvSeparator
  std::vector<EventDigest> digests;  // in log order, algorithms distinct
  Bytes data;                        // the event (eventSize bytes)
};

struct EventLogAlgorithm {
  uint16_t alg = 0;  // TPM_ALG_ID
  uint16_t digest_size = 0;
};

struct EventLog {
  EventLogFormat format = EventLogFormat::kCryptoAgile;
  // From the Spec ID event, in its order; {sha1, 20} for a SHA-1 log.
  std::vector<EventLogAlgorithm> algorithms;
  // Every event after the Spec ID event (every event of a SHA-1 log).
  std::vector<LoggedEvent> events;
  // The last byte of PCR 0's initial value (see the file comment).
  uint8_t pcr0_locality = 0;
};

// Parses a whole log. kMalformed with one sentence naming the event number
// and byte offset ("event log: event 12 at offset 4711: …") when the input
// is truncated, a length runs past the end, a limit above is exceeded, the
// Spec ID event is inconsistent (no algorithms, a zero or > 64 digest size,
// a repeated algorithm, vendorInfo past its event), an event names a PCR
// ≥ kEventLogPcrCount, an algorithm the Spec ID event did not list, or the
// same algorithm twice, or a StartupLocality event is not 17 bytes, repeats,
// or comes after PCR 0 was extended. kInvalidArgument if `log` is larger
// than kMaxEventLogSize.
Result<EventLog> ParseEventLog(ByteView log);

// "sha1", "sha256", "sha384", "sha512"; "" for any other algorithm.
std::string EventLogAlgorithmName(uint16_t alg);

// Bank name → PCR index → value.
using PcrBanks = std::map<std::string, std::map<uint32_t, Bytes>>;

// Replays `log`. The result has one bank per supported algorithm the log
// lists (others are skipped) and, in each, the PCRs some event names with a
// digest of that bank (an EV_NO_ACTION event names but does not extend).
// With `only` (a TPM_ALG_ID above), just that bank, if the log lists it: a
// validator compares one bank and need not hash the others.
// kInternal if OpenSSL fails.
Result<PcrBanks> ReplayEventLog(const EventLog& log, std::optional<uint16_t> only = std::nullopt);

// The first PCR whose TPM value differs from the log's replay.
struct ReplayMismatch {
  uint32_t pcr = 0;
  Bytes replayed;  // what the log replays to (the initial value if it never names the PCR)
  Bytes tpm;       // what the TPM has
};

// The comparison CompareReplayedPcrs makes, as a value, for callers that
// word their own refusal: nullopt when every PCR of `tpm_pcrs` agrees.
// kInvalidArgument as CompareReplayedPcrs.
Result<std::optional<ReplayMismatch>> FirstReplayMismatch(const PcrBanks& replayed,
                                                          const std::string& bank,
                                                          const std::map<uint32_t, Bytes>& tpm_pcrs);

// Checks the TPM's values `tpm_pcrs` of bank `bank` ("sha256") against the
// replay, PCR by PCR in ascending order; a PCR the log never names is
// compared with its initial value (zeros; PCR 0 with the locality byte).
// kPcrMismatch naming the first differing PCR:
//   "PCR 7: log replays to <hex>, TPM has <hex> (sha256 bank)";
// kInvalidArgument if `replayed` has no bank `bank`, or a PCR index is
// ≥ kEventLogPcrCount.
Status CompareReplayedPcrs(const PcrBanks& replayed, const std::string& bank,
                           const std::map<uint32_t, Bytes>& tpm_pcrs);

}  // namespace vouch

#endif  // VOUCH_MEASURE_EVENT_LOG_H_
