// Appraising a firmware event log against a platform class's boot
// references (vouch/core/boot_reference.h), and proposing a reference from
// a known-good log.
//
// The log must already be known to replay to the quoted PCRs
// (CompareReplayedPcrs): only then do its events say what was measured.
// Events on PCRs the class does not govern are not judged here.
#ifndef VOUCH_MEASURE_BOOT_APPRAISAL_H_
#define VOUCH_MEASURE_BOOT_APPRAISAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vouch/core/boot_reference.h"
#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/measure/event_log.h"

namespace vouch {

// What judging an event needs of it, the same for every platform class.
struct EventFacts {
  size_t number = 0;
  uint32_t pcr = 0;
  uint32_t type = 0;
  Bytes sha256;          // the event's SHA-256 digest (empty if it has none)
  std::string vendor;    // an EFI variable event's vendor GUID and name, when
  std::string variable;  // its data parses as one
  Bytes variable_sha256; // SHA-256 of that variable's data
  bool digest_covers_data = false;  // a variable event's sha256 is SHA-256 of its whole data
};

// A log's events but EV_NO_ACTION, in log order, as facts: hashing the
// variables' data (a db or dbx is kilobytes) is the costly part of judging a
// log, and a validator sees the same log at every start and re-attestation
// on a host, so it prepares a log once and judges it by each class anew.
struct PreparedBootLog {
  std::vector<EventFacts> events;
};

PreparedBootLog PrepareBootLog(const EventLog& log);

// What became of one event of the log.
struct EventVerdict : EventFacts {
  bool governed = false; // on a PCR the class governs
  std::string fragment;  // the fragment whose rule accepted it; empty: none
  std::string why;       // for a governed event no rule accepted: why not
};

struct BootAppraisal {
  std::vector<EventVerdict> events;  // every event but EV_NO_ACTION, in log order
  // One line per refusal, in log order, then the missing required events:
  //   "event 12: PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION sha256 ab…: matches no rule of platform class C"
  //   "platform class C requires a PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot event; the log has none"
  //   "platform class C governs PCR 4, which the quote does not cover"
  std::vector<std::string> refusals;

  bool accepted() const { return refusals.empty(); }
};

// Judges `log` by `platform_class`, whose governed PCRs must all be among
// `quoted_pcrs` (else the events on them prove nothing). An event whose
// SHA-256 digest is allowed by a digest rule of its PCR and type is
// accepted; an EFI variable event is accepted by a variable rule of its PCR,
// type, vendor and name only if its digest is the SHA-256 of its whole
// event data (so the data shown is what was measured) and the SHA-256 of
// the variable's data is allowed. A class with no fragments refuses
// (nothing is allowed). Never fails: every problem is a refusal.
BootAppraisal AppraiseBootLog(const PreparedBootLog& log, const PlatformClass& platform_class,
                              const std::vector<uint32_t>& quoted_pcrs);
// The same, preparing `log` first.
BootAppraisal AppraiseBootLog(const EventLog& log, const PlatformClass& platform_class,
                              const std::vector<uint32_t>& quoted_pcrs);

// A fragment that accepts exactly `log`'s events on `pcrs` (ascending,
// distinct; empty: every PCR some event extends): EFI variable events whose
// digest covers their data become variable rules, every other event a
// digest rule; every kind of event seen is required. kInvalidArgument when
// the names are not valid, a chosen PCR has no event (or the log none), or
// a kind of event has more than kMaxBootRuleValues distinct values;
// kMalformed when an event on them has no SHA-256 digest.
Result<BootReference> ProposeBootReference(const EventLog& log, const std::string& platform_class,
                                           const std::string& name, std::vector<uint32_t> pcrs);

}  // namespace vouch

#endif  // VOUCH_MEASURE_BOOT_APPRAISAL_H_
