#include "pcr_list.h"

#include <set>
#include <string>

#include "vouch/measure/tpm.h"

namespace vouch::cli {

std::optional<uint32_t> ParsePcrIndex(std::string_view text) {
  if (text.empty() || text.size() > 2) return std::nullopt;
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v >= kTpmPcrCount) return std::nullopt;
  return v;
}

Result<std::vector<uint32_t>> ParsePcrList(std::string_view text, std::string_view flag) {
  auto bad = [&](std::string_view why) {
    return Error(Code::kInvalidArgument, StrCat(flag, " '", text, "': ", why));
  };
  if (text.empty()) return Error(Code::kInvalidArgument, StrCat(flag, " is empty: give PCRs such as 0-7 or 0,1,7"));
  std::set<uint32_t> pcrs;
  for (size_t pos = 0; pos <= text.size();) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    size_t dash = item.find('-');
    std::optional<uint32_t> lo = ParsePcrIndex(item.substr(0, dash));
    std::optional<uint32_t> hi = dash == std::string_view::npos ? lo : ParsePcrIndex(item.substr(dash + 1));
    if (!lo || !hi) {
      return bad(StrCat("'", item, "' is not a PCR index 0..", kTpmPcrCount - 1, " or a range such as 0-7"));
    }
    if (*lo > *hi) return bad(StrCat("range '", item, "' runs backwards"));
    for (uint32_t i = *lo; i <= *hi; ++i) {
      if (!pcrs.insert(i).second) return bad(StrCat("PCR ", i, " is listed twice"));
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return std::vector<uint32_t>(pcrs.begin(), pcrs.end());
}

std::string JoinPcrs(const std::vector<uint32_t>& pcrs) {
  std::string out;
  for (uint32_t i : pcrs) out += StrCat(out.empty() ? "" : ",", i);
  return out;
}

}  // namespace vouch::cli
