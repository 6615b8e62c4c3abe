// Reference values for measured boot (DESIGN §3 "Boot references"): which
// firmware event-log events a platform class allows, as sets of digests, so
// that an update is a new allowed value rather than a re-seal.
//
// A platform class ("debian12-ovmf-2022.11") is the union of its current
// fragments; a fragment ("kernel-6.1.0-28") is one BootReference. Each
// fragment governs some PCRs: on a governed PCR every event the log holds
// must match a rule of some fragment of the class, and every `required`
// rule's kind of event (PCR, event type, variable) must occur. A rule allows
// either the event's SHA-256 digest, or — for an EFI variable event, named
// by vendor GUID and name — the SHA-256 of the variable's data (so that
// "SecureBoot = 1" or a `db` content reads as what it is).
//
// Only the data types and their strict CBOR form live here; appraising a
// log is measure/boot_appraisal.h.
#ifndef VOUCH_CORE_BOOT_REFERENCE_H_
#define VOUCH_CORE_BOOT_REFERENCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/errors.h"

namespace vouch {

// Bounds of one fragment (a real class is tens of rules of a few values).
inline constexpr size_t kMaxBootRules = 1024;
inline constexpr size_t kMaxBootRuleValues = 256;

struct BootRule {
  uint32_t pcr = 0;
  uint32_t event_type = 0;  // TCG eventType, e.g. 0x80000003
  // Empty: `sha256` holds allowed event digests. Set: the rule is about the
  // EFI variable `vendor` (GUID, lowercase "8be4df61-93ca-11d2-aa0d-00e098032b8c")
  // `variable` (its name, printable ASCII), and `sha256` holds allowed
  // SHA-256 digests of the variable's data.
  std::string vendor;
  std::string variable;
  std::vector<Bytes> sha256;  // distinct 32-byte values, at least one
  bool required = false;      // the log must hold such an event

  bool is_variable() const { return !variable.empty(); }
  bool operator==(const BootRule&) const = default;
};

struct BootReference {
  std::string platform_class;  // PlatformClassName grammar
  std::string name;            // the fragment's name in its class, same grammar
  std::vector<uint32_t> pcrs;  // governed PCRs: ascending, distinct, 0..23
  std::vector<BootRule> rules; // each on a governed PCR
  // A withdrawn fragment (no pcrs, no rules) removes an earlier one of the
  // same class and name: a vulnerable component leaves every policy at once.
  bool withdrawn = false;

  bool operator==(const BootReference&) const = default;
};

// Names of classes and fragments: 1..64 of [a-z0-9._-], starting with a
// letter or digit. kInvalidArgument naming `what` otherwise.
Status CheckPlatformClassName(std::string_view name, std::string_view what);

// What BootReferenceFromCbor requires of a fragment (below), as
// kInvalidArgument naming the first problem: so nobody writes what no
// reader would take.
Status CheckBootReference(const BootReference& reference);

// {"class": tstr, "name": tstr, "pcrs": [uint], "rules": [rule], ? "withdrawn": true}
// rule = {"pcr": uint, "type": uint, "sha256": [bstr], ? "required": true,
//         ? "vendor": tstr, ? "var": tstr} (vendor and var together).
// REQUIRES: CheckBootReference(reference) is ok.
cbor::Value BootReferenceToCbor(const BootReference& reference);
// Strict: exactly these keys, types and bounds; rules of a withdrawn
// fragment, a rule on an ungoverned PCR, duplicate values or PCRs, or two
// rules of the same kind (PCR, type, vendor, variable) are kMalformed.
Result<BootReference> BootReferenceFromCbor(const cbor::Value& value);

// A platform class as the ledger holds it now: its current, not withdrawn
// fragments.
struct PlatformClass {
  std::string name;
  std::vector<BootReference> fragments;
};

// "PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION" or
// "PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot": what a rule is about.
std::string BootRuleKind(const BootRule& rule);

// TCG PC Client PFP names of event types ("EV_SEPARATOR"); "0x%08x" for
// others.
std::string EventTypeName(uint32_t type);
// The inverse, also accepting "0x…" hexadecimal; kInvalidArgument otherwise.
Result<uint32_t> EventTypeFromName(std::string_view name);

}  // namespace vouch

#endif  // VOUCH_CORE_BOOT_REFERENCE_H_
