#include "vouch/ledger/etcd_ledger.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "vouch/core/private_file.h"
#include "vouch/ledger/internal/curl_ready.h"
#include "vouch/ledger/internal/etcd_gateway.h"

namespace vouch::ledger {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kIndexDigits = 20;  // UINT64_MAX has 20 decimal digits
constexpr size_t kPageSize = 256;
constexpr int kMaxAppendRounds = 16;

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

}  // namespace

// ---------------------------------------------------------------------------

Result<EtcdLocator> ParseEtcdLocator(std::string_view locator) {
  constexpr std::string_view kPlain = "etcd://";
  constexpr std::string_view kTls = "etcds://";
  auto bad = [&](std::string_view why) {
    return Error(Code::kInvalidArgument,
                 StrCat("ledger locator '", locator, "': expected etcd[s]://HOST:PORT[,HOST:PORT…][/PREFIX], ", why));
  };
  EtcdLocator out;
  std::string_view rest;
  if (locator.substr(0, kPlain.size()) == kPlain) {
    rest = locator.substr(kPlain.size());
  } else if (locator.substr(0, kTls.size()) == kTls) {
    rest = locator.substr(kTls.size());
    out.tls = true;
  } else {
    return bad("the scheme is not etcd:// or etcds://");
  }
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

EtcdLedger::EtcdLedger(std::string locator, EtcdLocator parsed, const EtcdOptions& options, SecretBytes password)
    : locator_(std::move(locator)),
      endpoints_(std::move(parsed.endpoints)),
      key_prefix_(parsed.prefix.empty() ? std::string("vouch/log/") : parsed.prefix + "/vouch/log/"),
      options_(options),
      http_(std::make_unique<internal::EtcdGateway>(endpoints_, parsed.tls, options, std::move(password))) {}

EtcdLedger::~EtcdLedger() = default;

namespace {

// The access settings make sense together (see EtcdLedger::Open); the
// password, the first line of its file, if there is a user.
Result<SecretBytes> CheckAccess(std::string_view locator, bool tls, const LedgerAccess& a) {
  auto invalid = [&](std::string_view why) {
    return Error(Code::kInvalidArgument, StrCat("ledger '", locator, "': ", why));
  };
  if (a.empty()) return SecretBytes();
  if (!tls) {
    return invalid("ledger_ca, ledger_cert, ledger_key, ledger_user and ledger_password_file need TLS: "
                   "the locator must be etcds://, not etcd:// (plain HTTP would send the password in the clear)");
  }
  if (a.cert_file.empty() != a.key_file.empty()) return invalid("ledger_cert and ledger_key go together");
  if (a.user.empty() != a.password_file.empty()) return invalid("ledger_user and ledger_password_file go together");
  for (const auto& [file, what] : {std::pair{&a.ca_file, "ledger_ca"}, std::pair{&a.cert_file, "ledger_cert"}}) {
    if (file->empty()) continue;
    if (auto read = ReadFile(*file); !read.ok()) return read.error().WithContext(what);
  }
  if (!a.key_file.empty()) VOUCH_RETURN_IF_ERROR(CheckPrivateFile(a.key_file, "ledger_key"));
  if (a.password_file.empty()) return SecretBytes();
  VOUCH_ASSIGN_OR_RETURN(SecretBytes file, ReadPrivateFile(a.password_file, "ledger_password_file"));
  ByteView text = file.Expose();
  size_t end = std::find(text.begin(), text.end(), uint8_t{'\n'}) - text.begin();
  if (end > 0 && text[end - 1] == '\r') --end;
  if (end == 0) return invalid(StrCat("ledger_password_file '", a.password_file, "' is empty"));
  return SecretBytes(text.subspan(0, end));
}

}  // namespace

Result<std::unique_ptr<EtcdLedger>> EtcdLedger::Open(std::string_view locator, const EtcdOptions& options) {
  VOUCH_ASSIGN_OR_RETURN(EtcdLocator parsed, ParseEtcdLocator(locator));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes password, CheckAccess(locator, parsed.tls, options.access));
  if (!internal::CurlReady()) return Error(Code::kInternal, "etcd: curl_global_init failed");
  return std::unique_ptr<EtcdLedger>(
      new EtcdLedger(std::string(locator), std::move(parsed), options, std::move(password)));
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
    if (end == internal::EtcdGateway::StreamEnd::kStopped || end == internal::EtcdGateway::StreamEnd::kEnded) {
      // An error line or a lost member: a short pause, then re-read and
      // watch again on the next endpoint.
      if (end == internal::EtcdGateway::StreamEnd::kStopped) http_->Rotate();
      if (Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace vouch::ledger
