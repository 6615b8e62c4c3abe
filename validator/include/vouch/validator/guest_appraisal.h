// Appraisal of a re-attestation's guest evidence (DESIGN §4 "Guest
// evidence"): the quote of the guest's vTPM that vouch-shim made inside the
// running domain and the host agent relayed in the reattest VC's
// "vouch.guest".
//
// Stateless, like the host baseline: the guest's first endorsed report is
// its baseline, and the host sends it back with every later round (the
// request's "guest_baseline": an endorsed reattest VC of the same launch,
// carrying t endorsements by the policy's validators, which no host can
// forge). So any t validators can judge guest drift without having kept
// state. A round sent without a baseline is judged as a first report; the
// guest vTPM is emulated by the host, so guest evidence proves nothing
// against a compromised host (the host quote beside it does): what it
// catches is a guest whose measured state changed under an honest host.
#ifndef VOUCH_VALIDATOR_GUEST_APPRAISAL_H_
#define VOUCH_VALIDATOR_GUEST_APPRAISAL_H_

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"

namespace vouch::validator {

// Judges the guest evidence of reattest VC `c` (signature already verified)
// of the launch `launch` (already accepted as the domain's baseline) under
// `policy`, with `guest_baseline` the encoded endorsed reattest VC of the
// guest's first report, or empty for a first report. In order:
//   - a policy without a guest section takes no guest evidence, one with a
//     guest section requires it (kMalformed "expects guest evidence": a
//     round without it is no round, so the lease runs out; it judges nothing);
//   - the VC names this launch ("vouch.launch", kNotInPolicy);
//   - the quote verifies with the guest AK it carries, bound to the VC's
//     challenges (GuestQuoteExtraData), over every PCR of guest.pcrs
//     (kBadQuote / kPcrMismatch);
//   - each pinned guest PCR is one of its reference values (kPcrMismatch,
//     "guest PCR 9 differs from reference");
//   - the baseline, if given, is a reattest VC of the same host, domain,
//     policy and launch with guest evidence and t endorsements
//     (kNotInPolicy), and against it: the same guest AK, the same event-log
//     digest and every unpinned guest PCR unchanged (kDrift, naming what
//     changed).
Status AppraiseGuest(const HostVcClaims& c, const HostVcClaims& launch, const SignedPolicy& policy,
                     ByteView guest_baseline);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_GUEST_APPRAISAL_H_
