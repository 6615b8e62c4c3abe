#include "vouch/shim/shim.h"

#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "vouch/core/digest.h"
#include "vouch/core/duration.h"
#include "vouch/core/quote_binding.h"

namespace vouch::shim {
namespace {

using namespace guest_channel;

std::string PathIn(const std::string& dir, const char* file) { return StrCat(dir, "/", file); }

template <typename T>
Result<T> Expect(Result<Message> got, const char* what) {
  if (!got.ok()) return got.error().WithContext(StrCat("waiting for the agent's ", what));
  if (auto* r = std::get_if<Refused>(&*got)) {
    return Error(Code::kNotInPolicy, StrCat("the agent refused the round: ", r->reason));
  }
  if (auto* m = std::get_if<T>(&*got)) return std::move(*m);
  return Error(Code::kMalformed, StrCat("the agent sent '", TypeName(*got), "', expected '", what, "'"));
}

}  // namespace

Result<ShimState> LoadState(const std::string& state_dir) {
  ShimState s;
  auto policy = ReadFile(PathIn(state_dir, kPolicyFile));
  if (policy.ok()) {
    s.pinned_policy = std::move(*policy);
  } else if (policy.error().code() != Code::kNotFound) {
    return policy.error();
  }
  auto at = ReadFile(PathIn(state_dir, kAttestedAtFile));
  if (at.ok()) {
    std::string text = ToString(*at);
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str()) return Error(Code::kMalformed, StrCat(PathIn(state_dir, kAttestedAtFile), ": not a number"));
    s.attested_at = v;
  } else if (at.error().code() != Code::kNotFound) {
    return at.error();
  }
  return s;
}

Result<Ak> LoadOrCreateAk(Tpm& tpm, const std::string& key_dir) {
  auto ak = Ak::Load(key_dir);
  if (ak.ok()) return ak;
  if (ak.error().code() != Code::kNotFound) return ak.error();
  VOUCH_ASSIGN_OR_RETURN(Ak created, tpm.CreateAk());
  // Its parents may not exist yet on a fresh guest (/var/lib/vouch, /run/vouch).
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(key_dir).parent_path();
  if (!parent.empty() && !std::filesystem::create_directories(parent, ec) && ec) {
    return Error(Code::kIo, StrCat("cannot create '", parent.string(), "' for the AK: ", ec.message()));
  }
  VOUCH_RETURN_IF_ERROR(created.Save(key_dir));
  return created;
}

Result<Bytes> EventLogDigest(const std::string& path, bool* missing) {
  // ReadFile reads securityfs files (size 0) to the end, capped.
  auto data = ReadFile(path);
  *missing = !data.ok() && data.error().code() == Code::kNotFound;
  if (*missing) return ToBytes(Sha256(ByteView{}));
  if (!data.ok()) return data.error();
  return ToBytes(Sha256(*data));
}

Result<RoundResult> RunRound(const ShimConfig& config, int fd, Tpm& tpm, const Ak& ak,
                             const std::string& event_log_path, int64_t now, Deadline deadline) {
  VOUCH_ASSIGN_OR_RETURN(ShimState state, LoadState(config.state_dir));
  FramedChannel channel(fd);
  // A port with nobody on the host side takes no bytes: say who is missing.
  if (Status hello = channel.Write(Hello{}, deadline); !hello.ok()) {
    if (hello.error().code() != Code::kTimeout) return hello.error();
    return Error(Code::kTimeout, "no host agent on channel org.vouch.attest.0 before the round's deadline "
                                 "(is vouch-agent running on the host?)");
  }
  VOUCH_ASSIGN_OR_RETURN(PolicyOffer offer_msg, Expect<PolicyOffer>(channel.Read(deadline), "policy"));
  VOUCH_ASSIGN_OR_RETURN(AcceptedOffer offer, AcceptOffer(offer_msg, config, state.pinned_policy));
  if (!state.pinned_policy) {
    std::error_code ec;
    std::filesystem::create_directories(config.state_dir, ec);
    VOUCH_RETURN_IF_ERROR(WriteFile(PathIn(config.state_dir, kPolicyFile), offer.policy.encoded(), 0644));
  }
  VOUCH_RETURN_IF_ERROR(channel.Write(RoundRequest{}, deadline));
  VOUCH_ASSIGN_OR_RETURN(Challenge challenge, Expect<Challenge>(channel.Read(deadline), "challenge"));
  if (challenge.nonces.size() != offer.policy.policy().validators.size()) {
    return Error(Code::kMalformed, StrCat("challenge holds ", challenge.nonces.size(), " nonces, the policy has ",
                                          offer.policy.policy().validators.size(), " validators"));
  }
  const GuestPolicy& gp = *offer.policy.policy().guest;
  VOUCH_ASSIGN_OR_RETURN(TpmQuote quote, tpm.Quote(ak, gp.pcrs, GuestQuoteExtraData(challenge.nonces)));
  bool log_missing = false;
  VOUCH_ASSIGN_OR_RETURN(Bytes log, EventLogDigest(event_log_path, &log_missing));
  if (log_missing) {
    std::fprintf(stderr, "vouch-shim: no firmware event log at %s (is securityfs mounted?); sending the SHA-256 of an empty log\n",
                 event_log_path.c_str());
  }
  Evidence evidence;
  evidence.round = challenge.round;
  evidence.guest.quote = quote.attest;
  evidence.guest.signature = quote.signature;
  evidence.guest.pcrs = quote.pcr_values;
  evidence.guest.log = log;
  evidence.guest.ak = ak.public_area().bytes();
  VOUCH_RETURN_IF_ERROR(channel.Write(evidence, deadline));
  VOUCH_ASSIGN_OR_RETURN(Endorsed endorsed, Expect<Endorsed>(channel.Read(deadline), "endorsed"));
  if (endorsed.round != challenge.round) {
    return Error(Code::kMalformed, StrCat("endorsement is for round ", endorsed.round, ", not ", challenge.round));
  }
  VOUCH_ASSIGN_OR_RETURN(VerifiedAttestation verified,
                         VerifyEndorsed(endorsed.vc, offer, challenge.nonces, evidence.guest));
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  // A public proof for the guest's workloads: 0644.
  VOUCH_RETURN_IF_ERROR(WriteFile(PathIn(config.state_dir, kAttestationFile), endorsed.vc, 0644));
  VOUCH_RETURN_IF_ERROR(WriteFile(PathIn(config.state_dir, kAttestedAtFile), ToBytes(StrCat(now, "\n")), 0644));
  return RoundResult{std::move(verified.endorsers), now};
}

GraceDecision DecideGrace(const ShimConfig& config, const ShimState& state, int64_t now, int64_t boot_time) {
  GraceDecision d;
  std::optional<SignedPolicy> policy;
  if (state.pinned_policy) {
    auto p = SignedPolicy::Parse(*state.pinned_policy);
    if (p.ok() && p->policy().guest && p->policy().grace) policy = std::move(*p);
  }
  if (!policy) {
    d.deadline = boot_time + config.grace.count();
    d.action = config.action;
    d.rule = StrCat("no policy accepted yet: deadline = boot + shim.conf grace ", FormatDuration(config.grace));
  } else {
    const OwnerPolicy& p = policy->policy();
    int64_t lease = static_cast<int64_t>(p.reattest_s) * static_cast<int64_t>(*p.grace);
    d.action = p.guest->action;
    if (state.attested_at) {
      d.deadline = *state.attested_at + lease;
      d.rule = StrCat("deadline = last endorsement + reattest_s ", p.reattest_s, " x grace ", *p.grace);
    } else {
      d.deadline = boot_time + static_cast<int64_t>(p.guest->boot_s) + lease;
      d.rule = StrCat("no endorsement yet: deadline = boot + boot_s ", p.guest->boot_s, " + reattest_s ",
                      p.reattest_s, " x grace ", *p.grace);
    }
  }
  d.past = now > d.deadline;
  return d;
}

Status RunAction(const std::string& action, const std::string& reason) {
  if (action == "none") return Ok();
  if (action == "poweroff" || action == "reboot") {
    ::sync();
    if (::reboot(action == "poweroff" ? RB_POWER_OFF : RB_AUTOBOOT) != 0) {
      return Error(Code::kIo, StrCat(action, ": reboot(2): ", std::strerror(errno)));
    }
    return Ok();
  }
  if (action.rfind("exec:/", 0) != 0) return Error(Code::kConfig, StrCat("unknown action '", action, "'"));
  std::string path = action.substr(5);
  pid_t pid = ::fork();
  if (pid < 0) return Error(Code::kIo, StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    ::setenv("VOUCH_SHIM_REASON", reason.c_str(), 1);
    char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
    ::execv(path.c_str(), argv);
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error(Code::kIo, StrCat(path, " failed (status ", status, ")"));
  }
  return Ok();
}

int64_t BootTime(int64_t now) {
  std::ifstream in("/proc/uptime");
  double up = 0;
  if (!(in >> up)) return now;
  return now - static_cast<int64_t>(up);
}

}  // namespace vouch::shim
