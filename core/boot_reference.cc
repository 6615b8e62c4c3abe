#include "vouch/core/boot_reference.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <set>
#include <tuple>

#include "internal/cbor_reader.h"

namespace vouch {
namespace {

using cbor::Value;
using Reader = internal::CborMapReader;

constexpr uint32_t kMaxPcr = 23;

struct EventTypeEntry {
  uint32_t type;
  const char* name;
};

constexpr EventTypeEntry kEventTypes[] = {
    {0x00000000, "EV_PREBOOT_CERT"},
    {0x00000001, "EV_POST_CODE"},
    {0x00000002, "EV_UNUSED"},
    {0x00000003, "EV_NO_ACTION"},
    {0x00000004, "EV_SEPARATOR"},
    {0x00000005, "EV_ACTION"},
    {0x00000006, "EV_EVENT_TAG"},
    {0x00000007, "EV_S_CRTM_CONTENTS"},
    {0x00000008, "EV_S_CRTM_VERSION"},
    {0x00000009, "EV_CPU_MICROCODE"},
    {0x0000000a, "EV_PLATFORM_CONFIG_FLAGS"},
    {0x0000000b, "EV_TABLE_OF_DEVICES"},
    {0x0000000c, "EV_COMPACT_HASH"},
    {0x0000000d, "EV_IPL"},
    {0x0000000e, "EV_IPL_PARTITION_DATA"},
    {0x0000000f, "EV_NONHOST_CODE"},
    {0x00000010, "EV_NONHOST_CONFIG"},
    {0x00000011, "EV_NONHOST_INFO"},
    {0x00000012, "EV_OMIT_BOOT_DEVICE_EVENTS"},
    {0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG"},
    {0x80000002, "EV_EFI_VARIABLE_BOOT"},
    {0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION"},
    {0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER"},
    {0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER"},
    {0x80000006, "EV_EFI_GPT_EVENT"},
    {0x80000007, "EV_EFI_ACTION"},
    {0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB"},
    {0x80000009, "EV_EFI_HANDOFF_TABLES"},
    {0x8000000a, "EV_EFI_PLATFORM_FIRMWARE_BLOB2"},
    {0x8000000b, "EV_EFI_HANDOFF_TABLES2"},
    {0x8000000c, "EV_EFI_VARIABLE_BOOT2"},
    {0x80000010, "EV_EFI_HCRTM_EVENT"},
    {0x800000e0, "EV_EFI_VARIABLE_AUTHORITY"},
    {0x800000e1, "EV_EFI_SPDM_FIRMWARE_BLOB"},
    {0x800000e2, "EV_EFI_SPDM_FIRMWARE_CONFIG"},
};

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// 8-4-4-4-12 lowercase hex digits.
bool IsCanonicalGuid(std::string_view g) {
  if (g.size() != 36) return false;
  for (size_t i = 0; i < g.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? g[i] != '-' : !IsLowerHex(g[i])) return false;
  }
  return true;
}

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

using RuleKey = std::tuple<uint32_t, uint32_t, std::string, std::string>;

// Everything both directions check; the problem as a sentence.
std::optional<std::string> Problem(const BootReference& r) {
  if (Status s = CheckPlatformClassName(r.platform_class, "platform class"); !s.ok()) {
    return s.error().message();
  }
  if (Status s = CheckPlatformClassName(r.name, "fragment name"); !s.ok()) return s.error().message();
  if (r.withdrawn && (!r.pcrs.empty() || !r.rules.empty())) {
    return "a withdrawn fragment has no pcrs and no rules";
  }
  if (!r.withdrawn && (r.pcrs.empty() || r.rules.empty())) {
    return "a fragment governs at least one PCR with at least one rule";
  }
  for (size_t i = 0; i < r.pcrs.size(); ++i) {
    if (r.pcrs[i] > kMaxPcr) return StrCat("PCR ", r.pcrs[i], " is not 0..23");
    if (i > 0 && r.pcrs[i] <= r.pcrs[i - 1]) return "'pcrs' must be ascending and distinct";
  }
  if (r.rules.size() > kMaxBootRules) return StrCat("more than ", kMaxBootRules, " rules");
  std::set<RuleKey> kinds;
  for (const BootRule& rule : r.rules) {
    std::string kind = BootRuleKind(rule);
    if (!std::binary_search(r.pcrs.begin(), r.pcrs.end(), rule.pcr)) {
      return StrCat("rule ", kind, " is on a PCR the fragment does not govern");
    }
    if (rule.vendor.empty() != rule.variable.empty()) {
      return StrCat("rule ", kind, ": 'vendor' and 'var' go together");
    }
    if (rule.is_variable() && !IsCanonicalGuid(rule.vendor)) {
      return StrCat("rule ", kind, ": vendor '", rule.vendor, "' is not a lowercase GUID");
    }
    if (rule.is_variable() && (rule.variable.size() > 128 || !IsPrintableAscii(rule.variable))) {
      return StrCat("rule ", kind, ": a variable name is 1..128 printable ASCII characters");
    }
    if (rule.sha256.empty() || rule.sha256.size() > kMaxBootRuleValues) {
      return StrCat("rule ", kind, " must allow 1..", kMaxBootRuleValues, " values");
    }
    std::set<Bytes> values;
    for (const Bytes& v : rule.sha256) {
      if (v.size() != 32) return StrCat("rule ", kind, ": a value is not 32 bytes");
      if (!values.insert(v).second) return StrCat("rule ", kind, " lists ", HexEncode(v), " twice");
    }
    if (!kinds.insert({rule.pcr, rule.event_type, rule.vendor, rule.variable}).second) {
      return StrCat("two rules for ", kind);
    }
  }
  return std::nullopt;
}

std::vector<uint32_t> ReadPcrs(Reader& r) {
  std::vector<uint32_t> out;
  const Value* v = r.Get("pcrs", "pcrs");
  if (v == nullptr) return out;
  if (!v->is_array()) return r.Fail("field 'pcrs' must be an array"), out;
  for (const Value& e : v->array()) {
    if (!e.is_unsigned() || e.uint_value() > kMaxPcr) {
      return r.Fail("field 'pcrs' must hold PCR indices 0..23"), out;
    }
    out.push_back(static_cast<uint32_t>(e.uint_value()));
  }
  return out;
}

BootRule ReadRule(Reader& r) {
  BootRule rule;
  uint64_t pcr = r.Uint("pcr", "pcr");
  uint64_t type = r.Uint("type", "type");
  if (pcr > kMaxPcr) r.Fail("field 'pcr' must be 0..23");
  if (type > UINT32_MAX) r.Fail("field 'type' must fit 32 bits");
  rule.pcr = static_cast<uint32_t>(pcr);
  rule.event_type = static_cast<uint32_t>(type);
  if (r.Get("vendor", "vendor", /*required=*/false) != nullptr) rule.vendor = r.Text("vendor", "vendor");
  if (r.Get("var", "var", /*required=*/false) != nullptr) rule.variable = r.Text("var", "var");
  const Value* values = r.Get("sha256", "sha256");
  if (values != nullptr && values->is_array() && values->array().size() <= kMaxBootRuleValues) {
    for (const Value& e : values->array()) {
      if (!e.is_bytes()) return r.Fail("field 'sha256' must hold byte strings"), rule;
      rule.sha256.push_back(e.bytes());
    }
  } else if (values != nullptr) {
    r.Fail(StrCat("field 'sha256' must be an array of at most ", kMaxBootRuleValues, " values"));
  }
  if (r.Get("required", "required", /*required=*/false) != nullptr) {
    rule.required = r.Bool("required", "required");
    if (!rule.required) r.Fail("field 'required' is written only when true");
  }
  return rule;
}

}  // namespace

Status CheckPlatformClassName(std::string_view name, std::string_view what) {
  auto ok_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), ok_char) &&
            name[0] != '.' && name[0] != '_' && name[0] != '-';
  if (ok) return Ok();
  return Error(Code::kInvalidArgument,
               StrCat(what, " '", name, "' must be 1..64 of a-z 0-9 . _ - starting with a letter or digit"));
}

std::string BootRuleKind(const BootRule& rule) {
  std::string kind = StrCat("PCR ", rule.pcr, " ", EventTypeName(rule.event_type));
  if (rule.is_variable()) kind += StrCat(" ", rule.variable);
  return kind;
}

std::string EventTypeName(uint32_t type) {
  for (const auto& e : kEventTypes) {
    if (e.type == type) return e.name;
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", type);
  return buf;
}

Result<uint32_t> EventTypeFromName(std::string_view name) {
  for (const auto& e : kEventTypes) {
    if (name == e.name) return e.type;
  }
  if (name.size() > 2 && name.size() <= 10 && name.substr(0, 2) == "0x" &&
      std::all_of(name.begin() + 2, name.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
    return static_cast<uint32_t>(std::stoul(std::string(name.substr(2)), nullptr, 16));
  }
  return Error(Code::kInvalidArgument,
               StrCat("'", name, "' is not a TCG event type (EV_… or 0x followed by up to 8 hex digits)"));
}

Status CheckBootReference(const BootReference& reference) {
  if (auto problem = Problem(reference)) {
    return Error(Code::kInvalidArgument, StrCat("boot reference: ", *problem));
  }
  return Ok();
}

cbor::Value BootReferenceToCbor(const BootReference& reference) {
  cbor::Array pcrs(reference.pcrs.begin(), reference.pcrs.end());
  cbor::Array rules;
  for (const BootRule& rule : reference.rules) {
    cbor::Array values(rule.sha256.begin(), rule.sha256.end());
    cbor::MapEntries m{{"pcr", rule.pcr}, {"type", rule.event_type}, {"sha256", Value(std::move(values))}};
    if (rule.required) m.emplace_back("required", true);
    if (rule.is_variable()) {
      m.emplace_back("vendor", rule.vendor);
      m.emplace_back("var", rule.variable);
    }
    rules.push_back(Value::Map(std::move(m)));
  }
  cbor::MapEntries m{{"class", reference.platform_class},
                     {"name", reference.name},
                     {"pcrs", Value(std::move(pcrs))},
                     {"rules", Value(std::move(rules))}};
  if (reference.withdrawn) m.emplace_back("withdrawn", true);
  return Value::Map(std::move(m));
}

Result<BootReference> BootReferenceFromCbor(const cbor::Value& value) {
  if (!value.is_map()) return Error(Code::kMalformed, "boot reference is not a CBOR map");
  Reader r(value, "boot reference");
  BootReference out;
  out.platform_class = r.Text("class", "class");
  out.name = r.Text("name", "name");
  out.pcrs = ReadPcrs(r);
  auto rules = r.Maps<BootRule>("rules", "rules", ReadRule);
  if (rules) out.rules = std::move(*rules);
  if (rules && out.rules.size() > kMaxBootRules) r.Fail(StrCat("more than ", kMaxBootRules, " rules"));
  if (r.Get("withdrawn", "withdrawn", /*required=*/false) != nullptr) {
    out.withdrawn = r.Bool("withdrawn", "withdrawn");
    if (!out.withdrawn) r.Fail("field 'withdrawn' is written only when true");
  }
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  if (auto problem = Problem(out)) return Error(Code::kMalformed, StrCat("boot reference: ", *problem));
  return out;
}

}  // namespace vouch
