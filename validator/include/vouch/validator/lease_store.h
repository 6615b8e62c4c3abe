// The leases a validator holds (DESIGN §4 "Leases"): for every launch it
// endorsed whose owner policy sets `grace`, the time by which it expects
// the next re-attestation of that launch (the last endorsed round +
// reattest_s × grace). A host that stops re-attesting lets its lease run
// out; the validator then reports the missed deadline on the ledger like a
// drift. Leases survive a validator restart (a SQLite file, mode 0600), so
// a host cannot escape its deadline by waiting for the validator to
// restart.
//
// Bounded like the replay cache: at most `capacity` leases in all and
// `per_host` per host DID, so one host cannot fill the store for everyone;
// past either bound a new lease is refused (fail closed: the launch is not
// endorsed), never an old one forgotten.
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_LEASE_STORE_H_
#define VOUCH_VALIDATOR_LEASE_STORE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/ledger/internal/sqlite_handle.h"

namespace vouch::validator {

struct Lease {
  std::string launch;  // the launch credential, "cti:<hex>" (the ledger's revoke subject)
  std::string host;    // the host's DID
  std::string domain;  // the domain's UUID
  uint32_t interval_s = 0;  // the policy's reattest_s, > 0
  uint32_t grace = 0;       // the policy's grace, > 0
  int64_t deadline = 0;     // unix seconds: a lease not renewed by then is missed
  std::string owner{};      // the DID that signed the launch's owner policy, reported with a miss

  // The deadline a round endorsed at `at` sets: at + interval_s × grace.
  int64_t DeadlineAfter(int64_t at) const;

  bool operator==(const Lease&) const = default;
};

class LeaseStore {
 public:
  static constexpr size_t kDefaultCapacity = 100000;
  static constexpr size_t kDefaultPerHost = 1024;

  // Opens `path` (absolute), creating it with mode 0600 if missing.
  // kInvalidArgument for a relative path, a non-regular file or one that
  // group or others can read; kMalformed for a SQLite file that is not a
  // lease store.
  static Result<std::unique_ptr<LeaseStore>> Open(const std::string& path,
                                                  size_t capacity = kDefaultCapacity,
                                                  size_t per_host = kDefaultPerHost);
  LeaseStore(const LeaseStore&) = delete;
  LeaseStore& operator=(const LeaseStore&) = delete;

  // Records `lease`, replacing one of the same launch (a relaunch's first
  // round). kInvalidArgument for an empty launch or host, or a zero
  // interval or grace; kRateLimited when its host holds `per_host` leases;
  // kUnavailable when the store holds `capacity`.
  Status Grant(const Lease& lease);

  // Sets the deadline of `launch` to DeadlineAfter(at): the first renewal
  // after a grant does so outright (it ends the guest's boot allowance the
  // grant added, so a host cannot go silent for boot_s after one round);
  // later ones never move it backwards. kNotFound if no lease of `launch`
  // is held.
  Status Renew(std::string_view launch, int64_t at);

  // Drops the lease of `launch` (the domain stopped, or its credential was
  // revoked). Ok whether or not one was held.
  Status End(std::string_view launch);

  // The lease of `launch`, if held.
  Result<std::optional<Lease>> Find(std::string_view launch) const;

  // Up to `limit` leases whose deadline is before `now`, earliest first.
  Result<std::vector<Lease>> Missed(int64_t now, size_t limit) const;

  // The number of leases held.
  Result<size_t> Count() const;

 private:
  LeaseStore(std::string path, ledger::internal::SqliteDb db, size_t capacity, size_t per_host);
  Status Initialize();
  Error SqlError(std::string_view what) const;
  // The lease of `launch`, if held. REQUIRES: mu_ held.
  Result<std::optional<Lease>> FindLocked(std::string_view launch) const;
  Result<int64_t> CountWhere(std::string_view sql, std::string_view arg) const;

  const std::string path_;
  const size_t capacity_;
  const size_t per_host_;
  mutable std::mutex mu_;
  ledger::internal::SqliteDb db_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LEASE_STORE_H_
