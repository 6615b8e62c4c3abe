#include "vouch/validator/logger.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace vouch::validator {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

std::string FormatRfc3339Utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  // Floor division, so a time before 1970 still gets 0..999 milliseconds.
  const std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms - seconds * 1000LL));
  return buf;
}

std::string QuoteLogValue(std::string_view value) {
  bool plain = !value.empty();
  for (unsigned char ch : value) {
    if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\' || ch == '=') plain = false;
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (unsigned char ch : value) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", ch);
          out += buf;
        } else {
          out.push_back(static_cast<char>(ch));  // printable ASCII and UTF-8 bytes
        }
    }
  }
  out += "\"";
  return out;
}

void AppendLogField(std::string& line, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  line += ' ';
  line += key;
  line += '=';
  line += QuoteLogValue(value);
}

Logger::Logger()
    : Logger([](const std::string& line) {
        std::string out = line + "\n";
        std::fwrite(out.data(), 1, out.size(), stderr);  // one write: lines do not interleave
      }) {}

Logger::Logger(Sink sink, Clock clock) : sink_(std::move(sink)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

Logger Logger::ToStream(std::ostream& out, Clock clock) {
  auto mu = std::make_shared<std::mutex>();
  return Logger(
      [&out, mu](const std::string& line) {
        std::lock_guard<std::mutex> lock(*mu);
        out << line << '\n' << std::flush;
      },
      std::move(clock));
}

Logger Logger::Discard() {
  return Logger([](const std::string&) {});
}

void Logger::Write(LogLevel level, std::string_view message) const {
  std::string line = "time=" + FormatRfc3339Utc(clock_());
  line += " level=";
  line += LogLevelName(level);
  line += ' ';
  line += message;
  sink_(line);
}

}  // namespace vouch::validator
