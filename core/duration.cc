#include "vouch/core/duration.h"

#include <charconv>
#include <cstdint>
#include <limits>

namespace vouch {
namespace {

using std::chrono::milliseconds;

// Milliseconds per unit; 0 for a unit the grammar does not know.
int64_t UnitMillis(std::string_view unit) {
  if (unit.empty() || unit == "s") return 1000;  // a bare number is seconds
  if (unit == "ms") return 1;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 60 * 60 * 1000;
  return 0;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Error NotADuration(std::string_view text) {
  return Error(Code::kInvalidArgument,
               StrCat("'", text,
                      "' is not a duration: write a whole number with ms, s, m or h (e.g. 500ms, 30s, 5m); "
                      "a bare number is seconds"));
}

}  // namespace

Result<milliseconds> ParseDuration(std::string_view text) {
  size_t digits = text.find_first_not_of("0123456789");
  if (digits == std::string_view::npos) digits = text.size();
  const int64_t unit = UnitMillis(text.substr(digits));
  if (digits == 0 || unit == 0) return NotADuration(text);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, n);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (ec != std::errc() || n > static_cast<uint64_t>(kMax / unit)) {
    return Error(Code::kInvalidArgument,
                 StrCat("'", text, "' is not a duration: too long (at most ", kMax, "ms)"));
  }
  return milliseconds(static_cast<int64_t>(n) * unit);
}

Result<milliseconds> ParseDurationIn(std::string_view what, std::string_view text, milliseconds min,
                                     milliseconds max) {
  auto d = ParseDuration(text);
  if (!d.ok()) return d.error().WithContext(what);
  if (*d < min || *d > max) {
    return Error(Code::kInvalidArgument,
                 StrCat(what, " '", text, "' must be ", FormatDuration(min), "..", FormatDuration(max)));
  }
  return d;
}

std::string FormatDuration(milliseconds d) {
  const int64_t ms = d.count();
  if (ms == 0) return "0s";
  // Remainders keep their sign, so a negative duration formats as its negation with '-'.
  for (auto [unit, per] : {std::pair{"h", int64_t{3600000}}, std::pair{"m", int64_t{60000}},
                           std::pair{"s", int64_t{1000}}}) {
    if (ms % per == 0) return StrCat(ms / per, unit);
  }
  return StrCat(ms, "ms");
}

Result<std::chrono::seconds> WholeSeconds(std::string_view what, milliseconds d) {
  if (d.count() % 1000 != 0) {
    return Error(Code::kInvalidArgument,
                 StrCat(what, " '", FormatDuration(d), "' must be a whole number of seconds"));
  }
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

std::string RespelledDuration(const RenamedDuration& renamed, std::string_view old_value) {
  if (!AllDigits(old_value)) return "DURATION";
  return StrCat(old_value, renamed.old_unit);
}

}  // namespace vouch
