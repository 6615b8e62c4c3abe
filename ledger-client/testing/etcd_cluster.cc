#include "testing/etcd_cluster.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "vouch/core/bytes.h"
#include "vouch/core/random.h"

#ifndef VOUCH_SOURCE_DIR
#error "VOUCH_SOURCE_DIR must name the source tree (for scripts/etcd-auth-setup.sh)"
#endif

namespace vouch::ledger::testing {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET (body == nullptr) or POST, with the TLS settings of `access` on an
// https URL and `token` in the Authorization header if given.
GatewayReply Http(const std::string& url, const std::string* body, std::chrono::milliseconds timeout,
                  const LedgerAccess& access = {}, const std::string& token = "") {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  GatewayReply out;
  if (!ready) return out;
  CurlPtr curl(curl_easy_init());
  if (!curl) return out;
  std::unique_ptr<curl_slist, SlistDeleter> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  std::string authorization = "Authorization: " + token;
  if (!token.empty()) headers.reset(curl_slist_append(headers.release(), authorization.c_str()));
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  if (body != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  if (!access.ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, access.ca_file.c_str());
  if (!access.cert_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, access.cert_file.c_str());
  if (!access.key_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_SSLKEY, access.key_file.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    out.body = curl_easy_strerror(rc);
    return out;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

// Runs `command` with /bin/sh; its output goes to `log`. Whether it exited 0.
bool Run(const std::string& command, const std::string& log) {
  return std::system((command + " >>'" + log + "' 2>&1").c_str()) == 0;
}

// A loopback TCP port that is free now; `keep` holds it bound until the
// caller has picked all of its ports (so none is picked twice).
int FreePort(std::vector<int>& keep) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  keep.push_back(fd);
  return ntohs(addr.sin_port);
}

// The quoted string value of "field" in a flat JSON reply ("" if absent).
std::string Field(const std::string& json, const std::string& field) {
  std::string needle = "\"" + field + "\":\"";
  size_t p = json.find(needle);
  if (p == std::string::npos) return "";
  p += needle.size();
  return json.substr(p, json.find('"', p) - p);
}

}  // namespace

EtcdCluster::EtcdCluster(int members, const std::string& etcd)
    : EtcdCluster(EtcdClusterOptions{members, etcd, false, 300}) {}

EtcdCluster::EtcdCluster(const EtcdClusterOptions& options) : options_(options) {
  if (access(options_.etcd.c_str(), X_OK) != 0) {
    error_ = "etcd binary " + options_.etcd + " is not installed";
    return;
  }
  if (options_.tls_auth && !MakeCredentials()) return;
  std::vector<int> held;
  for (int i = 0; i < options_.members; ++i) {
    Member m;
    m.name = "m" + std::to_string(i);
    m.client_port = FreePort(held);
    m.peer_port = FreePort(held);
    members_.push_back(m);
  }
  for (int fd : held) close(fd);
  for (int i = 0; i < options_.members; ++i) {
    if (!Spawn(i, /*existing=*/false)) return;
  }
  for (int i = 0; i < options_.members; ++i) {
    if (!WaitHealthy(i, std::chrono::seconds(20))) {
      error_ = "etcd member " + std::to_string(i) + " did not become healthy; log:\n" + LogTail(i);
      return;
    }
  }
  if (options_.tls_auth) SetUpAuth();
}

// A CA and what it signs, with the openssl command line: member
// certificates (IP 127.0.0.1, for clients and peers), one client
// certificate without a Common Name (etcd 3.4's gateway refuses one), and
// an untrusted CA with a client certificate of its own.
bool EtcdCluster::MakeCredentials() {
  const std::string log = dir_.File("credentials.log");
  auto q = [](const std::string& s) { return "'" + s + "'"; };
  auto key = [&](const std::string& name) {
    return "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + q(dir_.File(name + ".key"));
  };
  auto ca = [&](const std::string& name) {
    return key(name) + " && openssl req -x509 -new -key " + q(dir_.File(name + ".key")) + " -out " +
           q(dir_.File(name + ".pem")) + " -days 2 -subj /CN=" + name;
  };
  auto signed_by = [&](const std::string& name, const std::string& issuer, const std::string& subject,
                       const std::string& extensions) {
    std::string ext = dir_.File(name + ".ext");
    if (!WriteFile(ext, AsBytes(extensions)).ok()) return std::string("false");
    return key(name) + " && openssl req -new -key " + q(dir_.File(name + ".key")) + " -subj " + q(subject) +
           " -out " + q(dir_.File(name + ".csr")) + " && openssl x509 -req -in " + q(dir_.File(name + ".csr")) +
           " -CA " + q(dir_.File(issuer + ".pem")) + " -CAkey " + q(dir_.File(issuer + ".key")) +
           " -CAcreateserial -days 2 -extfile " + q(ext) + " -out " + q(dir_.File(name + ".pem"));
  };
  const std::vector<std::string> steps = {
      ca("ca"),
      signed_by("member", "ca", "/CN=etcd-member",
                "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"),
      signed_by("client", "ca", "/O=vouch-test-client", "extendedKeyUsage=clientAuth\n"),
      ca("other-ca"),
      signed_by("intruder", "other-ca", "/O=vouch-test-intruder", "extendedKeyUsage=clientAuth\n"),
      "chmod 600 " + q(dir_.File("client.key")) + " " + q(dir_.File("intruder.key")),
  };
  for (const std::string& step : steps) {
    if (!Run(step, log)) {
      error_ = "making the test CA and certificates failed: " + step;
      return false;
    }
  }
  for (const char* user : {"root", "writer", "reader"}) {
    if (!WriteFile(dir_.File(std::string(user) + ".password"),
                   AsBytes(Base64UrlEncode(RandomBytes(18)) + "\n"), 0600)
             .ok()) {
      error_ = "cannot write the password files";
      return false;
    }
  }
  return true;
}

bool EtcdCluster::SetUpAuth() {
  std::string endpoints;
  for (int i = 0; i < size(); ++i) endpoints += (i ? ",https://" : "https://") + Endpoint(i);
  auto q = [](const std::string& s) { return "'" + s + "'"; };
  std::string command = std::string("bash ") + q(std::string(VOUCH_SOURCE_DIR) + "/scripts/etcd-auth-setup.sh") +
                        " setup --endpoints " + q(endpoints) + " --cacert " + q(dir_.File("ca.pem")) +
                        " --cert " + q(dir_.File("client.pem")) + " --key " + q(dir_.File("client.key")) +
                        " --root-password-file " + q(dir_.File("root.password")) + " --writer " +
                        q("writer=" + dir_.File("writer.password")) + " --reader " +
                        q("reader=" + dir_.File("reader.password"));
  if (!Run(command, dir_.File("auth-setup.log"))) {
    std::ifstream in(dir_.File("auth-setup.log"));
    std::stringstream ss;
    ss << in.rdbuf();
    error_ = "scripts/etcd-auth-setup.sh failed: " + ss.str();
    return false;
  }
  return true;
}

LedgerAccess EtcdCluster::Access(const std::string& user) const {
  LedgerAccess a;
  a.ca_file = dir_.File("ca.pem");
  a.cert_file = dir_.File(user == "intruder" ? "intruder.pem" : "client.pem");
  a.key_file = dir_.File(user == "intruder" ? "intruder.key" : "client.key");
  if (!user.empty() && user != "intruder") {
    a.user = user;
    a.password_file = dir_.File(user + ".password");
  }
  return a;
}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < size(); ++i) Kill(i);
}

std::string EtcdCluster::Endpoint(int i) const {
  return "127.0.0.1:" + std::to_string(members_[i].client_port);
}

std::string EtcdCluster::Locator(const std::vector<int>& members) const {
  std::string out = options_.tls_auth ? "etcds://" : "etcd://";
  std::vector<int> which = members;
  if (which.empty()) {
    for (int i = 0; i < size(); ++i) which.push_back(i);
  }
  for (size_t k = 0; k < which.size(); ++k) out += (k ? "," : "") + Endpoint(which[k]);
  return out;
}

bool EtcdCluster::Spawn(int i, bool existing) {
  const std::string scheme = options_.tls_auth ? "https://" : "http://";
  std::string cluster;
  for (int k = 0; k < size(); ++k) {
    cluster += (k ? "," : "") + members_[k].name + "=" + scheme + "127.0.0.1:" + std::to_string(members_[k].peer_port);
  }
  const Member& m = members_[i];
  std::string client = scheme + Endpoint(i);
  std::string peer = scheme + "127.0.0.1:" + std::to_string(m.peer_port);
  std::vector<std::string> args = {
      options_.etcd, "--name", m.name, "--data-dir", dir_.File(m.name),
      "--listen-client-urls", client, "--advertise-client-urls", client,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", cluster, "--initial-cluster-token", "vouch-test-" + std::to_string(getpid()),
      "--initial-cluster-state", existing ? "existing" : "new"};
  if (options_.tls_auth) {
    const std::string cert = dir_.File("member.pem"), key = dir_.File("member.key"), ca = dir_.File("ca.pem");
    for (const char* a :
         {"--cert-file", cert.c_str(), "--key-file", key.c_str(), "--trusted-ca-file", ca.c_str(), "--client-cert-auth",
          "--peer-cert-file", cert.c_str(), "--peer-key-file", key.c_str(), "--peer-trusted-ca-file", ca.c_str(),
          "--peer-client-cert-auth", "--auth-token-ttl"}) {
      args.push_back(a);
    }
    args.push_back(std::to_string(options_.auth_token_ttl_s));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log = dir_.File(m.name + ".log");
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    error_ = "cannot open " + log;
    return false;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fd);
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  members_[i].pid = pid;
  return true;
}

void EtcdCluster::Kill(int i) {
  pid_t pid = members_[i].pid;
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  members_[i].pid = -1;
}

bool EtcdCluster::Restart(int i) {
  Kill(i);
  if (!Spawn(i, /*existing=*/true)) return false;
  if (!WaitHealthy(i, std::chrono::seconds(20))) {
    error_ = "etcd member " + std::to_string(i) + " did not become healthy after a restart; log:\n" + LogTail(i);
    return false;
  }
  return true;
}

bool EtcdCluster::WaitHealthy(int i, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    GatewayReply reply = Http(Url(i, "/health"), nullptr, std::chrono::milliseconds(1000), Access(""));
    if (reply.status == 200 && reply.body.find("\"health\":\"true\"") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int EtcdCluster::Leader() const {
  for (int i = 0; i < size(); ++i) {
    if (members_[i].pid <= 0) continue;
    std::string empty = "{}";
    GatewayReply reply = Http(Url(i, "/v3/maintenance/status"), &empty, std::chrono::milliseconds(1000), Access(""));
    if (reply.status != 200) continue;
    std::string leader = Field(reply.body, "leader");
    if (leader.empty()) continue;
    // Ask each member its own id.
    for (int k = 0; k < size(); ++k) {
      if (members_[k].pid <= 0) continue;
      GatewayReply own =
          Http(Url(k, "/v3/maintenance/status"), &empty, std::chrono::milliseconds(1000), Access(""));
      if (own.status == 200 && Field(own.body, "member_id") == leader) return k;
    }
  }
  return -1;
}

std::optional<std::string> EtcdCluster::Post(int i, const std::string& path, const std::string& body,
                                             std::chrono::milliseconds timeout) const {
  GatewayReply reply = options_.tls_auth ? PostAs(i, path, body, Access("root"))
                                         : Http(Url(i, path), &body, timeout);
  if (reply.status != 200) return std::nullopt;
  return reply.body;
}

GatewayReply EtcdCluster::PostAs(int i, const std::string& path, const std::string& body,
                                 const LedgerAccess& access) const {
  std::string token;
  if (!access.user.empty()) {
    token = Authenticate(i, access);
    if (token.empty()) return GatewayReply{0, "etcd user '" + access.user + "' could not authenticate"};
  }
  return PostWithToken(i, path, body, access, token);
}

std::string EtcdCluster::Authenticate(int i, const LedgerAccess& access) const {
  auto password = ReadFile(access.password_file);
  if (!password.ok()) return "";
  std::string text = ToString(*password);
  text.erase(text.find_last_not_of("\r\n") + 1);
  std::string auth = "{\"name\":\"" + access.user + "\",\"password\":\"" + text + "\"}";
  GatewayReply reply = Http(Url(i, "/v3/auth/authenticate"), &auth, std::chrono::seconds(5), access);
  return reply.status == 200 ? Field(reply.body, "token") : "";
}

GatewayReply EtcdCluster::PostWithToken(int i, const std::string& path, const std::string& body,
                                        const LedgerAccess& access, const std::string& token) const {
  return Http(Url(i, path), &body, std::chrono::seconds(5), access, token);
}

std::string EtcdCluster::Url(int i, const std::string& path) const {
  return (options_.tls_auth ? "https://" : "http://") + Endpoint(i) + path;
}

std::string EtcdCluster::LogTail(int i, size_t bytes) const {
  std::ifstream in(dir_.File(members_[i].name + ".log"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

}  // namespace vouch::ledger::testing
