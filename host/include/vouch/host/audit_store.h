// The host's audit store (DESIGN §5 "Audit"): one directory (hook.conf
// audit_dir) holding every endorsed VC of this host's protected domains,
// DIR/<domain uuid>-<cti hex>.cbor (mode 0644: a VC holds no secret), a copy
// of each domain's latest VC of each type, DIR/<domain uuid>.<type>.cbor
// (so that finding it costs one read, not a scan of every round), and
// append-only logs of what happened, one line per event (releases.log,
// stops.log, reattest.log). The launch VC kept here is the baseline of every
// later re-attestation of its domain, so every write returns its error for
// the caller to act on (the prepare hook refuses a start whose launch VC it
// cannot keep). Thread-compatible; several processes may append to one log
// (each line is one write(2) of an O_APPEND file).
#ifndef VOUCH_HOST_AUDIT_STORE_H_
#define VOUCH_HOST_AUDIT_STORE_H_

#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::host {

class AuditStore {
 public:
  explicit AuditStore(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }

  // Stores the endorsed `vc` of domain `uuid`, and as the domain's latest
  // of its type (the directory created if missing; each file written
  // atomically). kIo naming the file on failure.
  Status PutVc(std::string_view uuid, const HostVc& vc) const;

  // Appends `line` and a newline to `log` (a file name in the store).
  // kIo naming the log on failure, a short write included.
  Status Append(std::string_view log, std::string_view line) const;

  // The latest stored VC of domain `uuid` whose type is `type` ("launch",
  // "reattest"): the copy PutVc kept, else (a store written before those
  // copies) the newest such file by time. kNotFound if there is none.
  Result<Bytes> NewestVc(std::string_view uuid, std::string_view type) const;

 private:
  Status EnsureDir() const;
  std::string LatestPath(std::string_view uuid, std::string_view type) const;
  std::string dir_;
};

}  // namespace vouch::host

#endif  // VOUCH_HOST_AUDIT_STORE_H_
