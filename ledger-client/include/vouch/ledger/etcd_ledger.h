// The etcd v3 backend of Ledger (DESIGN §6): a Raft cluster shared by many
// hosts, reached through etcd's v3 JSON gateway (HTTP POST /v3/…, keys and
// values base64) with libcurl (internal/etcd_gateway.h).
//
// Locator: "etcd://HOST:PORT[,HOST:PORT…][/PREFIX]" (plain HTTP) or
// "etcds://…" (TLS, with EtcdOptions::access: the CA, a client certificate
// and an etcd user; ledger_access.h). Entry i lives at key
// "[PREFIX/]vouch/log/<i as 20 zero-padded digits>", its value the encoded
// entry bytes.
//
// Append reads keys i-1 and i, checks `prev` against the stored entry i-1,
// then runs one transaction: put key i if its create_revision is 0 (absent)
// and key i-1's mod_revision is still the one read; the failure branch
// returns key i's value, so the outcome is kAlreadyPresent (same bytes) or
// kIndexTaken. Retrying it is safe, which is what failover relies on. A
// user whose role may only read is refused by etcd (kIo naming the user).
//
// Failover: every request goes to the endpoint that last answered; on a
// timeout (EtcdOptions::request_timeout), a connection error or HTTP 503 it
// moves to the next one, round-robin, until EtcdOptions::retry_window has
// passed (then kUnavailable naming the endpoints and the last error).
//
// Reads are linearizable (served after the leader confirms them); ReadRaw
// pages through a range at one revision. WaitForIndex watches key `index`
// with /v3/watch (newline-delimited JSON) and reconnects, to the next
// endpoint, from the revision it last read.
//
// Thread-safe (a pool of curl handles under a mutex). Each process opens
// its own EtcdLedger; never use one across fork().
#ifndef VOUCH_LEDGER_ETCD_LEDGER_H_
#define VOUCH_LEDGER_ETCD_LEDGER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/secret_bytes.h"
#include "vouch/ledger/ledger.h"
#include "vouch/ledger/ledger_access.h"

namespace vouch::ledger {
namespace internal {
class EtcdGateway;
}  // namespace internal

struct EtcdLocator {
  std::vector<std::string> endpoints;  // "HOST:PORT", in locator order
  std::string prefix;                  // "" or "a/b" (no leading or trailing '/')
  bool tls = false;                    // etcds://
};

// Parses "etcd[s]://HOST:PORT[,HOST:PORT…][/PREFIX]". kInvalidArgument
// naming the locator if there is no endpoint, an endpoint has no host or a
// port that is not 1..65535, or the prefix is empty or has an empty segment.
Result<EtcdLocator> ParseEtcdLocator(std::string_view locator);

struct EtcdOptions {
  // How long one HTTP request may take before the next endpoint is tried.
  std::chrono::milliseconds request_timeout{800};
  // How long a request keeps trying endpoints before kUnavailable.
  std::chrono::milliseconds retry_window{15000};
  // How long one watch connection stays open before WaitForIndex re-reads
  // the head and reconnects (bounds the time a silently cut-off member can
  // hide new entries).
  std::chrono::milliseconds watch_reconnect{2000};
  // TLS and etcd authentication, for an etcds:// locator only.
  LedgerAccess access{};
};

class EtcdLedger final : public Ledger {
 public:
  // Opens the ledger `locator` names (see ParseEtcdLocator). Does not
  // contact the cluster: an etcd ledger with no keys is an empty ledger, so
  // LedgerOptions::create_if_missing has no effect. Reads the password file.
  // kInvalidArgument for a bad locator, access settings on a plain etcd://
  // locator, a cert without its key or a user without a password file (or
  // the reverse), or a key or password file that group or others can read;
  // kNotFound for a file that does not exist; kInternal if libcurl cannot be
  // initialized.
  static Result<std::unique_ptr<EtcdLedger>> Open(std::string_view locator,
                                                 const EtcdOptions& options = {});
  ~EtcdLedger() override;

  const std::string& locator() const override { return locator_; }
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  // The key of entry `index`, e.g. "vouch/log/00000000000000000007".
  std::string KeyFor(uint64_t index) const;

  // Errors: kUnavailable when no endpoint answers within the retry window;
  // kIo if the gateway refuses a request; kMalformed if a key under the
  // prefix is not a 20-digit index or a value is not base64.
  Result<std::vector<RawEntry>> ReadRaw(uint64_t from, uint64_t to) override;
  Result<std::optional<uint64_t>> Head() override;
  Result<bool> WaitForIndex(uint64_t index, std::chrono::milliseconds timeout) override;

 protected:
  Result<AppendOutcome> AppendEncoded(uint64_t index, const Sha256Digest& prev,
                                      ByteView encoded) override;

 private:
  EtcdLedger(std::string locator, EtcdLocator parsed, const EtcdOptions& options, SecretBytes password);

  std::string locator_;
  std::vector<std::string> endpoints_;
  std::string key_prefix_;  // "[PREFIX/]vouch/log/"
  EtcdOptions options_;
  std::unique_ptr<internal::EtcdGateway> http_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_ETCD_LEDGER_H_
