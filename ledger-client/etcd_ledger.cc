#include "vouch/ledger/etcd_ledger.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace vouch::ledger {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kIndexDigits = 20;  // UINT64_MAX has 20 decimal digits
constexpr size_t kPageSize = 256;
constexpr int kMaxAppendRounds = 16;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// libcurl's process-wide initialization, once (curl_global_init is not
// re-entrant); never cleaned up, as other users of libcurl may remain.
bool CurlReady() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

std::string B64(std::string_view s) { return Base64Encode(AsBytes(s)); }

// "key" + 1 in the last byte: the range_end of every key starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<unsigned char>(prefix.back()) < 0xff) {
      prefix.back() = static_cast<char>(prefix.back() + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

// An int64 the gateway sends as a JSON string ("123"); absent means 0.
Result<int64_t> Int64Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return int64_t{0};
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) {
    return Error(Code::kMalformed, StrCat("etcd response field '", name, "': expected an int64 string, got ",
                                          it->type_name()));
  }
  const std::string& s = it->get_ref<const std::string&>();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return Error(Code::kMalformed, StrCat("etcd response field '", name, "': expected an int64, got '", s, "'"));
  }
  return v;
}

Result<std::string> Base64Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return Error(Code::kMalformed, StrCat("etcd response field '", name, "': expected a base64 string, got ",
                                          it->type_name()));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes b, Base64Decode(it->get_ref<const std::string&>()));
  return ToString(b);
}

struct KeyValue {
  std::string key;
  Bytes value;
  int64_t mod_revision = 0;
};

Result<std::vector<KeyValue>> Kvs(const json& range_response) {
  std::vector<KeyValue> out;
  auto it = range_response.find("kvs");
  if (it == range_response.end() || it->is_null()) return out;
  if (!it->is_array()) return Error(Code::kMalformed, "etcd range response: 'kvs' is not an array");
  for (const json& kv : *it) {
    KeyValue k;
    VOUCH_ASSIGN_OR_RETURN(k.key, Base64Field(kv, "key"));
    VOUCH_ASSIGN_OR_RETURN(std::string value, Base64Field(kv, "value"));
    k.value = ToBytes(value);
    VOUCH_ASSIGN_OR_RETURN(k.mod_revision, Int64Field(kv, "mod_revision"));
    out.push_back(std::move(k));
  }
  return out;
}

Result<int64_t> HeaderRevision(const json& response) {
  auto it = response.find("header");
  if (it == response.end() || !it->is_object()) {
    return Error(Code::kMalformed, "etcd response: no 'header' object");
  }
  return Int64Field(*it, "revision");
}

size_t AppendToString(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

// ---------------------------------------------------------------------------
// HTTP to the gateway: a pool of curl handles and round-robin failover.

class EtcdLedger::Http {
 public:
  Http(std::vector<std::string> endpoints, const EtcdOptions& options)
      : endpoints_(std::move(endpoints)), options_(options) {}

  // POSTs `body` to `path` ("/v3/kv/range") and returns the parsed reply,
  // failing over between endpoints (see the header). `what` names the
  // operation in errors.
  Result<json> Post(std::string_view path, const json& body, std::string_view what) {
    const std::string payload = body.dump();
    const auto deadline = Clock::now() + options_.retry_window;
    const size_t n = endpoints_.size();
    const size_t start = preferred_.load();
    std::string last_error;
    for (size_t attempt = 0;; ++attempt) {
      const size_t i = (start + attempt) % n;
      const std::string& endpoint = endpoints_[i];
      CurlPtr curl = Take();
      if (!curl) return Error(Code::kInternal, "etcd: curl_easy_init failed");
      std::string reply;
      SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
      std::string url = StrCat("http://", endpoint, path);
      curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
      curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
      curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendToString);
      curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
      CURLcode rc = curl_easy_perform(curl.get());
      long status = 0;
      curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
      // Detach request-scoped pointers before the handle goes back to the pool.
      curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, nullptr);
      Give(std::move(curl));
      if (rc == CURLE_OK && status == 200) {
        preferred_.store(i);
        json parsed = json::parse(reply, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded() || !parsed.is_object()) {
          return Error(Code::kMalformed, StrCat("etcd ", endpoint, " ", what, ": the reply is not a JSON object"));
        }
        return parsed;
      }
      if (rc == CURLE_OK && status < 500) {
        // The gateway understood and refused: retrying elsewhere will not help.
        return Error(Code::kIo, StrCat("etcd ", endpoint, " ", what, ": HTTP ", status, ": ", ErrorText(reply)));
      }
      last_error = rc != CURLE_OK ? StrCat(endpoint, ": ", curl_easy_strerror(rc))
                                  : StrCat(endpoint, ": HTTP ", status, " ", ErrorText(reply));
      if (Clock::now() >= deadline) {
        return Error(Code::kUnavailable,
                     StrCat("etcd ", what, ": no endpoint answered within ", options_.retry_window.count(),
                            " ms (last error ", last_error, ")"));
      }
      if ((attempt + 1) % n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Makes the endpoint after the preferred one the preferred one.
  void Rotate() {
    size_t i = preferred_.load();
    preferred_.compare_exchange_strong(i, (i + 1) % endpoints_.size());
  }

  // Outcome of one watch connection.
  enum class StreamEnd { kStopped, kTimedOut, kEnded };

  // Opens a watch stream with `body` on the preferred endpoint for at most
  // `duration` and feeds each JSON line to `on_line` until it returns false
  // (kStopped). kEnded (and the next endpoint becomes the preferred one) if
  // the stream ends or fails before that.
  template <typename F>
  StreamEnd Watch(const json& body, std::chrono::milliseconds duration, F on_line) {
    const std::string payload = body.dump();
    const size_t i = preferred_.load() % endpoints_.size();
    CurlPtr curl(curl_easy_init());
    if (!curl) return StreamEnd::kEnded;
    struct Sink {
      std::string buffer;
      F* on_line;
      bool stopped = false;
    } sink{std::string(), &on_line};
    auto write = +[](char* data, size_t size, size_t n, void* p) -> size_t {
      auto* s = static_cast<Sink*>(p);
      s->buffer.append(data, size * n);
      size_t pos;
      while ((pos = s->buffer.find('\n')) != std::string::npos) {
        std::string line = s->buffer.substr(0, pos);
        s->buffer.erase(0, pos + 1);
        if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
        json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!(*s->on_line)(parsed)) {
          s->stopped = true;
          return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
        }
      }
      return size * n;
    };
    SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    std::string url = StrCat("http://", endpoints_[i], "/v3/watch");
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, std::max<long>(1, static_cast<long>(duration.count())));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
    CURLcode rc = curl_easy_perform(curl.get());
    if (sink.stopped) return StreamEnd::kStopped;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      long status = 0;
      curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
      if (status == 200) return StreamEnd::kTimedOut;  // a healthy stream that had nothing for us
    }
    // EOF (member died), refused, or an HTTP error: use the next member.
    size_t expected = i;
    preferred_.compare_exchange_strong(expected, (i + 1) % endpoints_.size());
    return StreamEnd::kEnded;
  }

 private:
  static std::string ErrorText(const std::string& reply) {
    json parsed = json::parse(reply, nullptr, false);
    if (parsed.is_object()) {
      for (const char* field : {"message", "error"}) {
        auto it = parsed.find(field);
        if (it != parsed.end() && it->is_string()) return it->get<std::string>();
      }
    }
    return reply.substr(0, 200);
  }

  CurlPtr Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pool_.empty()) {
        CurlPtr c = std::move(pool_.back());
        pool_.pop_back();
        return c;
      }
    }
    return CurlPtr(curl_easy_init());
  }

  void Give(CurlPtr c) {
    std::lock_guard<std::mutex> lock(mu_);
    if (pool_.size() < 8) pool_.push_back(std::move(c));
  }

  const std::vector<std::string> endpoints_;
  const EtcdOptions options_;
  std::atomic<size_t> preferred_{0};
  std::mutex mu_;
  std::vector<CurlPtr> pool_;
};

// ---------------------------------------------------------------------------

Result<EtcdLocator> ParseEtcdLocator(std::string_view locator) {
  constexpr std::string_view kScheme = "etcd://";
  auto bad = [&](std::string_view why) {
    return Error(Code::kInvalidArgument,
                 StrCat("ledger locator '", locator, "': expected etcd://HOST:PORT[,HOST:PORT…][/PREFIX], ", why));
  };
  if (locator.substr(0, kScheme.size()) != kScheme) return bad("the scheme is not etcd://");
  std::string_view rest = locator.substr(kScheme.size());
  EtcdLocator out;
  size_t slash = rest.find('/');
  std::string_view hosts = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (prefix.empty()) return bad("the prefix after '/' is empty");
    if (prefix.find("//") != std::string_view::npos) return bad("the prefix has an empty segment");
    out.prefix = std::string(prefix);
  }
  if (hosts.empty()) return bad("no endpoint is given");
  while (!hosts.empty()) {
    size_t comma = hosts.find(',');
    std::string_view ep = hosts.substr(0, comma);
    hosts = comma == std::string_view::npos ? std::string_view() : hosts.substr(comma + 1);
    size_t colon = ep.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return bad(StrCat("endpoint '", ep, "' is not HOST:PORT"));
    }
    std::string_view port = ep.substr(colon + 1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return bad(StrCat("endpoint '", ep, "' has port '", port, "', expected 1..65535"));
    }
    out.endpoints.emplace_back(ep);
    if (comma != std::string_view::npos && hosts.empty()) return bad("an endpoint after ',' is empty");
  }
  return out;
}

EtcdLedger::EtcdLedger(std::string locator, EtcdLocator parsed, const EtcdOptions& options)
    : locator_(std::move(locator)),
      endpoints_(std::move(parsed.endpoints)),
      key_prefix_(parsed.prefix.empty() ? std::string("vouch/log/") : parsed.prefix + "/vouch/log/"),
      options_(options),
      http_(std::make_unique<Http>(endpoints_, options)) {}

EtcdLedger::~EtcdLedger() = default;

Result<std::unique_ptr<EtcdLedger>> EtcdLedger::Open(std::string_view locator, const EtcdOptions& options) {
  VOUCH_ASSIGN_OR_RETURN(EtcdLocator parsed, ParseEtcdLocator(locator));
  if (!CurlReady()) return Error(Code::kInternal, "etcd: curl_global_init failed");
  return std::unique_ptr<EtcdLedger>(new EtcdLedger(std::string(locator), std::move(parsed), options));
}

std::string EtcdLedger::KeyFor(uint64_t index) const {
  std::string digits = std::to_string(index);
  return key_prefix_ + std::string(kIndexDigits - digits.size(), '0') + digits;
}

namespace {

// The index a key under `prefix` names; kMalformed if it is not 20 digits.
Result<uint64_t> IndexOfKey(const std::string& key, const std::string& prefix) {
  std::string_view digits = std::string_view(key).substr(std::min(prefix.size(), key.size()));
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (key.compare(0, prefix.size(), prefix) != 0 || digits.size() != kIndexDigits || ec != std::errc() ||
      p != digits.data() + digits.size()) {
    return Error(Code::kMalformed,
                 StrCat("ledger key '", key, "': expected '", prefix, "' and a 20-digit index"));
  }
  return v;
}

}  // namespace

Result<std::optional<uint64_t>> EtcdLedger::Head() {
  json req = {{"key", B64(key_prefix_)},
              {"range_end", B64(PrefixEnd(key_prefix_))},
              {"limit", "1"},
              {"sort_order", "DESCEND"},
              {"sort_target", "KEY"},
              {"keys_only", true}};
  VOUCH_ASSIGN_OR_RETURN(json reply, http_->Post("/v3/kv/range", req, "read the head"));
  VOUCH_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs, Kvs(reply));
  if (kvs.empty()) return std::optional<uint64_t>();
  VOUCH_ASSIGN_OR_RETURN(uint64_t index, IndexOfKey(kvs[0].key, key_prefix_));
  return std::optional<uint64_t>(index);
}

Result<std::vector<RawEntry>> EtcdLedger::ReadRaw(uint64_t from, uint64_t to) {
  std::vector<RawEntry> out;
  if (from >= to) return out;
  std::string key = KeyFor(from);
  // KeyFor(UINT64_MAX) is a valid key; the end of the whole log covers it.
  const std::string end = to == std::numeric_limits<uint64_t>::max() ? PrefixEnd(key_prefix_) : KeyFor(to);
  int64_t revision = 0;  // every page at the first page's revision
  for (;;) {
    json req = {{"key", B64(key)}, {"range_end", B64(end)}, {"limit", std::to_string(kPageSize)}};
    if (revision != 0) req["revision"] = std::to_string(revision);
    VOUCH_ASSIGN_OR_RETURN(json reply,
                           http_->Post("/v3/kv/range", req, StrCat("read entries ", from, "..", to - 1)));
    if (revision == 0) {
      VOUCH_ASSIGN_OR_RETURN(revision, HeaderRevision(reply));
    }
    VOUCH_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs, Kvs(reply));
    for (KeyValue& kv : kvs) {
      VOUCH_ASSIGN_OR_RETURN(uint64_t index, IndexOfKey(kv.key, key_prefix_));
      out.push_back(RawEntry{index, std::move(kv.value)});
    }
    auto more = reply.find("more");
    if (kvs.empty() || more == reply.end() || !more->is_boolean() || !more->get<bool>()) break;
    key = kvs.back().key + std::string(1, '\0');
  }
  return out;
}

Result<AppendOutcome> EtcdLedger::AppendEncoded(uint64_t index, const Sha256Digest& prev, ByteView encoded) {
  if (index == std::numeric_limits<uint64_t>::max()) {
    return Error(Code::kInvalidArgument, StrCat("ledger '", locator_, "': index ", index, " is out of range"));
  }
  const std::string key = KeyFor(index);
  const std::string value(encoded.begin(), encoded.end());
  auto same = [&](const Bytes& stored) { return std::equal(stored.begin(), stored.end(), encoded.begin(), encoded.end()); };
  for (int round = 0; round < kMaxAppendRounds; ++round) {
    // Entries index-1, index and index+1 in one linearizable read.
    json read = {{"key", B64(KeyFor(index == 0 ? 0 : index - 1))}, {"range_end", B64(KeyFor(index + 1) + '\0')}};
    VOUCH_ASSIGN_OR_RETURN(json reply, http_->Post("/v3/kv/range", read, StrCat("read before appending entry ", index)));
    VOUCH_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs, Kvs(reply));
    const KeyValue* before = nullptr;
    const KeyValue* at = nullptr;
    const KeyValue* after = nullptr;
    for (const KeyValue& kv : kvs) {
      if (index > 0 && kv.key == KeyFor(index - 1)) before = &kv;
      if (kv.key == key) at = &kv;
      if (kv.key == KeyFor(index + 1)) after = &kv;
    }
    if (at != nullptr) return same(at->value) ? AppendOutcome::kAlreadyPresent : AppendOutcome::kIndexTaken;
    if (after != nullptr) {
      return Error(Code::kMalformed, StrCat("ledger entry ", index, " is missing (the next stored entry is ",
                                            index + 1, ")"));
    }
    if (index > 0 && before == nullptr) {
      VOUCH_ASSIGN_OR_RETURN(std::optional<uint64_t> head, Head());
      return Error(Code::kInvalidArgument, StrCat("ledger '", locator_, "': cannot append entry ", index,
                                                  ", the next index is ", head ? *head + 1 : 0));
    }
    if (index > 0 && Sha256(before->value) != prev) {
      return Error(Code::kInvalidArgument,
                   StrCat("ledger '", locator_, "': entry ", index, "'s prev is not the digest of the stored entry ",
                          index - 1, " (it was built on another view of the chain)"));
    }
    json compare = json::array();
    compare.push_back({{"key", B64(key)}, {"result", "EQUAL"}, {"target", "CREATE"}, {"create_revision", "0"}});
    if (index > 0) {
      compare.push_back({{"key", B64(before->key)},
                         {"result", "EQUAL"},
                         {"target", "MOD"},
                         {"mod_revision", std::to_string(before->mod_revision)}});
    }
    json txn = {{"compare", compare},
                {"success", json::array({{{"request_put", {{"key", B64(key)}, {"value", B64(value)}}}}})},
                {"failure", json::array({{{"request_range", {{"key", B64(key)}}}}})}};
    VOUCH_ASSIGN_OR_RETURN(json result, http_->Post("/v3/kv/txn", txn, StrCat("append entry ", index)));
    auto succeeded = result.find("succeeded");
    if (succeeded != result.end() && succeeded->is_boolean() && succeeded->get<bool>()) {
      return AppendOutcome::kAppended;
    }
    auto responses = result.find("responses");
    if (responses != result.end() && responses->is_array() && !responses->empty()) {
      const json& r = (*responses)[0];
      auto range = r.find("response_range");
      if (range != r.end() && range->is_object()) {
        VOUCH_ASSIGN_OR_RETURN(std::vector<KeyValue> existing, Kvs(*range));
        if (!existing.empty()) {
          // Another writer won (or an earlier attempt of ours that timed out committed).
          return same(existing[0].value) ? AppendOutcome::kAlreadyPresent : AppendOutcome::kIndexTaken;
        }
      }
    }
    // Key index is still free, so entry index-1 changed between the read and the txn: look again.
  }
  return Error(Code::kUnavailable, StrCat("ledger '", locator_, "': entry ", index - 1, " kept changing while "
                                          "appending entry ", index, " (", kMaxAppendRounds, " attempts)"));
}

Result<bool> EtcdLedger::WaitForIndex(uint64_t index, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string key = KeyFor(index);
  for (;;) {
    json read = {{"key", B64(key)}, {"keys_only", true}};
    VOUCH_ASSIGN_OR_RETURN(json reply, http_->Post("/v3/kv/range", read, StrCat("look for entry ", index)));
    VOUCH_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs, Kvs(reply));
    if (!kvs.empty()) return true;
    VOUCH_ASSIGN_OR_RETURN(int64_t revision, HeaderRevision(reply));
    auto now = Clock::now();
    if (now >= deadline) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    // Everything up to `revision` was read above: watch what comes after.
    json watch = {{"create_request", {{"key", B64(key)}, {"start_revision", std::to_string(revision + 1)}}}};
    bool seen = false;
    auto end = http_->Watch(watch, std::min(left, options_.watch_reconnect), [&](const json& line) {
      if (!line.is_object()) return false;  // not the gateway's stream: reconnect
      auto result = line.find("result");
      if (result == line.end() || !result->is_object()) return false;  // {"error": …}
      if (result->value("canceled", false)) return false;                // compacted: re-read
      auto events = result->find("events");
      if (events != result->end() && events->is_array()) {
        for (const json& ev : *events) {
          if (ev.value("type", std::string("PUT")) == "PUT") {
            seen = true;
            return false;
          }
        }
      }
      return true;
    });
    if (seen) return true;
    if (end == Http::StreamEnd::kStopped || end == Http::StreamEnd::kEnded) {
      // An error line or a lost member: a short pause, then re-read and
      // watch again on the next endpoint.
      if (end == Http::StreamEnd::kStopped) http_->Rotate();
      if (Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace vouch::ledger
