// A real etcd cluster for tests: N members (/usr/bin/etcd, etcd 3.4) on
// free loopback ports, data and logs in a temporary directory. The
// constructor starts every member and waits until each one answers
// /health; members can be killed (SIGKILL) and restarted with their data
// directory. The destructor kills every member it started, by pid, and
// removes the directory. Members die with the test process
// (PR_SET_PDEATHSIG) if it crashes.
#ifndef VOUCH_LEDGER_TESTING_ETCD_CLUSTER_H_
#define VOUCH_LEDGER_TESTING_ETCD_CLUSTER_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "testing/ledger_world.h"

namespace vouch::ledger::testing {

class EtcdCluster {
 public:
  explicit EtcdCluster(int members = 3, const std::string& etcd = "/usr/bin/etcd");
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  // Whether every member started and became healthy; error() says why not.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  int size() const { return static_cast<int>(members_.size()); }
  // "127.0.0.1:PORT", the client (gateway) address of member i.
  std::string Endpoint(int i) const;
  // "etcd://" and the endpoints of `members` (all when empty), comma-separated.
  std::string Locator(const std::vector<int>& members = {}) const;

  // The index of the current leader, -1 if no member says.
  int Leader() const;
  // SIGKILLs member i and reaps it.
  void Kill(int i);
  // Starts member i again on its data directory (--initial-cluster-state
  // existing) and waits until it is healthy; false (and error()) if not.
  bool Restart(int i);
  bool WaitHealthy(int i, std::chrono::milliseconds timeout) const;
  bool running(int i) const { return members_[i].pid > 0; }

  // A raw POST to member i's gateway, e.g. Post(0, "/v3/kv/put", R"({"key":…})"):
  // the reply body if HTTP 200, nullopt otherwise.
  std::optional<std::string> Post(int i, const std::string& path, const std::string& body,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // The last `bytes` of member i's log (for failure messages).
  std::string LogTail(int i, size_t bytes = 2000) const;

 private:
  struct Member {
    std::string name;
    int client_port = 0;
    int peer_port = 0;
    pid_t pid = -1;
  };
  bool Spawn(int i, bool existing);

  std::string etcd_;
  TempDir dir_;
  std::vector<Member> members_;
  std::string error_;
};

}  // namespace vouch::ledger::testing

#endif  // VOUCH_LEDGER_TESTING_ETCD_CLUSTER_H_
