// POST /v1/stop (DESIGN §4 "Leases"): a host's signed stop notice
// (vouch/core/stop_notice.h) ends this validator's lease of the launch it
// names, so that a domain stopped on purpose is not reported as missed.
//
//   POST /v1/stop <the encoded notice>   Content-Type application/cbor
//     204                                the lease is ended
//     404 {"code": "not-found", ...}     no lease of that launch is held
//                                        (none granted, already ended, or
//                                        reported as missed)
//     403 {"code", "reason"}             the signature does not verify, the
//                                        lease is another host's, or it is
//                                        past its deadline
//     400 / 415                          not a stop notice
//
// The checks, in order: the content type; the notice decodes; its signature
// verifies; a lease of its launch is held; the lease's host signed it; this
// validator's clock and the notice's `at` are both within the deadline. A
// lease past its deadline is the sweeper's to report whatever the host says
// about when the domain stopped: a host cannot undo a missed deadline.
#ifndef VOUCH_VALIDATOR_LEASE_STOP_H_
#define VOUCH_VALIDATOR_LEASE_STOP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/validator/lease_store.h"

namespace vouch::validator {

// One answer of the route: the HTTP status, the CBOR body (empty for 204),
// and the line for vouchd's log ("vouchd: stop host=… launch=cti:… ended").
struct StopAnswer {
  int status = 500;
  Bytes body;
  std::string log_line;
};

// Judges and applies one notice at `now` (unix seconds). `leases` may be
// null: a vouchd without a state dir holds no leases (501).
StopAnswer HandleStop(LeaseStore* leases, std::string_view content_type, ByteView body, int64_t now);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LEASE_STOP_H_
