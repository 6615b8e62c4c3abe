#include "vouch/host/reattest.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <thread>

#include "validator_exchange.h"
#include "vouch/core/countersign.h"
#include "vouch/core/did_key.h"
#include "vouch/core/drift_verdict.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/host/validator_client.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/endorsed_credential.h"

namespace vouch::host {

using internal::Clock;
using internal::Mailbox;
using internal::Remaining;
using internal::ShortName;

struct ReattestRound::State {
  const ReattestInput& in;
  const HostContext& host;
  Clock::time_point deadline;
  std::string host_did;
  internal::Challenges gathered;
};

ReattestRound::ReattestRound(std::unique_ptr<State> state) : state_(std::move(state)) {}
ReattestRound::ReattestRound(ReattestRound&&) noexcept = default;
ReattestRound::~ReattestRound() = default;

ReattestRound ReattestRound::Begin(const ReattestInput& in, const HostContext& host) {
  auto state = std::make_unique<State>(State{in, host, Clock::now() + in.deadline,
                                             DidKey::FromPublicKey(host.host_key->public_key()).did(), {}});
  state->gathered = internal::GatherChallenges(in.policy->policy(), state->host_did, state->deadline);
  return ReattestRound(std::move(state));
}

const std::vector<Bytes>& ReattestRound::nonces() const { return state_->gathered.nonces; }

Result<ReattestOutcome> ReattestRound::Finish(std::optional<GuestEvidence> guest) {
  const ReattestInput& in = state_->in;
  const HostContext& host = state_->host;
  // A fresh deadline: the guest's vTPM quoted in between.
  const auto deadline = Clock::now() + in.deadline;
  const OwnerPolicy& policy = in.policy->policy();
  const size_t t = policy.threshold;
  const size_t drift_quorum = in.drift_quorum > 0 ? in.drift_quorum : t;
  std::vector<std::string> drift_signers;  // distinct policy validators with a verified drift verdict
  size_t unsigned_refusals = 0;            // evidence refusals without one
  auto refuse = [&](size_t good, const std::vector<std::string>& reasons) {
    const bool drift = drift_signers.size() >= drift_quorum;
    std::string note;
    if (!drift && drift_signers.size() + unsigned_refusals > 0) {
      note = StrCat("; not enforced: ", drift_signers.size(), " signed drift verdicts, ", drift_quorum,
                    " needed", unsigned_refusals > 0 ? StrCat(" (", unsigned_refusals, " unsigned refusals ignored)") : "");
    }
    return Error(drift ? Code::kDrift : Code::kUnavailable,
                 StrCat("domain '", in.domain_name, "' not re-endorsed: ", good, " of ", t,
                        " endorsements (", internal::JoinFailures(reasons), ")", note));
  };

  internal::Challenges& gathered = state_->gathered;
  std::vector<std::string>& failures = gathered.failures;
  if (gathered.nonces.size() < t) return refuse(0, gathered.Collected());

  // The quote binds the nonces, a key nobody uses (the VC format carries
  // one; a re-attestation releases nothing) and the live config digest.
  X25519PrivateKey unused = X25519PrivateKey::Generate();
  ReleaseRequest as_launch;
  as_launch.policy = in.policy;
  as_launch.domain_config = in.domain_config;
  as_launch.now = in.now;
  auto claims = LaunchClaims(as_launch, host, gathered.nonces, unused.public_key());
  if (!claims.ok()) {
    return Error(claims.error().code(), StrCat("domain '", in.domain_name,
                                               "' not re-endorsed: ", claims.error().message()));
  }
  claims->type = "reattest";
  if (auto launch = HostVc::Parse(in.baseline); launch.ok()) claims->launch_cti = launch->claims().cti;
  claims->guest = std::move(guest);
  VOUCH_ASSIGN_OR_RETURN(HostVc vc, HostVc::Issue(*claims, *host.host_key));
  VOUCH_RETURN_IF_ERROR(w3c::ProveHostVc(vc, *host.host_key));  // DESIGN §3 "JSON forms (W3C)"
  VOUCH_RETURN_IF_ERROR(w3c::SignVcCose(vc, *host.host_key));    // and vc+cose
  const Bytes vc_bytes = vc.message().Encode();

  // A validator's answer: its endorsement, or its refusal and the drift
  // verdict the refusal carried.
  struct Answer {
    Result<Bytes> endorsement;
    Bytes drift_verdict;
  };
  auto answers = std::make_shared<Mailbox<Answer>>();
  for (size_t i : gathered.asked) {
    std::thread([answers, i, endpoint = policy.validators[i].endpoint, vc_bytes,
                 policy_bytes = in.policy->encoded(), baseline = in.baseline,
                 guest_baseline = in.guest_baseline, event_log = host.event_log, timeout = Remaining(deadline)] {
      ValidatorClient client(endpoint, timeout);
      Bytes verdict;
      auto endorsement =
          client.Reattest(vc_bytes, policy_bytes, baseline, i, guest_baseline, &verdict, event_log);
      answers->Put(i, Answer{std::move(endorsement), std::move(verdict)});
    }).detach();
  }
  const PolicyDigest policy_digest = in.policy->digest();
  // Unlike a launch, every answer is awaited (until the deadline): each
  // refusal is worth naming even once t endorsed.
  std::vector<Endorsement> good;
  std::vector<bool> answered(policy.validators.size(), false);
  for (size_t got = 0; got < gathered.asked.size(); ++got) {
    auto next = answers->Next(deadline);
    if (!next) break;
    auto& [i, answer] = *next;
    answered[i] = true;
    const std::string name = ShortName(policy.validators[i]);
    // Answers are always put whole (the mailbox holds no errors).
    const Result<Bytes>& result = answer->endorsement;
    if (!result.ok()) {
      if (IsEvidenceRefusal(result.error().code())) {
        auto signer = answer->drift_verdict.empty()
                          ? Result<std::string>(Error(Code::kBadSignature, "no drift verdict"))
                          : VerifyDriftVerdict(vc, answer->drift_verdict, policy.validators[i], policy_digest);
        if (signer.ok() && std::find(drift_signers.begin(), drift_signers.end(), *signer) == drift_signers.end()) {
          drift_signers.push_back(*signer);
        } else if (!signer.ok()) {
          ++unsigned_refusals;
        }
      }
      failures[i] = StrCat(name, ": ", result.error().message());
      continue;
    }
    auto endorsement = internal::CheckEndorsementAnswer(vc, *result, policy.validators[i]);
    if (!endorsement.ok()) {
      failures[i] = StrCat(name, ": ", endorsement.error().message());
      continue;
    }
    good.push_back(std::move(endorsement).value());
  }
  for (size_t i : gathered.asked) {
    if (!answered[i]) failures[i] = StrCat(ShortName(policy.validators[i]), ": no answer before the deadline");
  }
  if (good.size() < t) return refuse(good.size(), gathered.Collected());

  ReattestOutcome out{std::move(vc), {}, gathered.Collected()};
  for (const auto& e : good) {
    VOUCH_RETURN_IF_ERROR(AttachEndorsement(out.endorsed_vc, e));
    out.endorsers.push_back(e.validator_did);
  }
  return out;
}

Result<ReattestOutcome> Reattest(const ReattestInput& in, const HostContext& host) {
  return ReattestRound::Begin(in, host).Finish(std::nullopt);
}

}  // namespace vouch::host
