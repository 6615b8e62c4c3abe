// Times as the CLI prints them: RFC 3339 UTC ("2026-12-04T19:08:15Z").
#ifndef VOUCH_CLI_UTC_H_
#define VOUCH_CLI_UTC_H_

#include <cstdint>
#include <string>

namespace vouch::cli {

// `t` seconds since the epoch; the plain number if it cannot be formatted.
std::string Utc(int64_t t);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_UTC_H_
