#include "boot_reference_text.h"

#include <cstdio>

#include "pcr_list.h"

namespace vouch::cli {

std::string BootReferenceHeadline(const BootReference& r) {
  std::string head = StrCat(r.platform_class, "/", r.name, ": ");
  if (r.withdrawn) return head + "withdrawn";
  return StrCat(head, "PCRs ", JoinPcrs(r.pcrs), "; ", r.rules.size(), r.rules.size() == 1 ? " rule" : " rules");
}

void PrintBootReference(const BootReference& r) {
  std::printf("%s\n", BootReferenceHeadline(r).c_str());
  for (const BootRule& rule : r.rules) {
    std::string values;
    for (const Bytes& v : rule.sha256) values += StrCat(values.empty() ? "" : ", ", HexEncode(v));
    std::string notes = rule.is_variable() ? rule.vendor : "";
    if (rule.required) notes += notes.empty() ? "required" : ", required";
    std::printf("  %s%s: %s%s\n", BootRuleKind(rule).c_str(), notes.empty() ? "" : StrCat(" (", notes, ")").c_str(),
                rule.is_variable() ? "data sha256 " : "sha256 ", values.c_str());
  }
}

nlohmann::json BootReferenceJson(const BootReference& r) {
  nlohmann::json rules = nlohmann::json::array();
  for (const BootRule& rule : r.rules) {
    nlohmann::json values = nlohmann::json::array();
    for (const Bytes& v : rule.sha256) values.push_back(HexEncode(v));
    nlohmann::json j = {{"pcr", rule.pcr},       {"type", rule.event_type}, {"type_name", EventTypeName(rule.event_type)},
                        {"sha256", values}, {"required", rule.required}};
    if (rule.is_variable()) {
      j["vendor"] = rule.vendor;
      j["var"] = rule.variable;
    }
    rules.push_back(std::move(j));
  }
  return {{"class", r.platform_class}, {"name", r.name}, {"pcrs", r.pcrs}, {"rules", rules}, {"withdrawn", r.withdrawn}};
}

}  // namespace vouch::cli
