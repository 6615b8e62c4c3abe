// A small command-line flag reader: "--name value" or "--name=value",
// repeatable, plus positional arguments. Unknown flags are errors.
#ifndef VOUCH_CLI_FLAGS_H_
#define VOUCH_CLI_FLAGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::cli {

class Flags {
 public:
  // `value_flags` take a value; `bool_flags` do not.
  static Result<Flags> Parse(const std::vector<std::string>& args,
                             const std::set<std::string>& value_flags,
                             const std::set<std::string>& bool_flags = {});

  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // kInvalidArgument naming the flag if absent.
  Result<std::string> Require(const std::string& name) const;
  // Unsigned integer flag; kInvalidArgument naming the flag if not a number.
  Result<uint64_t> GetUint(const std::string& name, uint64_t fallback) const;

  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace vouch::cli

#endif  // VOUCH_CLI_FLAGS_H_
