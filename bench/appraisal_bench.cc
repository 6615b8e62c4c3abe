// appraisal_bench (issue 13): the cost of appraising a host's measured boot
// by its firmware event log and a platform class, as a ratio to the
// PCR-only appraisal measured in the same run (goal >= 0.8).
//
// Both variants are whole launch appraisals by one in-process Appraiser
// (validator/testing/attest_world.h, software-signed quotes): the VC and
// policy signatures, the quote, the share — the same work — and then
//   pcr-only:  the policy pins PCRs 0-7 to reference values, no log sent;
//   event-log: the VC names a real firmware log (default: tpm2-tools'
//              event-postcode.bin, 59 events) sent beside it; the validator
//              checks it against the VC's digest, replays it against the
//              quote and judges every event by a platform class proposed
//              from it (PCRs 0-7), the policy naming that class. Two cases:
//     first sight: every request's log is new to the validator (the same
//              log with a distinct EV_NO_ACTION event appended: same replay,
//              same judgement, other bytes), so each is parsed, replayed
//              and prepared;
//     seen:    the same log each time, as a host sends it at every start
//              and re-attestation round until it reboots (the validator
//              prepares a log once, DigestCache), judged anew each time.
// Requests are built before the clock starts; each round runs the three in
// turn so machine drift hits all; time is this process's CPU time.
//
// Each round has a fresh world: a validator answers at most 512 challenges
// of one host within their validity.
//
// Usage: appraisal_bench [--requests N (per variant and round, <= 170, default 150)]
//                        [--rounds R (default 5)] [--log FILE]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "validator/testing/attest_world.h"
#include "vouch/core/digest.h"
#include "vouch/measure/boot_appraisal.h"
#include "vouch/measure/event_log.h"

namespace {

using vouch::Bytes;
using vouch::validator::testing::AttestWorld;
using vouch::validator::testing::Built;
using vouch::validator::testing::Scenario;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "appraisal_bench: %s\n", why.c_str());
  std::exit(1);
}

// `log` with an EV_NO_ACTION event on PCR 1 appended whose data is `n`: a
// log no validator has seen, that replays and is judged as `log` is.
Bytes WithNoActionEvent(const Bytes& log, uint32_t n) {
  Bytes out = log;
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  put32(1);                     // pcrIndex
  put32(vouch::kEvNoAction);    // eventType
  put32(0);                     // no digests
  put32(4);                     // eventSize
  put32(n);
  return out;
}

// Appraisals per CPU second over `requests`; every one must be approved.
double Rate(AttestWorld& world, const std::vector<Built>& requests) {
  double start = CpuSeconds();
  for (const Built& b : requests) {
    auto r = world.Appraise(b);
    if (!r.ok()) Die("an appraisal was refused: " + r.error().ToString());
  }
  return static_cast<double>(requests.size()) / (CpuSeconds() - start);
}

}  // namespace

int main(int argc, char** argv) {
  size_t requests = 150, rounds = 5;
  std::string log_path = std::string(VOUCH_SOURCE_DIR) + "/measure/testdata/eventlog/event-postcode.bin";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--requests") requests = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--rounds") rounds = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--log") log_path = argv[i + 1];
    else Die("unknown flag " + flag);
  }
  auto bytes = vouch::ReadFile(log_path);
  if (!bytes.ok()) Die(bytes.error().ToString());
  auto log = vouch::ParseEventLog(*bytes);
  if (!log.ok()) Die(log.error().ToString());
  auto banks = vouch::ReplayEventLog(*log);
  if (!banks.ok() || banks->count("sha256") == 0) Die("the log has no SHA-256 bank");
  const std::vector<uint32_t> pcrs = {0, 1, 2, 3, 4, 5, 6, 7};
  std::map<uint32_t, Bytes> quoted;
  for (uint32_t pcr : pcrs) {
    auto it = banks->at("sha256").find(pcr);
    quoted[pcr] = it != banks->at("sha256").end() ? it->second : Bytes(32, 0);
  }
  std::vector<uint32_t> extended;
  for (const auto& e : log->events) {
    if (e.type != vouch::kEvNoAction && e.pcr < 8 &&
        std::find(extended.begin(), extended.end(), e.pcr) == extended.end()) {
      extended.push_back(e.pcr);
    }
  }
  auto fragment = vouch::ProposeBootReference(*log, "bench", "boot", extended);
  if (!fragment.ok()) Die(fragment.error().ToString());

  if (requests == 0 || requests > 170 || rounds == 0) Die("--requests must be 1..170, --rounds at least 1");
  Scenario pcr_only;
  pcr_only.policy = [&](vouch::OwnerPolicy& p) {
    p.pcrs = pcrs;
    p.reference_boot.clear();
    p.reference_pcrs.clear();
    for (const auto& [pcr, value] : quoted) p.reference_pcrs[pcr] = {value};
  };
  pcr_only.claims = [&](vouch::HostVcClaims& c) { c.tpm.pcrs = quoted; };
  Scenario by_log;
  by_log.policy = [&](vouch::OwnerPolicy& p) {
    p.pcrs = pcrs;
    p.reference_boot.clear();
    p.reference_pcrs.clear();
    p.platforms = {"bench"};
  };
  by_log.claims = [&](vouch::HostVcClaims& c) { c.tpm.pcrs = quoted; };
  by_log.event_log = *bytes;

  std::printf("appraisal_bench: %zu rounds of %zu launch appraisals each; log %s: %zu events, %zu bytes, "
              "class of %zu rules on %zu PCRs\n",
              rounds, requests, log_path.c_str(), log->events.size(), bytes->size(), fragment->rules.size(),
              extended.size());
  std::vector<double> cold_ratios, seen_ratios;
  double sum_pcr = 0, sum_cold = 0, sum_seen = 0;
  for (size_t round = 0; round < rounds; ++round) {
    AttestWorld world;
    world.directory().PutReference(*fragment);
    std::vector<Built> a, b, c;
    for (size_t i = 0; i < requests; ++i) a.push_back(world.Build(pcr_only));
    for (size_t i = 0; i < requests; ++i) {
      Scenario fresh = by_log;
      fresh.event_log = WithNoActionEvent(*bytes, static_cast<uint32_t>(round * requests + i));
      b.push_back(world.Build(fresh));
    }
    for (size_t i = 0; i < requests; ++i) c.push_back(world.Build(by_log));
    double pcr_rate = Rate(world, a);
    double cold_rate = Rate(world, b);
    double seen_rate = Rate(world, c);
    sum_pcr += pcr_rate;
    sum_cold += cold_rate;
    sum_seen += seen_rate;
    cold_ratios.push_back(cold_rate / pcr_rate);
    seen_ratios.push_back(seen_rate / pcr_rate);
    std::printf("round %zu: pcr-only %.0f/s, event-log first sight %.0f/s (ratio %.2f), seen %.0f/s (ratio %.2f); "
                "CPU time\n",
                round + 1, pcr_rate, cold_rate, cold_rate / pcr_rate, seen_rate, seen_rate / pcr_rate);
  }
  // The log work alone on first sight (digest, parse, replay, prepare,
  // judge), to tell it from the rest of an appraisal.
  vouch::PlatformClass cls{"bench", {*fragment}};
  volatile unsigned sink = 0;  // the digest is used: not optimized away
  double start = CpuSeconds();
  const int kLogRuns = 2000;
  for (int i = 0; i < kLogRuns; ++i) {
    auto digest = vouch::Sha256(*bytes);
    auto parsed = vouch::ParseEventLog(*bytes);
    auto replayed = vouch::ReplayEventLog(*parsed, vouch::kEventLogSha256);
    auto judged = vouch::AppraiseBootLog(vouch::PrepareBootLog(*parsed), cls, pcrs);
    sink = sink + digest[0];
    if (!replayed.ok() || !judged.accepted()) Die("the log work failed");
  }
  double log_us = (CpuSeconds() - start) / kLogRuns * 1e6;
  std::printf("log work alone on first sight (digest + parse + replay + prepare + judge): %.0f us per appraisal\n",
              log_us);
  std::sort(cold_ratios.begin(), cold_ratios.end());
  std::sort(seen_ratios.begin(), seen_ratios.end());
  double n = static_cast<double>(rounds);
  std::printf("event-log appraisal / PCR-only appraisal, median ratio (goal >= 0.8): first sight %.2f, seen %.2f "
              "(mean rates %.0f and %.0f vs %.0f/s)\n",
              cold_ratios[cold_ratios.size() / 2], seen_ratios[seen_ratios.size() / 2], sum_cold / n,
              sum_seen / n, sum_pcr / n);
  return 0;
}
