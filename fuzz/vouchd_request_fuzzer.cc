// libFuzzer target: the bodies vouchd reads from the network (POST
// /v1/attest, /v1/reattest, /v1/enroll, /v1/enroll/finish, and the stop
// notice a host sends when a domain stops). Beyond "no
// crash, no sanitizer report" it checks, and aborts if one breaks:
//   - a body that decodes re-encodes to a body that decodes to the same
//     request (no field is lost or invented);
//   - every refusal is kMalformed with a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/core/enrollment_request.h"
#include "vouch/core/stop_notice.h"
#include "vouch/validator/api.h"

namespace {

void ExpectMalformed(const vouch::Error& e) {
  if (e.code() != vouch::Code::kMalformed || e.message().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteView body(data, size);
  using namespace vouch::validator;

  auto attest = vouch::protocol::DecodeAttestRequest(body);
  if (attest.ok()) {
    auto again = vouch::protocol::DecodeAttestRequest(vouch::protocol::EncodeAttestRequest(*attest));
    if (!again.ok() || again->vc != attest->vc || again->policy != attest->policy ||
        again->share != attest->share || again->index != attest->index || again->event_log != attest->event_log) {
      std::abort();
    }
  } else {
    ExpectMalformed(attest.error());
  }

  auto reattest = vouch::protocol::DecodeReattestRequest(body);
  if (reattest.ok()) {
    auto again = vouch::protocol::DecodeReattestRequest(vouch::protocol::EncodeReattestRequest(*reattest));
    if (!again.ok() || again->vc != reattest->vc || again->policy != reattest->policy ||
        again->launch != reattest->launch || again->index != reattest->index ||
        again->event_log != reattest->event_log) {
      std::abort();
    }
  } else {
    ExpectMalformed(reattest.error());
  }

  for (vouch::EnrollStep step : {vouch::EnrollStep::kBegin, vouch::EnrollStep::kFinish}) {
    auto enroll = vouch::DecodeEnrollmentRequest(step, body);
    if (!enroll.ok()) {
      ExpectMalformed(enroll.error());
      continue;
    }
    auto again = vouch::DecodeEnrollmentRequest(step, vouch::EncodeEnrollmentRequest(*enroll));
    if (!again.ok() || again->did != enroll->did || again->at != enroll->at || again->secret != enroll->secret ||
        again->signature != enroll->signature) {
      std::abort();
    }
  }

  auto stop = vouch::DecodeStopNotice(body);
  if (stop.ok()) {
    auto again = vouch::DecodeStopNotice(vouch::EncodeStopNotice(*stop));
    if (!again.ok() || again->did != stop->did || again->launch != stop->launch || again->at != stop->at ||
        again->signature != stop->signature) {
      std::abort();
    }
  } else {
    ExpectMalformed(stop.error());
  }
  return 0;
}
