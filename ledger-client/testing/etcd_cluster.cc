#include "testing/etcd_cluster.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

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

// GET (body == nullptr) or POST; the body if HTTP 200.
std::optional<std::string> Http(const std::string& url, const std::string* body, std::chrono::milliseconds timeout) {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!ready) return std::nullopt;
  CurlPtr curl(curl_easy_init());
  if (!curl) return std::nullopt;
  std::string reply;
  std::unique_ptr<curl_slist, SlistDeleter> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  if (body != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return std::nullopt;
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return std::nullopt;
  return reply;
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

EtcdCluster::EtcdCluster(int members, const std::string& etcd) : etcd_(etcd) {
  if (access(etcd_.c_str(), X_OK) != 0) {
    error_ = "etcd binary " + etcd_ + " is not installed";
    return;
  }
  std::vector<int> held;
  for (int i = 0; i < members; ++i) {
    Member m;
    m.name = "m" + std::to_string(i);
    m.client_port = FreePort(held);
    m.peer_port = FreePort(held);
    members_.push_back(m);
  }
  for (int fd : held) close(fd);
  for (int i = 0; i < members; ++i) {
    if (!Spawn(i, /*existing=*/false)) return;
  }
  for (int i = 0; i < members; ++i) {
    if (!WaitHealthy(i, std::chrono::seconds(20))) {
      error_ = "etcd member " + std::to_string(i) + " did not become healthy; log:\n" + LogTail(i);
      return;
    }
  }
}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < size(); ++i) Kill(i);
}

std::string EtcdCluster::Endpoint(int i) const {
  return "127.0.0.1:" + std::to_string(members_[i].client_port);
}

std::string EtcdCluster::Locator(const std::vector<int>& members) const {
  std::string out = "etcd://";
  std::vector<int> which = members;
  if (which.empty()) {
    for (int i = 0; i < size(); ++i) which.push_back(i);
  }
  for (size_t k = 0; k < which.size(); ++k) out += (k ? "," : "") + Endpoint(which[k]);
  return out;
}

bool EtcdCluster::Spawn(int i, bool existing) {
  std::string cluster;
  for (int k = 0; k < size(); ++k) {
    cluster += (k ? "," : "") + members_[k].name + "=http://127.0.0.1:" + std::to_string(members_[k].peer_port);
  }
  const Member& m = members_[i];
  std::string client = "http://" + Endpoint(i);
  std::string peer = "http://127.0.0.1:" + std::to_string(m.peer_port);
  std::vector<std::string> args = {
      etcd_, "--name", m.name, "--data-dir", dir_.File(m.name),
      "--listen-client-urls", client, "--advertise-client-urls", client,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", cluster, "--initial-cluster-token", "vouch-test-" + std::to_string(getpid()),
      "--initial-cluster-state", existing ? "existing" : "new"};
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
    auto reply = Http("http://" + Endpoint(i) + "/health", nullptr, std::chrono::milliseconds(1000));
    if (reply && reply->find("\"health\":\"true\"") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int EtcdCluster::Leader() const {
  for (int i = 0; i < size(); ++i) {
    if (members_[i].pid <= 0) continue;
    std::string empty = "{}";
    auto reply = Http("http://" + Endpoint(i) + "/v3/maintenance/status", &empty, std::chrono::milliseconds(1000));
    if (!reply) continue;
    std::string leader = Field(*reply, "leader");
    if (leader.empty()) continue;
    // Ask each member its own id.
    for (int k = 0; k < size(); ++k) {
      if (members_[k].pid <= 0) continue;
      auto own = Http("http://" + Endpoint(k) + "/v3/maintenance/status", &empty, std::chrono::milliseconds(1000));
      if (own && Field(*own, "member_id") == leader) return k;
    }
  }
  return -1;
}

std::optional<std::string> EtcdCluster::Post(int i, const std::string& path, const std::string& body,
                                             std::chrono::milliseconds timeout) const {
  return Http("http://" + Endpoint(i) + path, &body, timeout);
}

std::string EtcdCluster::LogTail(int i, size_t bytes) const {
  std::ifstream in(dir_.File(members_[i].name + ".log"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

}  // namespace vouch::ledger::testing
