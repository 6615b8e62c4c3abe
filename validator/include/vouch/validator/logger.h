// vouchd's log (DESIGN §4 "Logs"): every line one event, written whole,
//
//   time=2025-05-01T12:00:00.123Z level=info vouchd: decision=approved host=… peer=… request_id=…
//
// `time` is RFC 3339 in UTC with milliseconds, `level` one of info (normal
// operation), warn (a refusal, a limit, a warning about the setup) or error
// (the validator itself failed: it cannot start, read its ledger, sweep its
// leases). The message after the level is the line as vouchd always wrote
// it ("vouchd: …"), so a grep for it still finds it; its values follow
// QuoteLogValue. Lines about a request end in `peer=` (the client's
// address) and `request_id=` (also sent as the X-Request-Id header of the
// answer). No line carries a secret: only DIDs, digests, codes, reasons,
// addresses and ids.
#ifndef VOUCH_VALIDATOR_LOGGER_H_
#define VOUCH_VALIDATOR_LOGGER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace vouch::validator {

enum class LogLevel { kInfo, kWarn, kError };

// "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);

// `t` as RFC 3339 in UTC with milliseconds: "2025-05-01T12:00:00.123Z".
std::string FormatRfc3339Utc(std::chrono::system_clock::time_point t);

// `value` as it appears after "key=": unchanged if it has no space, quote,
// backslash, '=' or byte outside printable ASCII; else in double quotes with
// \" \\ \n \t and \xHH escapes. So a value can neither break a line nor
// forge a key.
std::string QuoteLogValue(std::string_view value);

// Appends " key=value" (value per QuoteLogValue) to `line`; nothing if
// `value` is empty.
void AppendLogField(std::string& line, std::string_view key, std::string_view value);

// Copyable; copies write to the same sink. Thread-safe if the sink is (the
// ones made here are).
class Logger {
 public:
  // Receives each line whole, without its newline.
  using Sink = std::function<void(const std::string& line)>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Lines to stderr (one write each, so lines of threads never interleave),
  // dated by the system clock.
  Logger();
  // Lines to `sink`, dated by `clock` (the system clock if empty).
  explicit Logger(Sink sink, Clock clock = {});
  // Lines to `out` followed by '\n' and a flush, one at a time.
  // REQUIRES: `out` outlives every copy.
  static Logger ToStream(std::ostream& out, Clock clock = {});
  // Drops every line (tests that do not read the log).
  static Logger Discard();

  void Write(LogLevel level, std::string_view message) const;
  void Info(std::string_view message) const { Write(LogLevel::kInfo, message); }
  void Warn(std::string_view message) const { Write(LogLevel::kWarn, message); }
  void Error(std::string_view message) const { Write(LogLevel::kError, message); }

 private:
  Sink sink_;
  Clock clock_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LOGGER_H_
