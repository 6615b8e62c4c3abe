#include "utc.h"

#include <ctime>

namespace vouch::cli {

std::string Utc(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm_utc;
  char buf[32];
  if (gmtime_r(&tt, &tm_utc) == nullptr || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm_utc) == 0) {
    return std::to_string(t);
  }
  return buf;
}

}  // namespace vouch::cli
