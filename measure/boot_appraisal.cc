#include "vouch/measure/boot_appraisal.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "vouch/core/digest.h"
#include "vouch/measure/efi_variable.h"

namespace vouch {
namespace {

bool Contains(const std::vector<uint32_t>& sorted_or_not, uint32_t v) {
  return std::find(sorted_or_not.begin(), sorted_or_not.end(), v) != sorted_or_not.end();
}

bool Allows(const BootRule& rule, ByteView value) {
  return std::any_of(rule.sha256.begin(), rule.sha256.end(),
                     [&](const Bytes& v) { return std::equal(v.begin(), v.end(), value.begin(), value.end()); });
}

Bytes Sha256Of(const LoggedEvent& e) {
  for (const EventDigest& d : e.digests) {
    if (d.alg == kEventLogSha256) return d.digest;
  }
  return {};
}

// The event's description in refusals: "PCR 4 EV_… [NAME] sha256 HEX".
std::string Describe(const EventVerdict& v) {
  std::string s = StrCat("PCR ", v.pcr, " ", EventTypeName(v.type));
  if (!v.variable.empty()) s += StrCat(" ", v.variable);
  return s;
}

// Judges one governed event: digest rules of its PCR and type first, then
// variable rules, which only an event whose digest covers its data can meet.
void Judge(const PlatformClass& cls, EventVerdict& v) {
  auto rules_of_event = [&](auto visit) {
    for (const BootReference& f : cls.fragments) {
      for (const BootRule& rule : f.rules) {
        if (rule.pcr == v.pcr && rule.event_type == v.type && visit(f, rule)) return true;
      }
    }
    return false;
  };
  bool accepted = rules_of_event([&](const BootReference& f, const BootRule& rule) {
    if (rule.is_variable() || !Allows(rule, v.sha256)) return false;
    v.fragment = f.name;
    return true;
  });
  if (accepted) return;
  bool named = false;  // some variable rule is about this very variable
  if (!v.variable.empty()) {
    accepted = rules_of_event([&](const BootReference& f, const BootRule& rule) {
      if (!rule.is_variable() || rule.vendor != v.vendor || rule.variable != v.variable) return false;
      named = true;
      if (!Allows(rule, v.variable_sha256)) return false;
      v.fragment = f.name;
      return true;
    });
  }
  if (accepted && !v.digest_covers_data) {
    v.fragment.clear();
    v.why = "its digest is not the SHA-256 of its data, so its data proves nothing";
  } else if (!accepted && named) {
    v.why = StrCat("data sha256 ", HexEncode(v.variable_sha256), " matches no rule of platform class ",
                   cls.name);
  } else if (!accepted) {
    v.why = StrCat("sha256 ", HexEncode(v.sha256), " matches no rule of platform class ", cls.name);
  }
}

EventFacts FactsOf(const LoggedEvent& e) {
  EventFacts f;
  f.number = e.number;
  f.pcr = e.pcr;
  f.type = e.type;
  f.sha256 = Sha256Of(e);
  if (auto var = ReadEfiVariable(e.data)) {
    f.vendor = std::move(var->vendor);
    f.variable = std::move(var->name);
    f.variable_sha256 = ToBytes(Sha256(var->data));
    f.digest_covers_data = !f.sha256.empty() && ToBytes(Sha256(e.data)) == f.sha256;
  }
  return f;
}

// Whether `v` is an event of the kind `rule` describes (one no rule accepted
// is refused on its own, so it is not also reported missing).
bool OfKind(const EventVerdict& v, const BootRule& rule) {
  if (v.pcr != rule.pcr || v.type != rule.event_type) return false;
  return !rule.is_variable() || (v.vendor == rule.vendor && v.variable == rule.variable);
}

}  // namespace

BootAppraisal AppraiseBootLog(const PreparedBootLog& log, const PlatformClass& cls,
                              const std::vector<uint32_t>& quoted_pcrs) {
  BootAppraisal out;
  std::set<uint32_t> governed;
  for (const BootReference& f : cls.fragments) governed.insert(f.pcrs.begin(), f.pcrs.end());
  if (cls.fragments.empty()) {
    out.refusals.push_back(StrCat("platform class ", cls.name, " has no reference values on the ledger"));
  }
  for (uint32_t pcr : governed) {
    if (!Contains(quoted_pcrs, pcr)) {
      out.refusals.push_back(
          StrCat("platform class ", cls.name, " governs PCR ", pcr, ", which the quote does not cover"));
    }
  }
  out.events.reserve(log.events.size());
  for (const EventFacts& e : log.events) {
    EventVerdict v;
    static_cast<EventFacts&>(v) = e;
    v.governed = governed.count(e.pcr) != 0;
    if (v.governed) {
      if (v.sha256.empty()) {
        v.why = "it has no SHA-256 digest";
      } else {
        Judge(cls, v);
      }
      if (v.fragment.empty()) out.refusals.push_back(StrCat("event ", v.number, ": ", Describe(v), ": ", v.why));
    }
    out.events.push_back(std::move(v));
  }
  for (const BootReference& f : cls.fragments) {
    for (const BootRule& rule : f.rules) {
      if (!rule.required) continue;
      bool seen = false;
      for (size_t i = 0; i < out.events.size() && !seen; ++i) seen = OfKind(out.events[i], rule);
      if (!seen) {
        out.refusals.push_back(StrCat("platform class ", cls.name, " requires a ", BootRuleKind(rule),
                                      " event (fragment ", f.name, "); the log has none"));
      }
    }
  }
  return out;
}

BootAppraisal AppraiseBootLog(const EventLog& log, const PlatformClass& cls,
                              const std::vector<uint32_t>& quoted_pcrs) {
  return AppraiseBootLog(PrepareBootLog(log), cls, quoted_pcrs);
}

PreparedBootLog PrepareBootLog(const EventLog& log) {
  PreparedBootLog out;
  out.events.reserve(log.events.size());
  for (const LoggedEvent& e : log.events) {
    if (e.type != kEvNoAction) out.events.push_back(FactsOf(e));
  }
  return out;
}

Result<BootReference> ProposeBootReference(const EventLog& log, const std::string& platform_class,
                                           const std::string& name, std::vector<uint32_t> pcrs) {
  if (Status s = CheckPlatformClassName(platform_class, "platform class"); !s.ok()) return s.error();
  if (Status s = CheckPlatformClassName(name, "fragment name"); !s.ok()) return s.error();
  std::set<uint32_t> extended;
  for (const LoggedEvent& e : log.events) {
    if (e.type != kEvNoAction) extended.insert(e.pcr);
  }
  if (pcrs.empty()) pcrs.assign(extended.begin(), extended.end());
  if (pcrs.empty()) return Error(Code::kInvalidArgument, "the event log extends no PCR");
  std::sort(pcrs.begin(), pcrs.end());
  if (std::adjacent_find(pcrs.begin(), pcrs.end()) != pcrs.end()) {
    return Error(Code::kInvalidArgument, "a PCR is named twice");
  }
  for (uint32_t pcr : pcrs) {
    if (extended.count(pcr) == 0) {
      return Error(Code::kInvalidArgument, StrCat("the event log extends no PCR ", pcr));
    }
  }
  using Kind = std::tuple<uint32_t, uint32_t, std::string, std::string>;
  std::map<Kind, size_t> index;  // kind → position in `rules`, keeping first-seen order
  BootReference ref{platform_class, name, pcrs, {}, false};
  for (const LoggedEvent& e : log.events) {
    if (e.type == kEvNoAction || !Contains(pcrs, e.pcr)) continue;
    EventFacts facts = FactsOf(e);
    if (facts.sha256.empty()) {
      return Error(Code::kMalformed, StrCat("event log: event ", e.number, " has no SHA-256 digest"));
    }
    BootRule rule{e.pcr, e.type, "", "", {}, true};
    Bytes value = facts.sha256;
    if (facts.digest_covers_data) {
      rule.vendor = facts.vendor;
      rule.variable = facts.variable;
      value = facts.variable_sha256;
    }
    Kind kind{rule.pcr, rule.event_type, rule.vendor, rule.variable};
    auto [it, fresh] = index.try_emplace(kind, ref.rules.size());
    if (fresh) ref.rules.push_back(std::move(rule));
    BootRule& r = ref.rules[it->second];
    if (!Allows(r, value)) {
      if (r.sha256.size() == kMaxBootRuleValues) {
        return Error(Code::kInvalidArgument,
                     StrCat("more than ", kMaxBootRuleValues, " distinct values for ", BootRuleKind(r)));
      }
      r.sha256.push_back(std::move(value));
    }
  }
  return ref;
}

}  // namespace vouch
