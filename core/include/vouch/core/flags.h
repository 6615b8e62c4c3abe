// The command line of every vouch program (vouch, vouchd), read by CLI11:
// one flag library for all of them: "--name value" or "--name=value", repeatable, and
// positional arguments; everything after "--" is positional. Unknown flags
// are errors. -h and --help are known to every command: Has("help").
// Durations are read as duration.h spells them ("--timeout 5s").
#ifndef VOUCH_CORE_FLAGS_H_
#define VOUCH_CORE_FLAGS_H_

#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vouch/core/duration.h"
#include "vouch/core/errors.h"

namespace vouch {

class Flags {
 public:
  // `value_flags` take a value; `bool_flags` do not (names without "--").
  // kInvalidArgument "unknown flag --x" or "flag --x needs a value". A flag
  // of `renamed` is refused with its new spelling: "flag --timeout-ms was
  // renamed: write --timeout 5000ms".
  static Result<Flags> Parse(const std::vector<std::string>& args,
                             const std::set<std::string>& value_flags,
                             const std::set<std::string>& bool_flags = {},
                             const std::vector<RenamedDuration>& renamed = {});

  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // -h or --help was given.
  bool help() const { return Has("help"); }
  // kInvalidArgument naming the flag if absent.
  Result<std::string> Require(const std::string& name) const;
  // Unsigned integer flag; kInvalidArgument naming the flag if not a number.
  Result<uint64_t> GetUint(const std::string& name, uint64_t fallback) const;
  // Duration flag (duration.h: 500ms, 30s, 5m, 2h; a bare number is
  // seconds), `fallback` if absent. kInvalidArgument naming the flag if it is
  // not a duration or outside min..max: "--timeout '0s' must be 1s..5m".
  Result<std::chrono::milliseconds> GetDuration(const std::string& name, std::chrono::milliseconds fallback,
                                                std::chrono::milliseconds min,
                                                std::chrono::milliseconds max) const;

  // Gives flag `name` `value` unless the command line gave it (defaults from
  // a config file: the command line wins).
  void SetDefault(const std::string& name, std::string value);

  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// Whether -h or --help comes before any "--": a command group (ledger,
// tpm, host, key, revoke) then prints its usage whatever else was given.
bool AsksForHelp(const std::vector<std::string>& args);

// -h/--help: each text on stdout; returns 0, the exit code.
int PrintUsage(std::initializer_list<const char*> texts);

}  // namespace vouch

#endif  // VOUCH_CORE_FLAGS_H_
