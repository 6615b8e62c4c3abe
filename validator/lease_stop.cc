#include "vouch/validator/lease_stop.h"

#include "vouch/core/stop_notice.h"
#include "vouch/validator/api.h"
#include "vouch/validator/logger.h"

namespace vouch::validator {
namespace {

StopAnswer Refused(const Error& error, int status, std::string_view who) {
  StopAnswer a;
  a.status = status;
  a.body = protocol::EncodeRefusal(error);
  a.log_line = StrCat("vouchd: stop ", who, " refused code=", CodeName(error.code()), " reason=",
                      QuoteLogValue(error.message()));
  return a;
}

// Ok if `lease` may be ended by `notice` (already verified) at `now`.
Status MayEnd(const Lease& lease, const StopNotice& notice, int64_t now) {
  if (lease.host != notice.did) {
    return Error(Code::kBadSignature, StrCat("unauthorized: the lease of ", lease.launch, " is held by '",
                                             lease.host, "', not by '", notice.did, "'"));
  }
  if (now > lease.deadline || notice.at > lease.deadline) {
    return Error(Code::kRevoked, StrCat("the lease of ", lease.launch, " passed its deadline ", lease.deadline,
                                        " (stop at ", notice.at, ", now ", now,
                                        "): it is reported as missed, not ended"));
  }
  return Ok();
}

}  // namespace

StopAnswer HandleStop(LeaseStore* leases, std::string_view content_type, ByteView body, int64_t now) {
  if (leases == nullptr) {
    return Refused(Error(Code::kUnavailable, "this validator holds no leases (it runs without a state dir)"), 501,
                   "-");
  }
  if (content_type.rfind(kCborContentType, 0) != 0) {
    return Refused(Error(Code::kMalformed, StrCat("stop notice: expected Content-Type ", kCborContentType,
                                                  ", got '", content_type, "'")),
                   415, "-");
  }
  auto notice = DecodeStopNotice(body);
  if (!notice.ok()) return Refused(notice.error(), 400, "-");
  const std::string launch = StrCat("cti:", HexEncode(notice->launch));
  const std::string who = StrCat("host=", notice->did, " launch=", launch);
  if (Status s = VerifyStopNotice(*notice); !s.ok()) return Refused(s.error(), 403, who);
  auto held = leases->Find(launch);
  if (!held.ok()) return Refused(held.error(), HttpStatusFor(held.error().code()), who);
  if (!held->has_value()) {
    return Refused(Error(Code::kNotFound, StrCat("no lease of ", launch, " is held")), 404, who);
  }
  if (Status s = MayEnd(**held, *notice, now); !s.ok()) return Refused(s.error(), 403, who);
  if (Status s = leases->End(launch); !s.ok()) return Refused(s.error(), HttpStatusFor(s.error().code()), who);
  StopAnswer a;
  a.status = 204;
  a.log_line = StrCat("vouchd: stop ", who, " ended");
  return a;
}

}  // namespace vouch::validator
