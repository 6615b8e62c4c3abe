#include "command_exit.h"

#include <cstdio>

namespace vouch::cli {

int Fail(const std::string& message) {
  std::fprintf(stderr, "vouch: %s\n", message.c_str());
  return 1;
}

int UsageError(std::string_view program, const std::string& problem,
               std::initializer_list<std::string_view> usage) {
  if (!problem.empty()) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(program.size()), program.data(), problem.c_str());
  }
  for (std::string_view text : usage) std::fwrite(text.data(), 1, text.size(), stderr);
  return 2;
}

}  // namespace vouch::cli
