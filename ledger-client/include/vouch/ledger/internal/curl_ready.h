// libcurl's process-wide initialization, shared by every libcurl user in
// ledger-client (the etcd backend, checkpoint fetching).
#ifndef VOUCH_LEDGER_INTERNAL_CURL_READY_H_
#define VOUCH_LEDGER_INTERNAL_CURL_READY_H_

#include <curl/curl.h>

namespace vouch::ledger::internal {

// Runs curl_global_init once (it is not re-entrant; a function-local static
// serializes the first calls) and says whether it succeeded. Never cleaned
// up, as other users of libcurl may remain.
inline bool CurlReady() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

}  // namespace vouch::ledger::internal

#endif  // VOUCH_LEDGER_INTERNAL_CURL_READY_H_
