#include "vouch/host/release.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "vouch/core/cbor.h"
#include "vouch/core/countersign.h"
#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/core/hpke.h"
#include "vouch/core/quote_binding.h"
#include "vouch/core/random.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "validator_exchange.h"
#include "vouch/host/validator_client.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/endorsed_credential.h"

namespace vouch::host {

using internal::Clock;
using internal::Mailbox;
using internal::Remaining;
using internal::ShortName;

Result<HostVcClaims> LaunchClaims(const ReleaseRequest& req, const HostContext& host,
                                  const std::vector<Bytes>& nonces, ByteView ephemeral_public_key) {
  const OwnerPolicy& policy = req.policy->policy();
  auto now = req.now ? req.now : [] { return static_cast<int64_t>(std::time(nullptr)); };
  Bytes extra = HostQuoteExtraData(nonces, ephemeral_public_key, ConfigDigest::Of(req.domain_config).bytes());
  auto quote = host.tpm->Quote(*host.ak, policy.pcrs, extra);
  if (!quote.ok()) return quote.error().WithContext("TPM quote failed");
  HostVcClaims claims;
  claims.issuer = DidKey::FromPublicKey(host.host_key->public_key()).did();
  claims.domain_uuid = policy.domain_uuid;
  claims.issued_at = now();
  claims.expires_at = claims.issued_at + static_cast<int64_t>(policy.vc_ttl);
  claims.cti = RandomBytes(kCtiSize);
  claims.nonces = nonces;
  claims.ephemeral_public_key = Bytes(ephemeral_public_key.begin(), ephemeral_public_key.end());
  claims.type = "launch";
  claims.hypervisor = host.hypervisor;
  claims.tpm.present = true;
  claims.tpm.manufacturer = host.tpm->facts().manufacturer;
  claims.tpm.firmware = host.tpm->facts().firmware;
  claims.tpm.quote = quote->attest;
  claims.tpm.signature = quote->signature;
  claims.tpm.pcrs = quote->pcr_values;
  claims.boot_hash = BootHash(quote->pcr_values);
  claims.domain_config = req.domain_config;
  claims.config_digest = ToBytes(ConfigDigest::Of(req.domain_config).value);
  claims.policy_digest = ToBytes(req.policy->digest().value);
  if (!host.event_log.empty()) claims.event_log_digest = ToBytes(Sha256(host.event_log));
  return claims;
}

Result<ReleaseOutcome> ObtainImageKey(const ReleaseRequest& req, const HostContext& host) {
  const OwnerPolicy& policy = req.policy->policy();
  const size_t n = policy.validators.size();
  const size_t t = policy.threshold;
  const auto deadline = Clock::now() + req.deadline;
  auto now = req.now ? req.now : [] { return static_cast<int64_t>(std::time(nullptr)); };
  const std::string host_did = DidKey::FromPublicKey(host.host_key->public_key()).did();
  auto refuse = [&](size_t good, const std::vector<std::string>& failures) {
    return Error(Code::kUnavailable,
                 StrCat("domain '", req.domain_name, "' not released: ", good, " of ", t,
                        " endorsements (", internal::JoinFailures(failures), ")"));
  };
  // 3. Challenges from every sealed validator, in parallel.
  internal::Challenges gathered = internal::GatherChallenges(policy, host_did, deadline);
  std::vector<std::string>& failures = gathered.failures;
  const std::vector<Bytes>& nonces = gathered.nonces;
  const std::vector<size_t>& asked = gathered.asked;
  auto collect = [&] { return gathered.Collected(); };
  if (nonces.size() < t) return refuse(0, collect());

  // 4–5. Ephemeral key E, the quote bound to nonces, E and the config, and
  // the host VC.
  X25519PrivateKey ephemeral = X25519PrivateKey::Generate();
  auto launch = LaunchClaims(req, host, nonces, ephemeral.public_key());
  if (!launch.ok()) {
    return Error(launch.error().code(), StrCat("domain '", req.domain_name,
                                               "' not released: ", launch.error().message()));
  }
  HostVcClaims claims = std::move(launch).value();
  VOUCH_ASSIGN_OR_RETURN(HostVc vc, HostVc::Issue(claims, *host.host_key));
  // The W3C form: the host's own proof over the VC's JSON (DESIGN §3).
  VOUCH_RETURN_IF_ERROR(w3c::ProveHostVc(vc, *host.host_key));
  // And its vc+cose signature over the same JSON (DESIGN §3).
  VOUCH_RETURN_IF_ERROR(w3c::SignVcCose(vc, *host.host_key));
  const Bytes vc_bytes = vc.message().Encode();
  const VcDigest vc_digest = vc.Digest();

  // 6. Attest in parallel; verify each answer; stop at t good shares.
  struct Answer {
    Endorsement endorsement;
    SecretBytes share;
  };
  auto answers = std::make_shared<Mailbox<AttestResponse>>();
  for (size_t i : asked) {
    std::thread([answers, i, endpoint = policy.validators[i].endpoint, vc_bytes,
                 policy_bytes = req.policy->encoded(), share = req.bundle->sealed_shares[i],
                 event_log = host.event_log, timeout = Remaining(deadline)] {
      ValidatorClient client(endpoint, timeout);
      answers->Put(i, client.Attest(vc_bytes, policy_bytes, share, i, event_log));
    }).detach();
  }
  std::vector<Answer> good;
  for (size_t got = 0; got < asked.size() && good.size() < t; ++got) {
    auto next = answers->Next(deadline);
    if (!next) break;
    auto& [i, result] = *next;
    const std::string name = ShortName(policy.validators[i]);
    if (!result.ok()) {
      failures[i] = StrCat(name, ": ", result.error().message());
      continue;
    }
    // A Byzantine validator may answer anything: check everything.
    auto endorsement =
        internal::CheckEndorsementAnswer(vc, result->endorsement, policy.validators[i]);
    if (!endorsement.ok()) {
      failures[i] = StrCat(name, ": ", endorsement.error().message());
      continue;
    }
    auto share = OpenShareAsHost(ephemeral, claims.cti, vc_digest, result->share);
    if (!share.ok()) {
      failures[i] = StrCat(name, ": released share does not open (", share.error().message(), ")");
      continue;
    }
    if (share->size() < 2 || share->Expose().back() != i + 1 ||
        ShareCommitment(*share) != policy.commit[i]) {
      failures[i] = StrCat(name, ": released share fails the owner's commitment");
      continue;
    }
    failures[i].clear();
    good.push_back(Answer{std::move(endorsement).value(), std::move(share).value()});
  }
  for (size_t i = 0; i < n; ++i) {
    if (failures[i].empty() && std::find(asked.begin(), asked.end(), i) != asked.end()) {
      bool used = false;
      for (const auto& a : good) used = used || a.endorsement.validator_did == policy.validators[i].did;
      if (!used && good.size() < t) {
        failures[i] = StrCat(ShortName(policy.validators[i]), ": no answer before the deadline");
      }
    }
  }
  if (good.size() < t) return refuse(good.size(), collect());

  // 7. Combine, check against the key-check value, attach the endorsements.
  std::vector<SecretBytes> shares;
  for (auto& a : good) shares.push_back(std::move(a.share));
  auto key = ShamirCombine(shares);
  if (!key.ok() || !ConstantTimeEqual(KeyCheckValue(*key), policy.kcv)) {
    return Error(Code::kCrypto, StrCat("domain '", req.domain_name,
                                       "' not released: the combined key fails the policy's "
                                       "key-check value"));
  }
  ReleaseOutcome out{std::move(key).value(), std::move(vc), {}, collect()};
  for (const auto& a : good) {
    VOUCH_RETURN_IF_ERROR(AttachEndorsement(out.endorsed_vc, a.endorsement));
    out.endorsers.push_back(a.endorsement.validator_did);
  }
  return out;
}

}  // namespace vouch::host
