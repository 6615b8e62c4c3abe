#include "vouch/core/jcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "vouch/core/utf8.h"

namespace vouch {
namespace {

using Json = nlohmann::json;

// `text` for a message: printable ASCII as itself, anything else as \xNN,
// at most 40 bytes.
std::string Printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size() && i < 40; ++i) {
    auto u = static_cast<uint8_t>(text[i]);
    if (u >= 0x20 && u < 0x7f && u != '\\') {
      out.push_back(text[i]);
    } else {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  if (text.size() > 40) out += "...";
  return out;
}

// Appends member `key` to a JSON Pointer (RFC 6901: '~' as ~0, '/' as ~1).
void AppendPointer(std::string& path, std::string_view key) {
  path.push_back('/');
  for (char c : key) {
    if (c == '~') {
      path += "~0";
    } else if (c == '/') {
      path += "~1";
    } else {
      path.push_back(c);
    }
  }
}

std::string Where(const std::string& path) {
  return path.empty() ? "the top-level JSON value" : StrCat("JSON value at '", Printable(path), "'");
}

// `text` as UTF-16 code units, or the offset of its first ill-formed byte.
struct Utf16 {
  std::u16string units;
  std::optional<size_t> bad_offset;
};

Utf16 ToUtf16(std::string_view text) {
  Utf16 out;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) {
      out.bad_offset = i;
      return out;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.units.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.units.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.units.push_back(static_cast<char16_t>(cp));
    }
    i += n;
  }
  return out;
}

// `what` names the string ("JSON string at '/a'").
Error BadUtf8(const std::string& what, std::string_view text, size_t offset) {
  return Error(Code::kInvalidArgument,
               StrCat(what, " is not valid UTF-8: byte ", offset, " (", Printable(text.substr(offset, 1)),
                      ") starts an ill-formed sequence (RFC 8785 needs Unicode text)"));
}

// RFC 8785 §3.2.2.2. REQUIRES: `text` is valid UTF-8.
void AppendString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<uint8_t>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// ECMAScript Number::toString(x) (ECMA-262 §6.1.6.1.20, RFC 8785 §3.2.2.3)
// for finite `x`. std::to_chars gives the shortest digits that round-trip,
// which is the "k as small as possible" of the ES algorithm (ties to the
// closest, as ES asks); what is left is ES's layout of those digits.
void AppendDouble(double x, std::string& out) {
  if (x == 0) {  // +0 and -0
    out.push_back('0');
    return;
  }
  if (x < 0) {
    out.push_back('-');
    x = -x;
  }
  char buf[40];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
  const std::string_view sci(buf, r.ptr - buf);  // "d[.ddd]e±XX"
  const size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (e > 1) digits.append(sci.substr(2, e - 2));
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exponent = 0;
  const char* exp_begin = sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0);
  std::from_chars(exp_begin, sci.data() + sci.size(), exponent);

  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // x = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, n);
    out.push_back('.');
    out.append(digits, n);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(n - 1 < 0 ? '-' : '+');
    out += std::to_string(std::abs(n - 1));
  }
}

Error OutOfRange(const std::string& path, std::string_view number) {
  return Error(Code::kInvalidArgument,
               StrCat(Where(path), ": integer ", number, " is outside I-JSON's exact range ±",
                      kJsonMaxSafeInteger, " (RFC 7493 §2.2); a number this large must travel as a string"));
}

Status Write(const Json& value, int depth, std::string& path, std::string& out);

Status WriteNumber(const Json& value, const std::string& path, std::string& out) {
  if (value.is_number_integer()) {
    const bool in_range = value.is_number_unsigned()
                              ? value.get<uint64_t>() <= static_cast<uint64_t>(kJsonMaxSafeInteger)
                              : value.get<int64_t>() >= -kJsonMaxSafeInteger &&
                                    value.get<int64_t>() <= kJsonMaxSafeInteger;
    const std::string text = value.dump();
    if (!in_range) return OutOfRange(path, text);
    out += text;
    return Ok();
  }
  const double v = value.get<double>();
  if (!std::isfinite(v)) {
    return Error(Code::kInvalidArgument,
                 StrCat(Where(path), ": ", std::isnan(v) ? "NaN" : "an infinite number",
                        " has no JSON form (RFC 8785 §3.2.2.3; a number beyond ±1.8e308 does not fit a double)"));
  }
  AppendDouble(v, out);
  return Ok();
}

Status WriteArray(const Json& array, int depth, std::string& path, std::string& out) {
  const size_t path_size = path.size();
  out.push_back('[');
  for (size_t i = 0; i < array.size(); ++i) {
    if (i > 0) out.push_back(',');
    path += StrCat("/", i);
    VOUCH_RETURN_IF_ERROR(Write(array[i], depth + 1, path, out));
    path.resize(path_size);
  }
  out.push_back(']');
  return Ok();
}

// RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names.
Status WriteObject(const Json& object, int depth, std::string& path, std::string& out) {
  struct Member {
    std::u16string sort_key;
    const std::string* name;
    const Json* value;
  };
  std::vector<Member> members;
  members.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) {
    Utf16 key = ToUtf16(it.key());
    if (key.bad_offset) {
      const std::string where = path.empty() ? "the top-level object" : StrCat("the object at '", Printable(path), "'");
      return BadUtf8(StrCat("a member name in ", where), it.key(), *key.bad_offset);
    }
    members.push_back(Member{std::move(key.units), &it.key(), &it.value()});
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
  const size_t path_size = path.size();
  out.push_back('{');
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendString(*members[i].name, out);
    out.push_back(':');
    AppendPointer(path, *members[i].name);
    VOUCH_RETURN_IF_ERROR(Write(*members[i].value, depth + 1, path, out));
    path.resize(path_size);
  }
  out.push_back('}');
  return Ok();
}

// Writes `value`, found at JSON Pointer `path` and nesting `depth`, to `out`.
Status Write(const Json& value, int depth, std::string& path, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
      out += "null";
      return Ok();
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return Ok();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return WriteNumber(value, path, out);
    case Json::value_t::string: {
      const std::string& s = value.get_ref<const std::string&>();
      if (std::optional<size_t> bad = FirstInvalidUtf8(s)) {
        return BadUtf8(path.empty() ? "the top-level JSON string" : StrCat("JSON string at '", Printable(path), "'"),
                       s, *bad);
      }
      AppendString(s, out);
      return Ok();
    }
    case Json::value_t::binary:
      return Error(Code::kInvalidArgument,
                   StrCat(Where(path), " is a binary value, which JSON cannot hold (encode it as a string)"));
    case Json::value_t::discarded:
      return Error(Code::kInvalidArgument, StrCat(Where(path), " is a discarded value (a failed parse)"));
    case Json::value_t::array:
    case Json::value_t::object:
      break;
  }
  if (depth > kJsonMaxDepth) {
    return Error(Code::kInvalidArgument,
                 StrCat(Where(path), " nests arrays and objects deeper than ", kJsonMaxDepth, " levels"));
  }
  return value.is_array() ? WriteArray(value, depth, path, out) : WriteObject(value, depth, path, out);
}

// Thrown from the parser callback to stop at the first I-JSON refusal.
struct Refusal {
  std::string message;
};

// Where the parser is, for messages: one frame per open array or object.
class ParsePosition {
 public:
  void Open(bool is_object) { frames_.push_back(Frame{is_object, 0, "", {}}); }
  void Close() {
    frames_.pop_back();
    ElementDone();
  }
  void ElementDone() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }
  // Records member `name` in the innermost object; false if it was seen.
  bool Key(const std::string& name) {
    frames_.back().key = name;
    return frames_.back().seen.insert(name).second;
  }
  size_t depth() const { return frames_.size(); }
  std::string Pointer() const {
    std::string path;
    for (const Frame& f : frames_) {
      if (f.is_object) {
        AppendPointer(path, f.key);
      } else {
        path += StrCat("/", f.index);
      }
    }
    return path;
  }

 private:
  struct Frame {
    bool is_object;
    size_t index;
    std::string key;
    std::set<std::string> seen;
  };
  std::vector<Frame> frames_;
};

// An integer literal beyond ±kJsonMaxSafeInteger, which a reader working in
// doubles (JavaScript, RFC 8785 §3.2.2.3) rounds. It is kept, as that double,
// only if the double's canonical text is the literal itself, so that every
// reader sees the same number (and canonical text parses back); otherwise
// the parse stops with a refusal.
void KeepWideIntegerExact(Json& number, const ParsePosition& at) {
  double d = 0;
  std::string literal;
  if (number.is_number_unsigned()) {
    const uint64_t v = number.get<uint64_t>();
    if (v <= static_cast<uint64_t>(kJsonMaxSafeInteger)) return;
    d = static_cast<double>(v);
    literal = std::to_string(v);
  } else {
    const int64_t v = number.get<int64_t>();
    if (v >= -kJsonMaxSafeInteger && v <= kJsonMaxSafeInteger) return;
    d = static_cast<double>(v);
    literal = std::to_string(v);
  }
  std::string as_double;
  AppendDouble(d, as_double);
  if (as_double != literal) {
    const std::string where = at.Pointer().empty() ? "" : StrCat(" at '", Printable(at.Pointer()), "'");
    throw Refusal{StrCat("JSON text", where, ": integer ", literal, " is outside I-JSON's exact range ±",
                         kJsonMaxSafeInteger, " and readers that use doubles see ", as_double,
                         " (RFC 7493 §2.2); a number this large must travel as a string")};
  }
  number = d;
}

}  // namespace

Result<std::string> CanonicalJson(const nlohmann::json& value) {
  std::string out;
  std::string path;
  VOUCH_RETURN_IF_ERROR(Write(value, 1, path, out));
  return out;
}

Result<nlohmann::json> ParseJsonStrict(std::string_view text) {
  ParsePosition at;
  auto callback = [&at](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        at.Open(event == Json::parse_event_t::object_start);
        if (at.depth() > static_cast<size_t>(kJsonMaxDepth)) {
          throw Refusal{StrCat("JSON text nests arrays and objects deeper than ", kJsonMaxDepth, " levels")};
        }
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        at.Close();
        break;
      case Json::parse_event_t::key: {
        const std::string& name = parsed.get_ref<const std::string&>();
        if (!at.Key(name)) {
          throw Refusal{StrCat("JSON text: member '", Printable(at.Pointer()),
                               "' appears twice in its object; I-JSON (RFC 7493 §2.3) forbids duplicate names")};
        }
        break;
      }
      case Json::parse_event_t::value:
        if (parsed.is_number_integer()) KeepWideIntegerExact(parsed, at);
        at.ElementDone();
        break;
    }
    return true;
  };
  Json value;
  try {
    value = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Refusal& refusal) {
    return Error(Code::kMalformed, refusal.message);
  } catch (const Json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 5: …"
    std::string_view what = e.what();
    if (size_t close = what.find("] "); close != std::string_view::npos) what.remove_prefix(close + 2);
    std::string message = "JSON text: ";
    for (char c : what) {
      const auto u = static_cast<uint8_t>(c);
      message += (u >= 0x20 && u < 0x7f) ? std::string(1, c) : Printable(std::string_view(&c, 1));
    }
    return Error(Code::kMalformed, std::move(message));
  }
  Result<std::string> canonical = CanonicalJson(value);
  if (!canonical.ok()) return Error(Code::kMalformed, canonical.error().message());
  return value;
}

}  // namespace vouch
