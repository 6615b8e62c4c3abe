#include "vouch/ledger/chain_state.h"

#include <algorithm>

#include "vouch/ledger/owner_proof.h"

namespace vouch::ledger {
namespace {

// "1a2b3c4d5e6f7a8b…": enough of a digest to tell two apart in a message.
std::string Short(ByteView digest) {
  return HexEncode(digest.subspan(0, std::min<size_t>(8, digest.size()))) + "…";
}

Error Refuse(Code code, std::string message) { return Error(code, std::move(message)); }

}  // namespace

const Sha256Digest& ChainState::head_digest() const {
  return digests_.empty() ? kGenesisPrev : digests_.back();
}

std::optional<Sha256Digest> ChainState::DigestAt(uint64_t index) const {
  if (index >= digests_.size()) return std::nullopt;
  return digests_[index];
}

bool ChainState::IsGovernance(std::string_view did) const {
  if (!genesis_) return false;
  return std::find(genesis_->governance.begin(), genesis_->governance.end(), did) !=
         genesis_->governance.end();
}

const DidDocument* ChainState::FindHost(std::string_view did) const {
  auto it = hosts_.find(did);
  return it == hosts_.end() ? nullptr : &it->second;
}

const ValidatorRecord* ChainState::FindValidator(std::string_view did) const {
  auto it = validators_.find(did);
  return it == validators_.end() ? nullptr : &it->second;
}

bool ChainState::IsActiveValidator(std::string_view did) const {
  const ValidatorRecord* v = FindValidator(did);
  return v != nullptr && v->admitted && !v->revoked;
}

const Revocation* ChainState::FindRevocation(std::string_view subject) const {
  auto it = revocations_.find(std::string(subject));
  return it == revocations_.end() ? nullptr : &it->second;
}

std::vector<Revocation> ChainState::LatestRevocations(size_t n) const {
  std::vector<const Revocation*> all;
  all.reserve(revocations_.size());
  for (const auto& [subject, r] : revocations_) all.push_back(&r);
  const size_t k = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(k), all.end(),
                    [](const Revocation* a, const Revocation* b) {
                      return a->index != b->index ? a->index > b->index : a->subject < b->subject;
                    });
  std::vector<Revocation> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) out.push_back(*all[i]);
  return out;
}

std::vector<std::string> ChainState::RevokedSubjects() const {
  std::vector<std::string> out;
  out.reserve(revocations_.size());
  for (const auto& [subject, r] : revocations_) out.push_back(subject);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Quarantine> ChainState::QuarantinesOf(std::string_view host) const {
  std::vector<Quarantine> out;
  for (const auto& [scope, q] : quarantines_) {
    if (scope.first == host) out.push_back(q);
  }
  return out;
}

std::vector<std::string> ChainState::PendingReports(std::string_view subject) const {
  auto it = reports_.find(subject);
  if (it == reports_.end()) return {};
  std::vector<std::string> reporters;
  for (const auto& [validator, scope] : it->second) reporters.push_back(validator);
  return reporters;
}

const Quarantine* ChainState::FindQuarantine(std::string_view host, std::string_view domain) const {
  auto it = quarantines_.find(Scope(host, domain));
  return it == quarantines_.end() ? nullptr : &it->second;
}

PlatformClass ChainState::FindPlatformClass(std::string_view name) const {
  PlatformClass out{std::string(name), {}};
  auto it = references_.find(name);
  if (it == references_.end()) return out;
  for (const auto& [fragment, record] : it->second) out.fragments.push_back(record.reference);
  return out;
}

Status ChainState::Check(const Entry& entry) const {
  auto mutation = Evaluate(entry);
  if (!mutation.ok()) return mutation.error();
  return Ok();
}

Status ChainState::Apply(const Entry& entry) {
  if (!entry.signatures_verified()) {
    return Error(Code::kMalformed,
                 StrCat("ledger entry ", entry.index(), " (", EntryTypeName(entry.type()),
                        "): its signatures were not checked (parsed pinned, applied unpinned)"));
  }
  return ApplyPinned(entry);
}

Status ChainState::ApplyPinned(const Entry& entry) {
  VOUCH_ASSIGN_OR_RETURN(Mutation mutation, Evaluate(entry));
  mutation(*this);
  digests_.push_back(entry.digest());
  return Ok();
}

void ChainState::Skip(const Sha256Digest& digest, std::string reason) {
  skipped_.push_back({size(), std::move(reason)});
  digests_.push_back(digest);
}

bool ChainState::IsSkipped(uint64_t index) const {
  auto it = std::lower_bound(skipped_.begin(), skipped_.end(), index,
                             [](const SkippedEntry& s, uint64_t i) { return s.index < i; });
  return it != skipped_.end() && it->index == index;
}

Result<ChainState::Mutation> ChainState::Evaluate(const Entry& e) const {
  std::string context = StrCat("ledger entry ", e.index(), " (", EntryTypeName(e.type()), ")");
  if (e.index() != size()) {
    return Error(Code::kMalformed, StrCat(context, ": out of order, the next entry of the chain is ",
                                          size()));
  }
  if (e.prev() != head_digest()) {
    return Error(Code::kMalformed,
                 e.index() == 0
                     ? StrCat(context, ": prev is ", Short(e.prev()), ", expected 32 zero bytes")
                     : StrCat(context, ": prev is ", Short(e.prev()), ", expected ",
                              Short(head_digest()), " (the digest of entry ", e.index() - 1, ")"));
  }
  if (e.index() == 0 && e.type() != EntryType::kGenesis) {
    return Error(Code::kMalformed, StrCat(context, ": entry 0 must be a genesis entry"));
  }
  if (e.index() != 0 && e.type() == EntryType::kGenesis) {
    return Error(Code::kMalformed, StrCat(context, ": a genesis entry is allowed only at index 0"));
  }
  if (const Revocation* r = FindRevocation(e.author().did())) {
    return Error(Code::kRevoked, StrCat(context, ": author '", e.author().did(),
                                        "' was revoked at entry ", r->index, " (", r->reason, ")"));
  }
  auto mutation = EvaluateBody(e);
  if (!mutation.ok()) return mutation.error().WithContext(context);
  return mutation;
}

Result<ChainState::Mutation> ChainState::EvaluateBody(const Entry& e) const {
  const std::string& author = e.author().did();
  const uint64_t index = e.index();

  switch (e.type()) {
    case EntryType::kGenesis: {
      const auto& b = e.body_as<GenesisBody>();
      if (std::find(b.governance.begin(), b.governance.end(), author) == b.governance.end()) {
        return Refuse(Code::kBadSignature, StrCat("unauthorized: signed by '", author,
                                                  "', which is not one of its governance keys"));
      }
      return Mutation([b](ChainState& s) { s.genesis_ = b; });
    }

    case EntryType::kDidRegister: {
      const auto& b = e.body_as<DidRegisterBody>();
      if (author != b.did) {
        return Refuse(Code::kBadSignature, StrCat("unauthorized: registers '", b.did,
                                                  "' but is signed by '", author,
                                                  "' (a DID registers only itself)"));
      }
      if (const DidDocument* d = FindHost(b.did)) {
        return Refuse(Code::kInvalidArgument,
                      StrCat("'", b.did, "' is already registered (entry ", d->registered_index,
                             "); a did-update by the DID replaces its AK or facts"));
      }
      return Mutation([b, index](ChainState& s) {
        DidDocument d;
        d.did = b.did;
        d.ak_public = b.ak_public;
        d.ek_cert = b.ek_cert;
        d.facts = b.facts;
        d.registered_index = index;
        s.hosts_[b.did] = std::move(d);
      });
    }

    case EntryType::kDidUpdate: {
      const auto& b = e.body_as<DidUpdateBody>();
      const DidDocument* doc = FindHost(b.did);
      if (b.certify_ak) {
        if (author == b.did) {
          return Refuse(Code::kBadSignature,
                        StrCat("unauthorized: '", author, "' cannot certify its own AK"));
        }
        if (!IsActiveValidator(author)) {
          return Refuse(Code::kBadSignature,
                        StrCat("unauthorized: certification by '", author,
                               "', which is not a registered, admitted, unrevoked validator"));
        }
        if (doc == nullptr) {
          return Refuse(Code::kInvalidArgument, StrCat("certifies '", b.did, "', which is not a registered host"));
        }
        if (doc->revoked) {
          return Refuse(Code::kInvalidArgument, StrCat("certifies '", b.did, "', which was revoked at entry ",
                                                       doc->revoked_index));
        }
        Sha256Digest current = Sha256(doc->ak_public);
        if (!std::equal(current.begin(), current.end(), b.certify_ak->begin(), b.certify_ak->end())) {
          return Refuse(Code::kInvalidArgument,
                        StrCat("certifies AK digest ", Short(*b.certify_ak), " but the current AK of '",
                               b.did, "' has digest ", Short(current)));
        }
        if (doc->certified_by.count(author) != 0) {
          return Refuse(Code::kInvalidArgument,
                        StrCat("'", author, "' has already certified the current AK of '", b.did, "'"));
        }
        return Mutation([did = b.did, author, index, at = e.at()](ChainState& s) {
          DidDocument& d = s.hosts_.find(did)->second;
          d.certified_by.insert(author);
          d.certifications[author] = CertificationRecord{index, at};
          s.RecomputeCertified(d);
        });
      }
      if (author != b.did) {
        return Refuse(Code::kBadSignature, StrCat("unauthorized: replaces the AK or facts of '", b.did,
                                                  "' but is signed by '", author, "'"));
      }
      if (doc == nullptr) {
        return Refuse(Code::kInvalidArgument, StrCat("'", b.did, "' is not registered (did-register first)"));
      }
      return Mutation([b](ChainState& s) {
        DidDocument& d = s.hosts_.find(b.did)->second;
        if (b.ak_public && *b.ak_public != d.ak_public) {
          d.ak_public = *b.ak_public;
          d.certified_by.clear();
          d.certifications.clear();
          d.certified = false;
        }
        if (b.facts) d.facts = *b.facts;
      });
    }

    case EntryType::kValidatorRegister: {
      const auto& b = e.body_as<ValidatorRegisterBody>();
      if (author != b.did) {
        return Refuse(Code::kBadSignature, StrCat("unauthorized: registers validator '", b.did,
                                                  "' but is signed by '", author, "'"));
      }
      std::set<std::string> admitted_by;
      for (const std::string& signer : e.countersigners()) {
        if (!IsGovernance(signer) || IsRevoked(signer)) {
          return Refuse(Code::kBadSignature,
                        StrCat("unauthorized: countersigned by '", signer,
                               "', which is not an unrevoked governance key"));
        }
        admitted_by.insert(signer);
      }
      return Mutation([b, index, admitted_by = std::move(admitted_by)](ChainState& s) {
        ValidatorRecord& v = s.validators_[b.did];
        v.did = b.did;
        v.hpke_pk = b.hpke_pk;
        v.endpoint = b.endpoint;
        v.operator_name = b.operator_name;
        v.region = b.region;
        v.admitted_by = admitted_by;
        v.admitted = admitted_by.size() >= s.genesis_->admit_quorum;
        v.registered_index = index;
        s.RecomputeAllCertified();
      });
    }

    case EntryType::kValidatorUpdate: {
      const auto& b = e.body_as<ValidatorUpdateBody>();
      const ValidatorRecord* v = FindValidator(b.did);
      if (v == nullptr) {
        return Refuse(Code::kInvalidArgument, StrCat("'", b.did, "' is not a registered validator"));
      }
      if (v->revoked) {
        return Refuse(Code::kInvalidArgument,
                      StrCat("validator '", b.did, "' was revoked at entry ", v->revoked_index));
      }
      if (author == b.did) {
        if (b.reputation) {
          return Refuse(Code::kBadSignature,
                        StrCat("unauthorized: validator '", author, "' cannot set its own reputation"));
        }
      } else if (IsGovernance(author)) {
        if (b.endpoint || b.hpke_pk) {
          return Refuse(Code::kBadSignature,
                        StrCat("unauthorized: governance key '", author,
                               "' may set only the reputation of validator '", b.did,
                               "', not its endpoint or key"));
        }
      } else {
        return Refuse(Code::kBadSignature,
                      StrCat("unauthorized: updates validator '", b.did, "' but is signed by '", author,
                             "', neither that validator nor a governance key"));
      }
      return Mutation([b](ChainState& s) {
        ValidatorRecord& v = s.validators_.find(b.did)->second;
        if (b.reputation) v.reputation = *b.reputation;
        if (b.endpoint) v.endpoint = *b.endpoint;
        if (b.hpke_pk) v.hpke_pk = *b.hpke_pk;
      });
    }

    case EntryType::kRevoke: {
      const auto& b = e.body_as<RevokeBody>();
      if (const Revocation* r = FindRevocation(b.subject)) {
        return Refuse(Code::kInvalidArgument,
                      StrCat("'", b.subject, "' is already revoked (entry ", r->index, ")"));
      }
      if (!e.countersigners().empty() && !IsGovernance(author)) {
        return Refuse(Code::kBadSignature,
                      StrCat("unauthorized: a revoke by '", author, "' carries ", e.countersigners().size(),
                             " countersignatures, but only a governance revoke is countersigned"));
      }
      if (IsGovernance(author) && author != b.subject) {
        VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> decided_by,
                               GovernanceQuorum(e, StrCat("governance revocation of '", b.subject, "'")));
        return Mutation([b, index, decided_by = std::move(decided_by)](ChainState& s) {
          s.MarkRevoked(b.subject, b.reason, b.evidence, index, decided_by);
          if (!b.host.empty()) s.MarkQuarantined(Scope(b.host, b.domain), b.subject, b.reason, index, b.owner);
        });
      }
      if (!b.owner_proof.empty()) return EvaluateOwnerRevoke(e, b);
      if (author == b.subject) {
        return Mutation([b, index, author](ChainState& s) {
          s.MarkRevoked(b.subject, b.reason, b.evidence, index, {author});
        });
      }
      return EvaluateValidatorReport(e, b);
    }

    case EntryType::kReinstate: {
      const auto& b = e.body_as<ReinstateBody>();
      const Quarantine* q = FindQuarantine(b.host, b.domain);
      if (q != nullptr && !q->owner.empty() && author == q->owner) {
        if (!e.countersigners().empty()) {
          return Refuse(Code::kBadSignature, StrCat("unauthorized: the owner's reinstatement of host '", b.host,
                                                    "' carries countersignatures; an owner signs alone"));
        }
        return Mutation([b](ChainState& s) { s.quarantines_.erase(Scope(b.host, b.domain)); });
      }
      if (!IsGovernance(author)) {
        return Refuse(Code::kBadSignature,
                      StrCat("unauthorized: reinstates host '", b.host, "' for domain ", b.domain,
                             " but is signed by '", author, "', which is neither a governance key nor ",
                             q == nullptr || q->owner.empty() ? std::string("the domain's known owner")
                                                              : StrCat("its owner '", q->owner, "'")));
      }
      if (q == nullptr) {
        return Refuse(Code::kInvalidArgument,
                      StrCat("host '", b.host, "' is not quarantined for domain ", b.domain));
      }
      VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> decided_by,
                             GovernanceQuorum(e, StrCat("reinstatement of host '", b.host, "' for domain ",
                                                        b.domain)));
      return Mutation([b](ChainState& s) { s.quarantines_.erase(Scope(b.host, b.domain)); });
    }

    case EntryType::kReference: {
      const BootReference& ref = e.body_as<ReferenceBody>().reference;
      std::string what = StrCat("reference ", ref.platform_class, "/", ref.name);
      if (!IsGovernance(author)) {
        return Refuse(Code::kBadSignature,
                      StrCat("unauthorized: ", what, " is signed by '", author,
                             "', which is not a governance key (an operator proposes a fragment; governance "
                             "drafts, countersigns and submits it)"));
      }
      VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> decided_by, GovernanceQuorum(e, what));
      if (ref.withdrawn) {
        auto cls = references_.find(ref.platform_class);
        if (cls == references_.end() || cls->second.count(ref.name) == 0) {
          return Refuse(Code::kInvalidArgument, StrCat("withdraws ", what, ", which is not in effect"));
        }
      }
      return Mutation([ref, index, decided_by = std::move(decided_by)](ChainState& s) {
        if (ref.withdrawn) {
          auto cls = s.references_.find(ref.platform_class);
          cls->second.erase(ref.name);
          if (cls->second.empty()) s.references_.erase(cls);
          return;
        }
        s.references_[ref.platform_class][ref.name] = ReferenceRecord{ref, index, decided_by};
      });
    }

    case EntryType::kAttested: {
      const auto& b = e.body_as<AttestedBody>();
      if (author != b.host) {
        return Refuse(Code::kBadSignature, StrCat("unauthorized: attests host '", b.host,
                                                  "' but is signed by '", author, "'"));
      }
      const DidDocument* doc = FindHost(b.host);
      if (doc == nullptr) {
        return Refuse(Code::kInvalidArgument, StrCat("host '", b.host, "' is not registered"));
      }
      for (const auto& v : b.validators) {
        if (FindValidator(v) == nullptr) {
          return Refuse(Code::kInvalidArgument, StrCat("lists '", v, "', which is not a registered validator"));
        }
      }
      return Mutation([b, index, at = e.at()](ChainState& s) {
        s.attested_.push_back(AttestedRecord{index, at, b.vc_digest, b.domain, b.host, b.validators});
      });
    }

    case EntryType::kCheckpoint: {
      const auto& b = e.body_as<CheckpointBody>();
      if (!IsActiveValidator(author) && !IsGovernance(author)) {
        return Refuse(Code::kBadSignature,
                      StrCat("unauthorized: checkpoint by '", author,
                             "', which is neither an admitted validator nor a governance key"));
      }
      if (b.head_index >= index) {
        return Refuse(Code::kInvalidArgument, StrCat("head_index ", b.head_index,
                                                     " is not before the checkpoint itself"));
      }
      const Sha256Digest& digest = digests_[b.head_index];
      if (!std::equal(digest.begin(), digest.end(), b.head_digest.begin(), b.head_digest.end())) {
        return Refuse(Code::kInvalidArgument,
                      StrCat("head_digest ", Short(b.head_digest), " is not the digest of entry ",
                             b.head_index, " (", Short(digest), ")"));
      }
      std::vector<std::string> cosigners;
      if (IsActiveValidator(author)) cosigners.push_back(author);
      for (const std::string& signer : e.countersigners()) {
        if (!IsActiveValidator(signer)) {
          return Refuse(Code::kBadSignature,
                        StrCat("unauthorized: cosigned by '", signer,
                               "', which is not an admitted, unrevoked validator"));
        }
        cosigners.push_back(signer);
      }
      return Mutation([b, index, author, digest, cosigners = std::move(cosigners)](ChainState& s) {
        s.checkpoints_.push_back(CheckpointRecord{index, b.head_index, digest, author, cosigners});
      });
    }
  }
  return Refuse(Code::kInternal, "unknown entry type");
}

Result<ChainState::Mutation> ChainState::EvaluateOwnerRevoke(const Entry& e, const RevokeBody& b) const {
  const std::string& author = e.author().did();
  const uint64_t index = e.index();
  if (author != b.owner) {
    return Refuse(Code::kBadSignature, StrCat("unauthorized: an owner's revoke of '", b.subject, "' names owner '",
                                              b.owner, "' but is signed by '", author, "'"));
  }
  auto proof = VerifyOwnerProof(b.owner_proof);
  if (!proof.ok()) {
    return Refuse(proof.error().code() == Code::kBadSignature ? Code::kBadSignature : Code::kInvalidArgument,
                  StrCat("unauthorized: revoke by '", author, "': ", proof.error().message()));
  }
  auto mismatch = [&](const char* field, const std::string& named, const std::string& proven) {
    return Refuse(Code::kBadSignature, StrCat("unauthorized: revoke by '", author, "' names ", field, " '", named,
                                              "' but its owner proof shows '", proven, "'"));
  };
  if (proof->owner != author) return mismatch("owner", author, proof->owner);
  if (proof->launch != b.subject) return mismatch("launch", b.subject, proof->launch);
  if (proof->host != b.host) return mismatch("host", b.host, proof->host);
  if (proof->domain != b.domain) return mismatch("domain", b.domain, proof->domain);
  return Mutation([b, index, author](ChainState& s) {
    s.MarkRevoked(b.subject, b.reason, b.evidence, index, {author});
    s.MarkQuarantined(Scope(b.host, b.domain), b.subject, b.reason, index, author);
  });
}

Result<ChainState::Mutation> ChainState::EvaluateValidatorReport(const Entry& e, const RevokeBody& b) const {
  const std::string& author = e.author().did();
  const uint64_t index = e.index();
  if (!IsActiveValidator(author)) {
    return Refuse(Code::kBadSignature,
                  StrCat("unauthorized: revokes '", b.subject, "' but is signed by '", author,
                         "', which is neither the subject, a governance key, the owner with its proof nor an "
                         "admitted validator"));
  }
  if (IsGovernance(b.subject)) {
    return Refuse(Code::kBadSignature, StrCat("unauthorized: validator '", author,
                                              "' reports governance key '", b.subject,
                                              "' (only governance revokes governance)"));
  }
  if (FindValidator(b.subject) != nullptr) {
    return Refuse(Code::kBadSignature, StrCat("unauthorized: validator '", author,
                                              "' reports validator '", b.subject,
                                              "' (only a governance quorum revokes a validator)"));
  }
  auto it = reports_.find(b.subject);
  if (it != reports_.end() && it->second.count(author) != 0) {
    return Refuse(Code::kInvalidArgument,
                  StrCat("validator '", author, "' has already reported '", b.subject, "'"));
  }
  return Mutation([b, index, author](ChainState& s) {
    std::map<std::string, NamedLaunch>& reporters = s.reports_[b.subject];
    reporters[author] = NamedLaunch{Scope(b.host, b.domain), b.owner};
    std::vector<std::string> active;
    std::map<Scope, size_t> named;
    std::map<std::pair<Scope, std::string>, size_t> owned;
    for (const auto& [r, launch] : reporters) {
      if (!s.IsActiveValidator(r)) continue;
      active.push_back(r);
      if (launch.scope.first.empty()) continue;
      ++named[launch.scope];
      if (!launch.owner.empty()) ++owned[{launch.scope, launch.owner}];
    }
    const uint64_t quorum = s.genesis_->revoke_quorum;
    if (active.size() < quorum) return;
    s.MarkRevoked(b.subject, b.reason, b.evidence, index, std::move(active));
    for (const auto& [scope, count] : named) {
      if (count < quorum) continue;
      std::string owner;  // only an owner the quorum agrees on may lift it
      for (const auto& [key, n] : owned) {
        if (key.first == scope && n >= quorum) owner = key.second;
      }
      s.MarkQuarantined(scope, b.subject, b.reason, index, owner);
    }
  });
}

Result<std::vector<std::string>> ChainState::GovernanceQuorum(const Entry& e, const std::string& what) const {
  std::vector<std::string> decided_by = {e.author().did()};
  for (const std::string& signer : e.countersigners()) {
    if (!IsGovernance(signer) || IsRevoked(signer)) {
      return Refuse(Code::kBadSignature,
                    StrCat("unauthorized: countersigned by '", signer, "', which is not an unrevoked governance key"));
    }
    decided_by.push_back(signer);
  }
  if (decided_by.size() < genesis_->admit_quorum) {
    return Refuse(Code::kBadSignature,
                  StrCat("unauthorized: ", what, " is signed by ", decided_by.size(),
                         " governance keys (author and countersigners), admit_quorum ", genesis_->admit_quorum,
                         " needed"));
  }
  return decided_by;
}

void ChainState::RecomputeCertified(DidDocument& doc) const {
  size_t active = 0;
  for (const auto& v : doc.certified_by) {
    if (IsActiveValidator(v)) ++active;
  }
  doc.certified = genesis_ && active >= genesis_->certify_quorum;
}

void ChainState::RecomputeAllCertified() {
  for (auto& [did, doc] : hosts_) RecomputeCertified(doc);
}

void ChainState::MarkQuarantined(const Scope& scope, const std::string& launch, const std::string& reason,
                                 uint64_t index, const std::string& owner) {
  quarantines_.try_emplace(scope, Quarantine{scope.first, scope.second, launch, reason, index, owner});
}

void ChainState::MarkRevoked(const std::string& subject, std::string reason, Bytes evidence,
                             uint64_t index, std::vector<std::string> decided_by) {
  reports_.erase(subject);
  if (auto it = hosts_.find(subject); it != hosts_.end()) {
    it->second.revoked = true;
    it->second.revoked_reason = reason;
    it->second.revoked_index = index;
  }
  if (auto it = validators_.find(subject); it != validators_.end()) {
    it->second.revoked = true;
    it->second.revoked_reason = reason;
    it->second.revoked_index = index;
    RecomputeAllCertified();
  }
  revocations_[subject] =
      Revocation{subject, std::move(reason), std::move(evidence), index, std::move(decided_by)};
}

}  // namespace vouch::ledger
