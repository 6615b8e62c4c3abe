// The date-times of the W3C JSON forms (VC Data Model 2.0 validFrom and
// validUntil, Data Integrity `created`): XML Schema 1.1 dateTimeStamp, which
// is RFC 3339 with a mandatory time zone.
#ifndef VOUCH_W3C_DATE_TIME_H_
#define VOUCH_W3C_DATE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"

namespace vouch::w3c {

// Returns `seconds` since the epoch as "YYYY-MM-DDThh:mm:ssZ" (UTC, no
// fraction): the one form vouch writes. kInvalidArgument for a time before
// year 1 or after year 9999, which the form cannot write.
Result<std::string> FormatDateTime(int64_t seconds);

// Parses an XML Schema dateTimeStamp "YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm)"
// and returns the seconds since the epoch it names, the fraction dropped
// (rounded towards the past). Returns kMalformed, quoting `text`, if it is
// not of that form, names no real date (2023-02-30, hour 24, second 60), has
// no time zone, or a year outside 0001..9999. Thread-safe.
Result<int64_t> ParseDateTime(std::string_view text);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_DATE_TIME_H_
