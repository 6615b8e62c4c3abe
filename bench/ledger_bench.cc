// ledger_bench: the ledger's throughput and revocation latency, each next to
// the physical limit under it, measured in the same run (DESIGN §6):
//
//   - appends/s of LedgerClient::Append (sign, check, append-if-absent) on
//     SQLite, against raw fsync'd SQLite inserts/s (WAL, synchronous=FULL,
//     one transaction per row of the same size): every append is at least
//     one such commit;
//   - the same on a 3-member etcd cluster (started here with the testing
//     helper, on loopback), against raw /v3/kv/put requests/s through the
//     same gateway on one reused connection: every append is at least one
//     Raft commit; and on a second cluster with TLS (client certificates)
//     and etcd auth, as a deployment runs (DESIGN §6 "Access"), shown as a
//     ratio to the plain cluster's figure;
//   - revocation-to-watcher latency, p50/p99 over kRevocations governance
//     revocations with kWatchers watchers (each its own LedgerClient; on etcd
//     each on its own member), from the start of the writer's Append to the
//     moment a watcher has verified the entry; shown against the writer's own
//     append latency (the commit a watcher cannot beat); on etcd both plain
//     and with TLS and auth (the watchers as vouch-reader users, the writer
//     as a vouch-writer); and per revocation the time until the last
//     watcher had it (visible at every validator).
//
// A plain program (not google-benchmark): the cluster is started once and
// the latencies are percentiles, not per-iteration means. Not part of ctest.
// Usage: ledger_bench [/usr/bin/etcd]
#include <curl/curl.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "testing/etcd_cluster.h"
#include "testing/ledger_world.h"
#include "vouch/core/bytes.h"
#include "vouch/ledger/ledger_client.h"

#include "percentile.h"

namespace {

using vouch::bench::Percentile;
using vouch::bench::Millis;

using namespace vouch;          // NOLINT: a benchmark program
using namespace vouch::ledger;  // NOLINT
using Clock = std::chrono::steady_clock;

constexpr int kSqliteAppends = 300;
constexpr int kEtcdAppends = 200;
constexpr int kRevocations = 120;
constexpr int kWatchers = 3;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ledger_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(StrCat(what, ": ", r.error().ToString()));
  return std::move(r).value();
}

std::unique_ptr<LedgerClient> OpenClient(const std::string& locator, bool create = false,
                                         const LedgerAccess& access = {}) {
  LedgerOptions options;
  options.create_if_missing = create;
  options.access = access;
  auto ledger = Must(OpenLedger(locator, options), StrCat("open ", locator));
  return Must(LedgerClient::Open(std::move(ledger)), StrCat("verify ", locator));
}

// Genesis (quorums 2/2/2, so governance revocations carry one
// countersignature) and one registered host that appends "attested" entries.
void Setup(LedgerClient& c, testing::World& w) {
  Must(c.Append(w.Genesis(), w.gov[0], testing::kT0), "genesis");
  Must(c.Append(testing::HostRegistration(w.host[0]), w.host[0], testing::kT0), "did-register");
}

AttestedBody Attested(const testing::World& w, int i) {
  return AttestedBody{ToBytes(Sha256(AsBytes(StrCat("vc ", i)))), "bench", testing::Did(w.host[0]), {}};
}

// Appends/s of `n` attested entries; also returns the size of one entry.
double VouchAppendsPerSecond(LedgerClient& c, const testing::World& w, int n, size_t* entry_size) {
  Clock::time_point start = Clock::now();
  for (int i = 0; i < n; ++i) {
    Entry e = Must(c.Append(Attested(w, i), w.host[0], testing::kT0 + i), "append");
    *entry_size = e.encoded().size();
  }
  return n / Seconds(Clock::now() - start);
}

// ---- raw baselines ----

double RawSqliteInsertsPerSecond(const std::string& path, int n, size_t blob_size) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("raw sqlite open");
  auto exec = [&](const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Die(StrCat("raw sqlite: ", sqlite3_errmsg(db)));
  };
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("CREATE TABLE entries(idx INTEGER PRIMARY KEY, entry BLOB)");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO entries(idx, entry) VALUES (?, ?)", -1, &insert, nullptr);
  Bytes blob = RandomBytes(blob_size);
  Clock::time_point start = Clock::now();
  for (int i = 0; i < n; ++i) {
    exec("BEGIN IMMEDIATE");
    sqlite3_bind_int64(insert, 1, i);
    sqlite3_bind_blob(insert, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) Die(StrCat("raw sqlite insert: ", sqlite3_errmsg(db)));
    sqlite3_reset(insert);
    exec("COMMIT");
  }
  double rate = n / Seconds(Clock::now() - start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return rate;
}

size_t Discard(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

// Sequential /v3/kv/put requests/s to `endpoint` on one reused connection.
double RawEtcdPutsPerSecond(const std::string& endpoint, int n, size_t value_size) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::string url = "http://" + endpoint + "/v3/kv/put";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Discard);
  const std::string value = Base64Encode(RandomBytes(value_size));
  Clock::time_point start = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::string body = StrCat("{\"key\":\"", Base64Encode(AsBytes(StrCat("raw/", i))), "\",\"value\":\"", value, "\"}");
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    long status = 0;
    if (curl_easy_perform(curl.get()) != CURLE_OK ||
        curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
      Die("raw etcd put failed");
    }
  }
  double rate = n / Seconds(Clock::now() - start);
  curl_slist_free_all(headers);
  return rate;
}

// ---- revocation latency ----

struct Latency {
  std::vector<double> watcher_ms;  // every (revocation, watcher) pair
  std::vector<double> every_ms;    // each revocation, until the last watcher had it
  std::vector<double> append_ms;   // the writer's Append of each revocation
};

// kRevocations governance revocations (author gov[0], countersigned by
// gov[1]) appended one at a time through `writer`, each waited for by every
// watcher before the next (after a random pause, so that arrivals are not in
// phase with the watchers); watchers are opened on `watcher_locators`.
Latency RevocationLatency(LedgerClient& writer, const testing::World& w,
                          const std::vector<std::string>& watcher_locators, const LedgerAccess& watcher_access = {}) {
  const int n = kRevocations;
  const size_t watchers = watcher_locators.size();
  std::mutex mu;
  std::map<uint64_t, int> revocation_at;          // entry index -> revocation number
  std::vector<Clock::time_point> started(n);
  std::vector<std::vector<Clock::time_point>> seen(watchers, std::vector<Clock::time_point>(n));
  std::atomic<int> seen_count{0};
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (size_t k = 0; k < watchers; ++k) {
    threads.emplace_back([&, k] {
      auto client = OpenClient(watcher_locators[k], false, watcher_access);
      ++ready;
      while (!stop.load()) {
        auto entries = Must(client->WaitForNewEntries(std::chrono::milliseconds(200)), "watch");
        Clock::time_point now = Clock::now();
        for (const Entry& e : entries) {
          if (e.type() != EntryType::kRevoke) continue;
          std::lock_guard<std::mutex> lock(mu);
          auto it = revocation_at.find(e.index());
          if (it == revocation_at.end()) Die("watcher saw a revocation before the writer reported it");
          seen[k][it->second] = now;
          ++seen_count;
        }
      }
    });
  }
  while (ready.load() < static_cast<int>(watchers)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Latency out;
  std::minstd_rand jitter(42);
  for (int i = 0; i < n; ++i) {
    // Revocations arrive at random moments, not in step with the watchers'
    // polling or reconnecting: 0-25 ms apart.
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % 25'000));
    RevokeBody body{StrCat("cti:", HexEncode(RandomBytes(16))), "bench", RandomBytes(32)};
    // The index the revocation will take: the writer is the only appender.
    {
      std::lock_guard<std::mutex> lock(mu);
      revocation_at[writer.state().size()] = i;
      started[i] = Clock::now();
    }
    Entry e = Must(writer.Append(body, w.gov[0], testing::kT0 + i, {&w.gov[1]}), "revoke");
    out.append_ms.push_back(Millis(Clock::now() - started[i]));
    if (revocation_at.count(e.index()) == 0) Die("revocation landed at an unexpected index");
    const int want = static_cast<int>(watchers) * (i + 1);
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
    while (seen_count.load() < want) {
      if (Clock::now() > deadline) Die(StrCat("revocation ", i, " not seen by every watcher within 10 s"));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  stop = true;
  for (auto& t : threads) t.join();
  for (size_t k = 0; k < watchers; ++k) {
    for (int i = 0; i < n; ++i) out.watcher_ms.push_back(Millis(seen[k][i] - started[i]));
  }
  for (int i = 0; i < n; ++i) {
    Clock::time_point last = started[i];
    for (size_t k = 0; k < watchers; ++k) last = std::max(last, seen[k][i]);
    out.every_ms.push_back(Millis(last - started[i]));
  }
  return out;
}

void PrintLatency(const char* backend, const Latency& l, size_t watchers) {
  double p50 = Percentile(l.watcher_ms, 0.50), p99 = Percentile(l.watcher_ms, 0.99);
  double a50 = Percentile(l.append_ms, 0.50), a99 = Percentile(l.append_ms, 0.99);
  std::printf("%-6s revocation->watcher latency (%d revocations x %zu watchers): p50 %.2f ms, p99 %.2f ms\n",
              backend, kRevocations, watchers, p50, p99);
  // What a revocation needs to be in force at every validator: the last
  // watcher to see it.
  std::printf("%-6s   visible at every watcher: p50 %.2f ms, p99 %.2f ms\n", backend,
              Percentile(l.every_ms, 0.50), Percentile(l.every_ms, 0.99));
  std::printf("%-6s   writer's own append latency: p50 %.2f ms, p99 %.2f ms; watcher p50 / append p50 = %.2f\n",
              backend, a50, a99, a50 > 0 ? p50 / a50 : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string etcd = argc > 1 ? argv[1] : "/usr/bin/etcd";
  curl_global_init(CURL_GLOBAL_DEFAULT);
  testing::TempDir dir;

  // ---- SQLite ----
  {
    testing::World w;
    const std::string locator = "sqlite://" + dir.File("ledger.db");
    auto writer = OpenClient(locator, /*create=*/true);
    Setup(*writer, w);
    size_t entry_size = 0;
    double vouch = VouchAppendsPerSecond(*writer, w, kSqliteAppends, &entry_size);
    double raw = RawSqliteInsertsPerSecond(dir.File("raw.db"), kSqliteAppends, entry_size);
    std::printf("sqlite appends/s: %.0f (LedgerClient::Append, %d entries of %zu bytes)\n", vouch,
                kSqliteAppends, entry_size);
    std::printf("sqlite raw fsync'd inserts/s: %.0f; appends / raw inserts = %.2f\n", raw, vouch / raw);
    Latency l = RevocationLatency(*writer, w, std::vector<std::string>(kWatchers, locator));
    PrintLatency("sqlite", l, kWatchers);
    std::printf("sqlite   (watchers poll every %lld ms: LedgerOptions::poll_interval)\n",
                static_cast<long long>(LedgerOptions{}.poll_interval.count()));
  }

  // ---- etcd, 3 members: plain, then TLS with client certificates and etcd auth ----
  double plain_appends = 0;
  Latency plain_latency;
  {
    testing::EtcdCluster cluster(3, etcd);
    if (!cluster.ok()) Die(StrCat("etcd cluster: ", cluster.error()));
    testing::World w;
    auto writer = OpenClient(cluster.Locator({0, 1, 2}));
    Setup(*writer, w);
    size_t entry_size = 0;
    plain_appends = VouchAppendsPerSecond(*writer, w, kEtcdAppends, &entry_size);
    double raw = RawEtcdPutsPerSecond(cluster.Endpoint(0), kEtcdAppends, entry_size);
    std::printf("etcd   appends/s: %.0f (3 members, %d entries of %zu bytes)\n", plain_appends, kEtcdAppends,
                entry_size);
    std::printf("etcd   raw gateway puts/s: %.0f; appends / raw puts = %.2f\n", raw, plain_appends / raw);
    std::vector<std::string> locators;
    for (int k = 0; k < kWatchers; ++k) locators.push_back(cluster.Locator({k % 3}));
    plain_latency = RevocationLatency(*writer, w, locators);
    PrintLatency("etcd", plain_latency, kWatchers);
  }
  {
    testing::EtcdClusterOptions tls;
    tls.etcd = etcd;
    tls.tls_auth = true;
    testing::EtcdCluster cluster(tls);
    if (!cluster.ok()) Die(StrCat("etcd cluster with TLS and auth: ", cluster.error()));
    testing::World w;
    auto writer = OpenClient(cluster.Locator({0, 1, 2}), false, cluster.Access("writer"));
    Setup(*writer, w);
    size_t entry_size = 0;
    double appends = VouchAppendsPerSecond(*writer, w, kEtcdAppends, &entry_size);
    std::printf("etcds  appends/s: %.0f (TLS + etcd auth, user with vouch-writer); TLS+auth / plain = %.2f\n",
                appends, appends / plain_appends);
    std::vector<std::string> locators;
    for (int k = 0; k < kWatchers; ++k) locators.push_back(cluster.Locator({k % 3}));
    Latency l = RevocationLatency(*writer, w, locators, cluster.Access("reader"));
    PrintLatency("etcds", l, kWatchers);
    double p50 = Percentile(plain_latency.watcher_ms, 0.50);
    std::printf("etcds    watcher p50 with TLS+auth / plain = %.2f\n",
                p50 > 0 ? Percentile(l.watcher_ms, 0.50) / p50 : 0.0);
  }
  curl_global_cleanup();
  return 0;
}
