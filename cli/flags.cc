#include "flags.h"

#include <cerrno>
#include <cstdlib>

namespace vouch::cli {

Result<Flags> Flags::Parse(const std::vector<std::string>& args,
                           const std::set<std::string>& value_flags,
                           const std::set<std::string>& bool_flags) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      f.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (bool_flags.count(name)) {
      if (inline_value) return Error(Code::kInvalidArgument, StrCat("flag --", name, " takes no value"));
      f.values_.emplace(name, "true");
    } else if (value_flags.count(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) return Error(Code::kInvalidArgument, StrCat("flag --", name, " needs a value"));
        value = args[++i];
      }
      f.values_.emplace(name, value);
    } else {
      return Error(Code::kInvalidArgument, StrCat("unknown flag --", name));
    }
  }
  return f;
}

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Flags::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = values_.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

Result<std::string> Flags::Require(const std::string& name) const {
  auto v = Get(name);
  if (!v) return Error(Code::kInvalidArgument, StrCat("missing required flag --", name));
  return *v;
}

Result<uint64_t> Flags::GetUint(const std::string& name, uint64_t fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0 || (*v)[0] == '-') {
    return Error(Code::kInvalidArgument, StrCat("flag --", name, " must be a number, got '", *v, "'"));
  }
  return static_cast<uint64_t>(n);
}

}  // namespace vouch::cli
