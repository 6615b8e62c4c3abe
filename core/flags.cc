#include "vouch/core/flags.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace vouch {

namespace {

// CLI11's words for a flag without its value, as one line naming the flag.
Error ParseError(const CLI::ParseError& e) {
  std::string what = e.what();
  if (auto colon = what.find(": "); what.rfind("--", 0) == 0 && colon != std::string::npos &&
                                    what.find("required", colon) != std::string::npos) {
    return Error(Code::kInvalidArgument, StrCat("flag ", what.substr(0, colon), " needs a value"));
  }
  return Error(Code::kInvalidArgument, what);
}

// An old name on the command line is a mistake to point out, not a flag to
// ignore: its value (as CLI11 took it) respelled under the new name.
Status RefuseRenamed(const std::vector<RenamedDuration>& renamed,
                     const std::map<std::string, std::vector<std::string>>& given) {
  for (const RenamedDuration& r : renamed) {
    auto it = given.find(std::string(r.old_name));
    if (it == given.end() || it->second.empty()) continue;
    return Error(Code::kInvalidArgument, StrCat("flag --", r.old_name, " was renamed: write --", r.new_name, " ",
                                                RespelledDuration(r, it->second.front())));
  }
  return Ok();
}

}  // namespace

Result<Flags> Flags::Parse(const std::vector<std::string>& args,
                           const std::set<std::string>& value_flags,
                           const std::set<std::string>& bool_flags,
                           const std::vector<RenamedDuration>& renamed) {
  CLI::App app;
  app.set_help_flag();  // -h/--help is a flag like the others: the command prints its usage
  app.allow_extras(true);
  std::map<std::string, std::vector<std::string>> values;
  for (const std::string& name : value_flags) {
    app.add_option("--" + name, values[name])->allow_extra_args(false);
  }
  // Old names are taken with their value, so the refusal can respell it.
  std::map<std::string, std::vector<std::string>> old_values;
  for (const RenamedDuration& r : renamed) {
    app.add_option(StrCat("--", r.old_name), old_values[std::string(r.old_name)])->allow_extra_args(false);
  }
  for (const std::string& name : bool_flags) {
    if (name != "help") app.add_flag("--" + name);
  }
  app.add_flag("-h,--help");
  // CLI11 takes the arguments last first, and reads "--name=" as a missing
  // value where it is an empty one: given as "--name" "".
  std::vector<std::string> reversed;
  for (auto a = args.rbegin(); a != args.rend(); ++a) {
    if (a->size() > 3 && a->rfind("--", 0) == 0 && a->back() == '=' && a->find('=') == a->size() - 1) {
      reversed.push_back("");
      reversed.push_back(a->substr(0, a->size() - 1));
    } else {
      reversed.push_back(*a);
    }
  }
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return ParseError(e);
  }
  VOUCH_RETURN_IF_ERROR(RefuseRenamed(renamed, old_values));
  Flags f;
  for (const auto& [name, list] : values) {
    for (const std::string& v : list) f.values_.emplace(name, v);
  }
  for (const std::string& name : bool_flags) {
    if (name != "help" && app.count("--" + name) > 0) f.values_.emplace(name, "true");
  }
  if (app.count("--help") > 0) f.values_.emplace("help", "true");
  // What CLI11 did not take: positional arguments, and flags no one declared.
  bool after_separator = false;
  for (const std::string& a : app.remaining()) {
    if (!after_separator && a == "--") {
      after_separator = true;
    } else if (!after_separator && a.size() > 1 && a[0] == '-') {
      return Error(Code::kInvalidArgument, StrCat("unknown flag ", a.substr(0, a.find('='))));
    } else {
      f.positional_.push_back(a);
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

Result<std::chrono::milliseconds> Flags::GetDuration(const std::string& name, std::chrono::milliseconds fallback,
                                                     std::chrono::milliseconds min,
                                                     std::chrono::milliseconds max) const {
  auto v = Get(name);
  if (!v) return fallback;
  return ParseDurationIn(StrCat("--", name), *v, min, max);
}

void Flags::SetDefault(const std::string& name, std::string value) {
  if (!Has(name)) values_.emplace(name, std::move(value));
}

bool AsksForHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

int PrintUsage(std::initializer_list<const char*> texts) {
  for (const char* text : texts) std::fputs(text, stdout);
  return 0;
}

}  // namespace vouch
