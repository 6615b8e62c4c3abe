// FetchCheckpoints (checkpoint.h): one libcurl GET per active validator,
// each on its own thread, so the slowest bounds the wait.
#include <curl/curl.h>

#include <memory>
#include <thread>

#include "vouch/ledger/checkpoint.h"
#include "vouch/ledger/internal/curl_ready.h"

namespace vouch::ledger {
namespace {

constexpr size_t kMaxReply = 4096;  // a checkpoint is ~200 bytes

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

size_t AppendBounded(char* data, size_t size, size_t n, void* out) {
  auto* reply = static_cast<std::string*>(out);
  if (reply->size() + size * n > kMaxReply) return 0;  // aborts the transfer
  reply->append(data, size * n);
  return size * n;
}

// One validator's answer: the checkpoint, or why not.
Result<Checkpoint> FetchOne(const ValidatorRecord& v, std::chrono::milliseconds timeout) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error(Code::kInternal, "curl_easy_init failed");
  std::string url = StrCat(v.endpoint, "/v1/checkpoint"), reply;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBounded);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) return Error(Code::kUnavailable, curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return Error(Code::kUnavailable, StrCat("HTTP ", status));
  VOUCH_ASSIGN_OR_RETURN(Checkpoint c, DecodeCheckpoint(AsBytes(reply)));
  if (c.validator != v.did) {
    return Error(Code::kBadSignature, StrCat("signed by ", c.validator, ", not by this validator"));
  }
  return c;
}

}  // namespace

std::vector<Checkpoint> FetchCheckpoints(const ChainState& state, std::chrono::milliseconds timeout,
                                         std::vector<std::string>* notes) {
  const bool ready = internal::CurlReady();
  std::vector<const ValidatorRecord*> active;
  for (const auto& [did, v] : state.validators()) {
    if (state.IsActiveValidator(did) && !v.endpoint.empty()) active.push_back(&v);
  }
  std::vector<std::optional<Result<Checkpoint>>> answers(active.size());
  if (ready) {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < active.size(); ++i) {
      threads.emplace_back([&answers, &active, i, timeout] { answers[i] = FetchOne(*active[i], timeout); });
    }
    for (std::thread& t : threads) t.join();
  }
  std::vector<Checkpoint> out;
  for (size_t i = 0; i < active.size(); ++i) {
    if (answers[i] && answers[i]->ok()) {
      out.push_back(std::move(*answers[i]).value());
    } else if (notes != nullptr) {
      std::string why = answers[i] ? answers[i]->error().message() : "libcurl could not be initialized";
      notes->push_back(StrCat("no checkpoint from ", active[i]->did, " at ", active[i]->endpoint, ": ", why));
    }
  }
  return out;
}

}  // namespace vouch::ledger
