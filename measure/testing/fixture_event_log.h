// Test helper: a real firmware event log from the tpm2-tools fixtures in
// measure/testdata/eventlog, what its SHA-256 bank replays to, and the same
// log with one event's SHA-256 digest changed — for appraisal tests that
// quote exactly the log's PCR values (software AK or swtpm) and then break
// it, and for boot-reference tests (an "updated" component).
// Header-only; needs VOUCH_SOURCE_DIR (every vouch_test defines it).
#ifndef VOUCH_MEASURE_TESTING_FIXTURE_EVENT_LOG_H_
#define VOUCH_MEASURE_TESTING_FIXTURE_EVENT_LOG_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/measure/event_log.h"

namespace vouch::testing {

struct FixtureEventLog {
  Bytes bytes;                         // the file as it is
  EventLog parsed;
  std::map<uint32_t, Bytes> sha256;    // the replayed SHA-256 bank
};

// Loads measure/testdata/eventlog/`name`; aborts naming it if it does not
// parse or replay (a broken fixture). `sha256` is empty for a SHA-1 log.
inline FixtureEventLog LoadFixtureEventLog(const std::string& name) {
  auto fail = [&](const std::string& why) {
    std::fprintf(stderr, "fixture event log %s: %s\n", name.c_str(), why.c_str());
    std::abort();
  };
  auto bytes = ReadFile(std::string(VOUCH_SOURCE_DIR) + "/measure/testdata/eventlog/" + name);
  if (!bytes.ok()) fail(bytes.error().ToString());
  auto parsed = ParseEventLog(*bytes);
  if (!parsed.ok()) fail(parsed.error().ToString());
  auto banks = ReplayEventLog(*parsed);
  if (!banks.ok()) fail(banks.error().ToString());
  FixtureEventLog log{*bytes, *parsed, {}};
  if (banks->count("sha256") != 0) log.sha256 = banks->at("sha256");
  return log;
}

// The log's replayed SHA-256 values of `pcrs` (a PCR it never names: zeros).
inline std::map<uint32_t, Bytes> ReplayedValues(const FixtureEventLog& log,
                                                std::initializer_list<uint32_t> pcrs) {
  std::map<uint32_t, Bytes> out;
  for (uint32_t pcr : pcrs) {
    auto it = log.sha256.find(pcr);
    out[pcr] = it != log.sha256.end() ? it->second : Bytes(32, 0);
  }
  return out;
}

// `log.bytes` with the last byte of event `number`'s SHA-256 digest flipped
// (a TCG_PCR_EVENT2: pcrIndex, eventType, count, then {hashAlg u16, digest}
// per bank); aborts if it has none.
inline Bytes WithEventDigestChanged(const FixtureEventLog& log, size_t number) {
  for (const LoggedEvent& e : log.parsed.events) {
    if (e.number != number) continue;
    size_t pos = e.offset + 12;
    for (const EventDigest& d : e.digests) {
      pos += 2;
      if (d.alg == kEventLogSha256) {
        Bytes changed = log.bytes;
        changed[pos + d.digest.size() - 1] ^= 0x01;
        return changed;
      }
      pos += d.digest.size();
    }
  }
  std::fprintf(stderr, "fixture event log: event %zu has no SHA-256 digest\n", number);
  std::abort();
}

// The same for the first event that extends `pcr`.
inline Bytes WithFirstDigestChanged(const FixtureEventLog& log, uint32_t pcr) {
  for (const LoggedEvent& e : log.parsed.events) {
    if (e.pcr == pcr && e.type != kEvNoAction) return WithEventDigestChanged(log, e.number);
  }
  std::fprintf(stderr, "fixture event log: no event extends PCR %u\n", pcr);
  std::abort();
}

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_FIXTURE_EVENT_LOG_H_
