#include "vouch/validator/decision_log.h"

#include <cstdio>

namespace vouch::validator {

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

std::string FormatDecision(const Decision& d) {
  std::string line = "vouchd: decision=";
  line += d.approved ? "approved" : "refused";
  auto add = [&line](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    line += ' ';
    line += key;
    line += '=';
    line += QuoteLogValue(value);
  };
  add("kind", d.kind);
  if (!d.approved && d.code) add("code", CodeName(*d.code));
  add("host", d.host_did);
  add("domain", d.domain_uuid);
  add("cti", d.cti_hex);
  if (d.index) add("index", std::to_string(*d.index));
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", d.milliseconds);
  add("ms", ms);
  if (!d.approved) add("reason", d.reason);
  return line;
}

}  // namespace vouch::validator
