// libFuzzer target: the firmware event log parser and its replay
// (measure/event_log.h), which a validator runs on a host's
// binary_bios_measurements. Seeds: tpm2-tools' event log fixtures
// (fuzz/corpus/event_log/, BSD-3-Clause, see LICENSE.tpm2-tools there).
// Beyond "no crash, no sanitizer report" it aborts if a promise breaks:
//   - every refusal is kMalformed naming an event and offset (kInvalidArgument
//     only above kMaxEventLogSize);
//   - a parsed log has 1…8 algorithms, at most kMaxEventLogEvents events at
//     ascending offsets, PCR indices < 24, digests of the listed sizes;
//   - replay succeeds, every PCR value has its bank's digest size, and the
//     replay compares equal to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>

#include "vouch/core/boot_reference.h"
#include "vouch/core/cbor.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/measure/event_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteView in(data, size);
  auto log = vouch::ParseEventLog(in);
  if (!log.ok()) {
    if (log.error().code() != vouch::Code::kMalformed ||
        log.error().message().find(" at offset ") == std::string::npos) {
      std::abort();
    }
    return 0;
  }
  if (log->algorithms.empty() || log->algorithms.size() > vouch::kMaxEventLogAlgorithms) std::abort();
  if (log->events.size() > vouch::kMaxEventLogEvents) std::abort();
  std::map<uint16_t, uint16_t> sizes;
  for (const auto& a : log->algorithms) sizes[a.alg] = a.digest_size;
  size_t last = 0;
  for (const auto& e : log->events) {
    if (e.pcr >= vouch::kEventLogPcrCount || e.offset >= size || (last != 0 && e.offset <= last)) {
      std::abort();
    }
    last = e.offset;
    if (e.data.size() > vouch::kMaxEventDataSize) std::abort();
    for (const auto& d : e.digests) {
      auto it = sizes.find(d.alg);
      if (it == sizes.end() || d.digest.size() != it->second) std::abort();
    }
  }
  auto banks = vouch::ReplayEventLog(*log);
  if (!banks.ok()) std::abort();
  for (const auto& [name, pcrs] : *banks) {
    size_t want = name == "sha1" ? 20 : name == "sha256" ? 32 : name == "sha384" ? 48 : 64;
    for (const auto& [index, value] : pcrs) {
      if (index >= vouch::kEventLogPcrCount || value.size() != want) std::abort();
    }
    if (!vouch::CompareReplayedPcrs(*banks, name, pcrs).ok()) std::abort();
  }
  auto proposed = vouch::ProposeBootReference(*log, "fuzz", "all", {});
  if (!proposed.ok()) return 0;
  if (!vouch::CheckBootReference(*proposed).ok()) std::abort();
  auto decoded = vouch::cbor::Decode(vouch::cbor::Encode(vouch::BootReferenceToCbor(*proposed)));
  if (!decoded.ok()) std::abort();
  auto back = vouch::BootReferenceFromCbor(*decoded);
  if (!back.ok() || !(*back == *proposed)) std::abort();
  std::vector<uint32_t> all;
  for (uint32_t pcr = 0; pcr < vouch::kEventLogPcrCount; ++pcr) all.push_back(pcr);
  if (!vouch::AppraiseBootLog(*log, {"fuzz", {*back}}, all).accepted()) std::abort();
  return 0;
}
