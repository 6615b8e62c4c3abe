// The one spelling of a duration on every vouch command line and in every
// config file (hook.conf, shim.conf, vouchd.conf; DESIGN §7):
//
//   DURATION = DIGITS [UNIT]     UNIT = "ms" | "s" | "m" | "h"
//
// e.g. 500ms, 30s, 5m, 2h. A bare number ("60") means seconds, so a value
// written before durations took a unit keeps its meaning where the old
// setting counted seconds. Nothing else is a duration: no sign, no spaces,
// no fraction ("1.5s": write 1500ms), no other unit, nothing that does not
// fit in int64 milliseconds.
//
// The wire formats (DESIGN §3) keep counting seconds: WholeSeconds converts.
#ifndef VOUCH_CORE_DURATION_H_
#define VOUCH_CORE_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"

namespace vouch {

// `text` as milliseconds. kInvalidArgument naming the text and showing the
// grammar: "'5x' is not a duration: write a whole number with ms, s, m or h
// (e.g. 500ms, 30s, 5m); a bare number is seconds".
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// ParseDuration, then min <= d <= max. The errors name `what` (a flag such
// as "--timeout", or a config file's "'/etc/vouch/hook.conf' line 3: deadline"):
//   "--timeout: '5x' is not a duration: ..."
//   "--timeout '0s' must be 1s..5m"
Result<std::chrono::milliseconds> ParseDurationIn(std::string_view what, std::string_view text,
                                                  std::chrono::milliseconds min, std::chrono::milliseconds max);

// The shortest exact spelling ParseDuration reads back: 1500ms, 30s, 5m, 2h;
// 0s for zero. A negative duration gets a leading '-' (which no parser takes).
std::string FormatDuration(std::chrono::milliseconds d);

// `d` in whole seconds, for a field that counts seconds on the wire.
// kInvalidArgument "--reattest '1500ms' must be a whole number of seconds".
Result<std::chrono::seconds> WholeSeconds(std::string_view what, std::chrono::milliseconds d);

// A setting whose name carried its unit before durations did ("timeout-ms",
// "deadline_ms"). The old name is refused, never ignored: its message gives
// the new spelling of the same value.
struct RenamedDuration {
  std::string_view old_name;  // "deadline_ms"
  std::string_view new_name;  // "deadline"
  std::string_view old_unit;  // what the old number counted: "ms" or "s"
};

// An old setting's value in the new spelling: "5000" counting "ms" is
// "5000ms"; a value that was not a whole number is "DURATION".
std::string RespelledDuration(const RenamedDuration& renamed, std::string_view old_value);

}  // namespace vouch

#endif  // VOUCH_CORE_DURATION_H_
