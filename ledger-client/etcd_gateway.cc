#include "vouch/ledger/internal/etcd_gateway.h"

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <thread>

namespace vouch::ledger::internal {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

size_t AppendToString(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// The gateway's error text ({"error": …, "message": …}), or the start of the reply.
std::string ErrorText(const std::string& reply) {
  json parsed = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    for (const char* field : {"message", "error"}) {
      auto it = parsed.find(field);
      if (it != parsed.end() && it->is_string()) return it->get<std::string>();
    }
  }
  std::string text = reply.substr(0, 200);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// `s` as a JSON string literal, appended to `out` (for the one body that
// holds a secret, built by hand so that it can be wiped).
void AppendJsonString(std::string& out, ByteView s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (uint8_t c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// A std::string wiped when it goes away: the authentication body.
struct WipedString {
  std::string s;
  ~WipedString() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

struct EtcdGateway::Curl {
  struct Deleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
  };
  std::unique_ptr<CURL, Deleter> handle;
};

struct EtcdGateway::Attempt {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string reply;
  std::string curl_error;  // libcurl's error buffer
};

EtcdGateway::EtcdGateway(std::vector<std::string> endpoints, bool tls, const EtcdOptions& options,
                         SecretBytes password)
    : endpoints_(std::move(endpoints)), tls_(tls), options_(options), password_(std::move(password)) {}

EtcdGateway::~EtcdGateway() { OPENSSL_cleanse(token_.data(), token_.size()); }

std::string EtcdGateway::Url(size_t i, std::string_view path) const {
  return StrCat(tls_ ? "https://" : "http://", endpoints_[i], path);
}

std::unique_ptr<EtcdGateway::Curl> EtcdGateway::Take() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      std::unique_ptr<Curl> c = std::move(pool_.back());
      pool_.pop_back();
      return c;
    }
  }
  return NewCurl();
}

// A handle with the connection-wide settings; request settings are set per use.
std::unique_ptr<EtcdGateway::Curl> EtcdGateway::NewCurl() const {
  auto c = std::make_unique<Curl>();
  c->handle.reset(curl_easy_init());
  if (!c->handle) return nullptr;
  CURL* h = c->handle.get();
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (tls_) {
    const LedgerAccess& a = options_.access;
    if (!a.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, a.ca_file.c_str());
    if (!a.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, a.cert_file.c_str());
    if (!a.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, a.key_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  return c;
}

void EtcdGateway::Give(std::unique_ptr<Curl> c) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < 8) pool_.push_back(std::move(c));
}

EtcdGateway::Attempt EtcdGateway::Perform(size_t i, std::string_view path, const std::string& payload,
                                          const std::string& token) {
  Attempt a;
  std::unique_ptr<Curl> c = Take();
  if (!c) {
    a.rc = CURLE_FAILED_INIT;
    a.curl_error = "curl_easy_init failed";
    return a;
  }
  CURL* h = c->handle.get();
  char error_buffer[CURL_ERROR_SIZE] = {0};
  SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  WipedString authorization;
  if (!token.empty()) {
    authorization.s = "Authorization: " + token;
    headers.reset(curl_slist_append(headers.release(), authorization.s.c_str()));
  }
  std::string url = Url(i, path);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.reply);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  a.rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
  a.curl_error = error_buffer[0] != '\0' ? std::string(error_buffer) : std::string(curl_easy_strerror(a.rc));
  // Detach request-scoped pointers before the handle goes back to the pool.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  Give(std::move(c));
  return a;
}

Result<json> EtcdGateway::Post(std::string_view path, const json& body, std::string_view what) {
  return PostPayload(path, body.dump(), what, /*with_token=*/true);
}

Result<json> EtcdGateway::PostPayload(std::string_view path, const std::string& payload, std::string_view what,
                                      bool with_token) {
  const auto deadline = Clock::now() + options_.retry_window;
  const size_t n = endpoints_.size();
  const size_t start = preferred_.load();
  std::string last_error;
  size_t client_side_in_a_row = 0;
  std::string token;
  if (with_token) {
    VOUCH_ASSIGN_OR_RETURN(token, Token());
  }
  bool renewed = false;
  for (size_t attempt = 0;; ++attempt) {
    const size_t i = (start + attempt) % n;
    const std::string& endpoint = endpoints_[i];
    Attempt a = Perform(i, path, payload, token);
    if (a.rc == CURLE_OK && a.status == 401 && !token.empty() && !renewed) {
      // The token expired (or this member forgot it): once more with a new one.
      VOUCH_ASSIGN_OR_RETURN(token, RenewToken(token));
      renewed = true;
      a = Perform(i, path, payload, token);
    }
    if (a.rc == CURLE_OK && a.status == 200) {
      preferred_.store(i);
      json parsed = json::parse(a.reply, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded() || !parsed.is_object()) {
        return Error(Code::kMalformed, StrCat("etcd ", endpoint, " ", what, ": the reply is not a JSON object"));
      }
      return parsed;
    }
    if (a.rc == CURLE_OK && a.status < 500) {
      // The cluster understood and refused: retrying elsewhere will not help.
      return Refusal(endpoint, what, a.status, a.reply);
    }
    bool client_side = false;
    last_error = StrCat(endpoint, ": ", DescribeFailure(a, &client_side));
    client_side_in_a_row = client_side ? client_side_in_a_row + 1 : 0;
    if (client_side_in_a_row >= n) {
      return Error(Code::kUnavailable, StrCat("etcd ", what, ": every endpoint refused this client (", last_error,
                                              ")"));
    }
    if (Clock::now() >= deadline) {
      return Error(Code::kUnavailable,
                   StrCat("etcd ", what, ": no endpoint answered within ", options_.retry_window.count(),
                          " ms (last error ", last_error, ")"));
    }
    if ((attempt + 1) % n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Error EtcdGateway::Refusal(const std::string& endpoint, std::string_view what, long status,
                           const std::string& reply) const {
  const std::string text = ErrorText(reply);
  const std::string& user = options_.access.user;
  std::string why;
  if (Contains(text, "permission denied")) {
    why = StrCat("etcd user '", user, "' is not permitted to do this (its role lacks the permission on the "
                 "ledger's keys; a host's vouch-reader role only reads, a host appends through a validator)");
  } else if (Contains(text, "user name is empty")) {
    why = "the cluster requires etcd authentication and this client gives no user: set ledger_user and "
          "ledger_password_file";
  } else if (Contains(text, "invalid user ID or password")) {
    why = StrCat("wrong user or password (ledger_user '", user, "', ledger_password_file '",
                 options_.access.password_file, "')");
  } else if (Contains(text, "authentication is not enabled")) {
    why = StrCat("ledger_user '", user, "' is set but the cluster has etcd authentication off, so anyone who "
                 "reaches it can rewrite the ledger: enable it (scripts/etcd-auth-setup.sh)");
  } else if (Contains(text, "CommonName of client")) {
    why = StrCat("ledger_cert '", options_.access.cert_file, "' has a Common Name, which etcd 3.4's gateway "
                 "refuses: issue the client certificate without a CN (the etcd user is ledger_user)");
  } else if (Contains(text, "invalid auth token")) {
    why = StrCat("etcd user '", user, "': the cluster refused a fresh token as well");
  } else {
    why = text;
  }
  return Error(Code::kIo, StrCat("etcd ", endpoint, " ", what, ": HTTP ", status, ": ", why));
}

std::string EtcdGateway::DescribeFailure(const Attempt& a, bool* client_side) const {
  const LedgerAccess& access = options_.access;
  const std::string& e = a.curl_error;
  *client_side = true;
  switch (a.rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return access.ca_file.empty()
                 ? StrCat("its TLS certificate does not verify against the system's CA store (", e,
                          "): set ledger_ca to the cluster's CA")
                 : StrCat("its TLS certificate does not verify against ledger_ca '", access.ca_file, "' (", e, ")");
    case CURLE_SSL_CACERT_BADFILE:
      return StrCat("ledger_ca '", access.ca_file, "' is not a PEM CA bundle (", e, ")");
    case CURLE_SSL_CERTPROBLEM:
      return StrCat("ledger_cert '", access.cert_file, "' / ledger_key '", access.key_file,
                    "' cannot be used (", e, ")");
    case CURLE_SSL_CONNECT_ERROR:
      if (Contains(e, "wrong version number")) {
        return StrCat("it does not speak TLS (", e, "): a plain cluster is etcd://, not etcds://");
      }
      return StrCat("the TLS handshake failed (", e, ")");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      // TLS 1.3: the member checks the client certificate after the
      // handshake and closes the connection with an alert.
      if (tls_ && (Contains(e, "alert") || Contains(e, "errno 107"))) {
        return StrCat("it refused this client's TLS certificate (",
                      access.cert_file.empty() ? "none given: set ledger_cert and ledger_key"
                                               : StrCat("ledger_cert '", access.cert_file,
                                                        "' is not signed by a CA the cluster trusts"),
                      "; ", e, ")");
      }
      break;
    case CURLE_GOT_NOTHING:
      if (!tls_) return StrCat(e, ": a TLS cluster (etcds://) reached over plain HTTP?");
      break;
    default:
      break;
  }
  *client_side = false;
  return a.rc != CURLE_OK ? e : StrCat("HTTP ", a.status, " ", ErrorText(a.reply));
}

Result<std::string> EtcdGateway::Token() {
  if (options_.access.user.empty()) return std::string();
  std::lock_guard<std::mutex> lock(token_mu_);
  if (token_.empty()) {
    VOUCH_ASSIGN_OR_RETURN(token_, Authenticate());
  }
  return token_;
}

Result<std::string> EtcdGateway::RenewToken(const std::string& stale) {
  std::lock_guard<std::mutex> lock(token_mu_);
  if (token_ == stale) {
    OPENSSL_cleanse(token_.data(), token_.size());
    token_.clear();
    VOUCH_ASSIGN_OR_RETURN(token_, Authenticate());
  }
  return token_;
}

// REQUIRES: token_mu_ held.
Result<std::string> EtcdGateway::Authenticate() {
  WipedString body;
  body.s = "{\"name\":";
  AppendJsonString(body.s, AsBytes(options_.access.user));
  body.s += ",\"password\":";
  AppendJsonString(body.s, password_.Expose());
  body.s += "}";
  VOUCH_ASSIGN_OR_RETURN(json reply,
                         PostPayload("/v3/auth/authenticate", body.s,
                                     StrCat("authenticate as etcd user '", options_.access.user, "'"),
                                     /*with_token=*/false));
  auto it = reply.find("token");
  if (it == reply.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Error(Code::kMalformed, StrCat("etcd: authenticating as '", options_.access.user,
                                          "' returned no token"));
  }
  return it->get<std::string>();
}

void EtcdGateway::Rotate() {
  size_t i = preferred_.load();
  preferred_.compare_exchange_strong(i, (i + 1) % endpoints_.size());
}

EtcdGateway::StreamEnd EtcdGateway::Watch(const json& body, std::chrono::milliseconds duration,
                                          const std::function<bool(const json&)>& on_line) {
  const std::string payload = body.dump();
  const size_t i = preferred_.load() % endpoints_.size();
  auto token = Token();
  if (!token.ok()) return StreamEnd::kEnded;
  std::unique_ptr<Curl> c = NewCurl();
  if (!c) return StreamEnd::kEnded;
  CURL* h = c->handle.get();
  struct Sink {
    std::string buffer;
    const std::function<bool(const json&)>* on_line;
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
  WipedString authorization;
  if (!token->empty()) {
    authorization.s = "Authorization: " + *token;
    headers.reset(curl_slist_append(headers.release(), authorization.s.c_str()));
  }
  std::string url = Url(i, "/v3/watch");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, std::max<long>(1, static_cast<long>(duration.count())));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (sink.stopped) return StreamEnd::kStopped;
  if (rc == CURLE_OPERATION_TIMEDOUT && status == 200) return StreamEnd::kTimedOut;  // healthy, nothing for us
  // EOF (member died), refused, or an HTTP error: use the next member.
  size_t expected = i;
  preferred_.compare_exchange_strong(expected, (i + 1) % endpoints_.size());
  return StreamEnd::kEnded;
}

}  // namespace vouch::ledger::internal
