#include "validator_exchange.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>

#include "vouch/core/countersign.h"
#include "vouch/host/validator_client.h"

namespace vouch::host::internal {

std::string ShortName(const PolicyValidator& v) {
  std::string e = v.endpoint;
  if (auto p = e.find("://"); p != std::string::npos) e = e.substr(p + 3);
  return e;
}

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

std::string JoinFailures(const std::vector<std::string>& failures) {
  std::vector<std::pair<std::string, std::string>> groups;  // (names, why)
  for (const auto& f : failures) {
    const size_t sep = f.find(": ");
    const std::string name = sep == std::string::npos ? f : f.substr(0, sep);
    const std::string why = sep == std::string::npos ? std::string() : f.substr(sep + 2);
    auto same = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.second == why; });
    if (sep != std::string::npos && same != groups.end()) {
      same->first += ", " + name;
    } else {
      groups.emplace_back(name, why);
    }
  }
  std::string out;
  for (const auto& [names, why] : groups) {
    if (!out.empty()) out += "; ";
    out += why.empty() ? names : StrCat(names, ": ", why);
  }
  return out;
}

Result<Endorsement> CheckEndorsementAnswer(const HostVc& vc, ByteView encoded,
                                           const PolicyValidator& v) {
  auto cs = Countersignature::Parse(encoded);
  if (!cs.ok()) {
    return Error(Code::kMalformed, StrCat("unreadable endorsement (", cs.error().message(), ")"));
  }
  auto endorsement = VerifyEndorsement(vc, *cs);
  if (!endorsement.ok()) {
    return Error(Code::kBadSignature,
                 StrCat("bad countersignature (", endorsement.error().message(), ")"));
  }
  if (endorsement->validator_did != v.did || !endorsement->verdict.ok) {
    return Error(Code::kBadSignature, "endorsement is not by the policy's validator or not ok");
  }
  return endorsement;
}

std::vector<std::string> Challenges::Collected() const {
  std::vector<std::string> out;
  for (const auto& f : failures) {
    if (!f.empty()) out.push_back(f);
  }
  return out;
}

Challenges GatherChallenges(const OwnerPolicy& policy, const std::string& host_did,
                            Clock::time_point deadline) {
  const size_t n = policy.validators.size();
  Challenges out;
  out.failures.resize(n);
  auto mailbox = std::make_shared<Mailbox<Challenge>>();
  for (size_t i = 0; i < n; ++i) {
    std::thread([mailbox, i, endpoint = policy.validators[i].endpoint, host_did,
                 timeout = Remaining(deadline)] {
      ValidatorClient client(endpoint, timeout);
      mailbox->Put(i, client.GetChallenge(host_did));
    }).detach();
  }
  std::vector<std::optional<Bytes>> nonce_of(n);
  for (size_t got = 0; got < n; ++got) {
    auto next = mailbox->Next(deadline);
    if (!next) break;
    auto& [i, result] = *next;
    if (!result.ok()) {
      out.failures[i] = StrCat(ShortName(policy.validators[i]), ": ", result.error().message());
    } else if (result->validator_did != policy.validators[i].did) {
      out.failures[i] = StrCat(ShortName(policy.validators[i]), ": answers as '",
                               result->validator_did, "', not as the policy's validator");
    } else {
      nonce_of[i] = std::move(result->nonce);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (nonce_of[i]) {
      out.nonces.push_back(*nonce_of[i]);
      out.asked.push_back(i);
    } else if (out.failures[i].empty()) {
      out.failures[i] = StrCat(ShortName(policy.validators[i]), ": no challenge before the deadline");
    }
  }
  return out;
}

}  // namespace vouch::host::internal
