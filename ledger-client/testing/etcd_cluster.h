// A real etcd cluster for tests: N members (/usr/bin/etcd, etcd 3.4) on
// free loopback ports, data and logs in a temporary directory. The
// constructor starts every member and waits until each one answers
// /health; members can be killed (SIGKILL) and restarted with their data
// directory. The destructor kills every member it started, by pid, and
// removes the directory. Members die with the test process
// (PR_SET_PDEATHSIG) if it crashes.
//
// With EtcdClusterOptions::tls_auth the cluster is set up as DESIGN §6
// "Access" says a deployment is: a CA made here with openssl, member
// certificates for clients and peers (--client-cert-auth,
// --peer-client-cert-auth), one client certificate without a Common Name,
// and etcd authentication set up by scripts/etcd-auth-setup.sh with the
// users "root", "writer" (role vouch-writer) and "reader" (vouch-reader),
// their passwords in 0600 files. Access(user) gives a client's settings.
// A second CA, not trusted by the cluster, signs an "intruder" client
// certificate (Access("intruder")).
#ifndef VOUCH_LEDGER_TESTING_ETCD_CLUSTER_H_
#define VOUCH_LEDGER_TESTING_ETCD_CLUSTER_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "testing/ledger_world.h"
#include "vouch/ledger/ledger_access.h"

namespace vouch::ledger::testing {

struct EtcdClusterOptions {
  int members = 3;
  std::string etcd = "/usr/bin/etcd";
  bool tls_auth = false;
  // etcd --auth-token-ttl: how long an unused token stays valid.
  int auth_token_ttl_s = 300;
};

// One HTTP exchange with a member's gateway.
struct GatewayReply {
  long status = 0;   // 0 if the request did not complete
  std::string body;  // or libcurl's error
};

class EtcdCluster {
 public:
  explicit EtcdCluster(int members = 3, const std::string& etcd = "/usr/bin/etcd");
  explicit EtcdCluster(const EtcdClusterOptions& options);
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  // Whether every member started and became healthy; error() says why not.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  int size() const { return static_cast<int>(members_.size()); }
  // "127.0.0.1:PORT", the client (gateway) address of member i.
  std::string Endpoint(int i) const;
  // "etcd://" ("etcds://" with tls_auth) and the endpoints of `members`
  // (all when empty), comma-separated.
  std::string Locator(const std::vector<int>& members = {}) const;
  // With tls_auth: a client's settings as user "root", "writer" or
  // "reader": the cluster's CA, the client certificate and the user's
  // password file; "" for TLS without a user; "intruder" for a client
  // certificate from a CA the cluster does not trust, no user.
  LedgerAccess Access(const std::string& user) const;
  // A file in the cluster's directory (e.g. "other-ca.pem", a CA that
  // signed neither the members nor the clients).
  std::string File(const std::string& name) const { return dir_.File(name); }

  // The index of the current leader, -1 if no member says.
  int Leader() const;
  // SIGKILLs member i and reaps it.
  void Kill(int i);
  // Starts member i again on its data directory (--initial-cluster-state
  // existing) and waits until it is healthy; false (and error()) if not.
  bool Restart(int i);
  bool WaitHealthy(int i, std::chrono::milliseconds timeout) const;
  bool running(int i) const { return members_[i].pid > 0; }

  // A raw POST to member i's gateway, e.g. Post(0, "/v3/kv/put", R"({"key":…})"),
  // as root with tls_auth (what anyone with write access can do, bypassing
  // vouch): the reply body if HTTP 200, nullopt otherwise.
  std::optional<std::string> Post(int i, const std::string& path, const std::string& body,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // A raw POST as `access` (Access(user)): authenticates its user first,
  // if it has one, and sends the token; the status and body either way.
  GatewayReply PostAs(int i, const std::string& path, const std::string& body, const LedgerAccess& access) const;
  // The token member i gives `access`'s user ("" if it refuses), and a raw
  // POST with a given token.
  std::string Authenticate(int i, const LedgerAccess& access) const;
  GatewayReply PostWithToken(int i, const std::string& path, const std::string& body, const LedgerAccess& access,
                             const std::string& token) const;
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
  // The CA, certificates and password files; then the users and roles.
  bool MakeCredentials();
  bool SetUpAuth();
  std::string Url(int i, const std::string& path) const;

  EtcdClusterOptions options_;
  TempDir dir_;
  std::vector<Member> members_;
  std::string error_;
};

}  // namespace vouch::ledger::testing

#endif  // VOUCH_LEDGER_TESTING_ETCD_CLUSTER_H_
