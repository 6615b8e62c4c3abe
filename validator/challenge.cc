#include "vouch/validator/challenge.h"

#include <algorithm>
#include <optional>

#include "vouch/core/digest.h"
#include "vouch/core/random.h"

namespace vouch::validator {
namespace {

Bytes EncodeTime(int64_t now) {
  uint64_t t = static_cast<uint64_t>(now);
  Bytes out(kNonceTimeSize);
  for (size_t i = 0; i < kNonceTimeSize; ++i) out[i] = static_cast<uint8_t>(t >> (8 * (7 - i)));
  return out;
}

int64_t DecodeTime(ByteView b) {
  uint64_t t = 0;
  for (size_t i = 0; i < kNonceTimeSize; ++i) t = (t << 8) | b[i];
  return static_cast<int64_t>(t);
}

}  // namespace

ChallengeIssuer::ChallengeIssuer(ChallengeOptions options)
    : ChallengeIssuer(RandomSecret(32), options) {}

ChallengeIssuer::ChallengeIssuer(SecretBytes key, ChallengeOptions options)
    : key_(key.Expose()),
      options_(options),
      answered_(options.answered_capacity, options.answered_per_host) {}

Result<std::unique_ptr<ChallengeIssuer>> ChallengeIssuer::WithKey(SecretBytes key,
                                                                  ChallengeOptions options) {
  if (key.size() < 32) {
    return Error(Code::kInvalidArgument,
                 StrCat("challenge key: expected at least 32 bytes, got ", key.size()));
  }
  return std::unique_ptr<ChallengeIssuer>(new ChallengeIssuer(std::move(key), options));
}

Bytes ChallengeIssuer::Mac(ByteView ts_and_salt, std::string_view host_did) const {
  Sha256Digest mac = key_.Mac(Concat({ts_and_salt, AsBytes(host_did)}));
  return Bytes(mac.begin(), mac.begin() + kNonceMacSize);
}

Bytes ChallengeIssuer::Issue(std::string_view host_did, int64_t now) {
  Bytes prefix = Concat({EncodeTime(now), RandomBytes(kNonceSaltSize)});
  Bytes nonce = Concat({prefix, Mac(prefix, host_did)});
  if (options_.memo_entries > 0) {
    std::lock_guard<std::mutex> lock(memo_mu_);
    std::string key = ToString(nonce);
    if (memo_.emplace(key, std::string(host_did)).second) memo_order_.push_back(std::move(key));
    while (memo_order_.size() > options_.memo_entries) {
      memo_.erase(memo_order_.front());
      memo_order_.pop_front();
    }
  }
  return nonce;
}

ChallengeIssuer::Finding ChallengeIssuer::Examine(ByteView nonce, std::string_view host_did,
                                                  int64_t now) const {
  if (nonce.size() != kNonceSize) {
    return {Finding::kNotOurs, StrCat("challenge not issued by this validator (expected ",
                                      kNonceSize, " bytes, got ", nonce.size(), ")")};
  }
  ByteView ts = nonce.first(kNonceTimeSize);
  ByteView prefix = nonce.first(kNonceTimeSize + kNonceSaltSize);
  if (!ConstantTimeEqual(nonce.subspan(prefix.size()), Mac(prefix, host_did))) {
    bool other_host = false;
    {
      std::lock_guard<std::mutex> lock(memo_mu_);
      auto it = memo_.find(ToString(nonce));
      other_host = it != memo_.end() && it->second != host_did;
    }
    if (other_host) return {Finding::kOtherHost, "challenge was issued to another host"};
    return {Finding::kNotOurs,
            "challenge not issued by this validator (MAC does not verify: forged, altered or "
            "from before a restart)"};
  }
  int64_t issued = DecodeTime(ts);
  if (issued > now && issued - now > options_.future_skew_s) {
    return {Finding::kBadTime, StrCat("challenge issued in the future (", issued - now,
                                      " s ahead of this validator's clock)")};
  }
  if (now > issued && now - issued > options_.validity_s) {
    return {Finding::kBadTime, StrCat("challenge expired: issued ", now - issued,
                                      " s ago, valid for ", options_.validity_s, " s")};
  }
  return {Finding::kFresh, ""};
}

Status ChallengeIssuer::Check(ByteView nonce, std::string_view host_did, int64_t now) const {
  Finding f = Examine(nonce, host_did, now);
  if (f.kind == Finding::kFresh) return Ok();
  return Error(Code::kStaleNonce, std::move(f.reason));
}

Status ChallengeIssuer::CheckAny(const std::vector<Bytes>& nonces, std::string_view host_did,
                                 int64_t now) const {
  if (nonces.empty()) {
    return Error(Code::kStaleNonce, "host VC carries no challenges (eat_nonce is empty)");
  }
  Finding best{Finding::kNotOurs, ""};
  for (const Bytes& nonce : nonces) {
    Finding f = Examine(nonce, host_did, now);
    if (f.kind == Finding::kFresh) return Ok();
    if (f.kind > best.kind) best = std::move(f);
  }
  if (best.kind == Finding::kNotOurs) {
    return Error(Code::kStaleNonce, StrCat("none of the ", nonces.size(),
                                           " challenges in eat_nonce was issued by this "
                                           "validator to this host"));
  }
  return Error(Code::kStaleNonce, std::move(best.reason));
}

Result<ReplayCache::Reservation> ChallengeIssuer::Redeem(const std::vector<Bytes>& nonces,
                                                         std::string_view host_did, int64_t now) {
  std::optional<Error> refusal;
  for (const Bytes& nonce : nonces) {
    if (Examine(nonce, host_did, now).kind != Finding::kFresh) continue;
    // Kept one second past validity_s: by then Check refuses it as expired.
    int64_t expires = DecodeTime(nonce) + options_.validity_s + 1;
    auto reserved = answered_.Reserve(nonce, host_did, expires, now);
    if (reserved.ok()) return reserved;
    if (!refusal || reserved.error().code() != Code::kReplay) {
      refusal = AnsweredRefusal(reserved.error(), host_did);
    }
  }
  if (refusal) return *refusal;
  Status none = CheckAny(nonces, host_did, now);
  if (!none.ok()) return none.error();
  return Error(Code::kInternal, "challenge: a fresh challenge could not be reserved");
}

Error ChallengeIssuer::AnsweredRefusal(const Error& cache_error, std::string_view host_did) const {
  switch (cache_error.code()) {
    case Code::kReplay:
      return Error(Code::kStaleNonce,
                   "challenge was already answered by another VC: a challenge is single-use (ask "
                   "GET /v1/challenge for a new one)");
    case Code::kRateLimited:
      return Error(Code::kRateLimited,
                   StrCat("host '", host_did, "' answered ", options_.answered_per_host,
                          " challenges within ", options_.validity_s,
                          " s, its quota: try again when they expire"));
    default:
      return Error(Code::kUnavailable,
                   StrCat("this validator holds ", options_.answered_capacity,
                          " answered challenges, its capacity: try again in a few seconds"));
  }
}

}  // namespace vouch::validator
