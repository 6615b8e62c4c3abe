#include "vouch/ledger/chain_state.h"

#include <gtest/gtest.h>

#include "testing/ledger_world.h"
#include "testing/owned_launch.h"

namespace vouch::ledger {
namespace {

using testing::Did;
using testing::World;

#define ASSERT_OK(expr)                                          \
  do {                                                           \
    auto&& s_ = (expr);                                          \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString();               \
  } while (0)

// Expects `status` to fail with `code` and a message containing `words`.
void ExpectRefused(const Status& status, Code code, const std::string& words) {
  ASSERT_FALSE(status.ok()) << "expected a refusal containing: " << words;
  EXPECT_EQ(status.error().code(), code) << status.error().ToString();
  EXPECT_NE(status.error().message().find(words), std::string::npos) << status.error().message();
}

TEST(ChainState, ChainOfEveryEntryTypeVerifiesAndFillsTheViews) {
  World w;
  ASSERT_OK(w.Bootstrap(3));  // entries 0..3
  ASSERT_NE(w.state.genesis(), nullptr);
  EXPECT_EQ(w.state.genesis()->governance.size(), 3u);

  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));  // 4
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[0]));  // 5
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[1]));  // 6
  ASSERT_OK(w.Add(ValidatorUpdateBody{Did(w.val[0]), 900, {}, {}}, w.gov[2]));  // 7
  ASSERT_OK(w.Add(ValidatorUpdateBody{Did(w.val[1]), {}, "https://vd-b:7443", {}}, w.val[1]));  // 8
  Bytes vc_digest = RandomBytes(32);
  ASSERT_OK(w.Add(AttestedBody{vc_digest, "web1", reg.did, {Did(w.val[0]), Did(w.val[1])}}, w.host[0]));  // 9
  ASSERT_OK(w.Add(RevokeBody{"cti:00112233445566778899aabbccddeeff", "replayed VC", {}}, w.gov[1],
                  {&w.gov[2]}));  // 10
  Sha256Digest d9 = *w.state.DigestAt(9);
  ASSERT_OK(w.Add(CheckpointBody{9, ToBytes(d9)}, w.val[0], {&w.val[1], &w.val[2]}));  // 11
  EXPECT_EQ(w.state.size(), 12u);

  const DidDocument* doc = w.state.FindHost(reg.did);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->ak_public, reg.ak_public);
  EXPECT_EQ(doc->facts, reg.facts);
  EXPECT_EQ(doc->registered_index, 4u);
  EXPECT_EQ(doc->certified_by, (std::set<std::string>{Did(w.val[0]), Did(w.val[1])}));
  EXPECT_EQ(doc->certifications.at(Did(w.val[0])).index, 5u);
  EXPECT_EQ(doc->certifications.at(Did(w.val[1])).index, 6u);
  EXPECT_GE(doc->certifications.at(Did(w.val[1])).at, doc->certifications.at(Did(w.val[0])).at);
  EXPECT_TRUE(doc->certified);
  EXPECT_FALSE(doc->revoked);

  const ValidatorRecord* v0 = w.state.FindValidator(Did(w.val[0]));
  ASSERT_NE(v0, nullptr);
  EXPECT_TRUE(v0->admitted);
  EXPECT_EQ(v0->admitted_by, (std::set<std::string>{Did(w.gov[0]), Did(w.gov[1])}));
  EXPECT_EQ(v0->reputation, 900u);
  EXPECT_EQ(v0->operator_name, "op-a");
  EXPECT_EQ(w.state.FindValidator(Did(w.val[1]))->endpoint, "https://vd-b:7443");
  EXPECT_EQ(w.state.FindValidator(Did(w.val[1]))->reputation, kDefaultReputation);
  EXPECT_EQ(w.state.validators().size(), 3u);

  EXPECT_TRUE(w.state.IsRevoked("cti:00112233445566778899aabbccddeeff"));
  EXPECT_FALSE(w.state.IsRevoked(reg.did));
  EXPECT_EQ(w.state.FindRevocation("cti:00112233445566778899aabbccddeeff")->index, 10u);

  ASSERT_EQ(w.state.attested().size(), 1u);
  EXPECT_EQ(w.state.attested()[0].vc_digest, vc_digest);
  EXPECT_EQ(w.state.attested()[0].index, 9u);
  ASSERT_EQ(w.state.checkpoints().size(), 1u);
  EXPECT_EQ(w.state.checkpoints()[0].head_digest, d9);
  EXPECT_EQ(w.state.checkpoints()[0].cosigners,
            (std::vector<std::string>{Did(w.val[0]), Did(w.val[1]), Did(w.val[2])}));
}

TEST(ChainState, FirstEntryMustBeGenesisSignedByOneOfItsGovernanceKeys) {
  World w;
  auto reg = w.Next(testing::HostRegistration(w.host[0]), w.host[0]);
  ExpectRefused(w.state.Apply(*reg), Code::kMalformed, "ledger entry 0 (did-register): entry 0 must be a genesis");
  auto outsider = w.Next(w.Genesis(), w.host[0]);
  ExpectRefused(w.state.Apply(*outsider), Code::kBadSignature,
                "ledger entry 0 (genesis): unauthorized: signed by '" + Did(w.host[0]) +
                    "', which is not one of its governance keys");
  EXPECT_EQ(w.state.size(), 0u);
  ASSERT_OK(w.Add(w.Genesis(), w.gov[2]));
  auto second = w.Next(w.Genesis(), w.gov[0]);
  ExpectRefused(w.state.Apply(*second), Code::kMalformed, "ledger entry 1 (genesis): a genesis entry is allowed only at index 0");
}

TEST(ChainState, ValidatorWithoutAdmitQuorumIsRegisteredButNotAdmitted) {
  World w;
  ASSERT_OK(w.Add(w.Genesis(/*certify=*/1, /*admit=*/2, /*revoke=*/1), w.gov[0]));
  ASSERT_OK(w.Add(testing::ValidatorRegistration(w.val[0]), w.val[0], {&w.gov[0]}));
  const ValidatorRecord* v = w.state.FindValidator(Did(w.val[0]));
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->admitted);
  EXPECT_EQ(v->admitted_by.size(), 1u);
  EXPECT_FALSE(w.state.IsActiveValidator(Did(w.val[0])));
  // Not admitted, so it may not certify.
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ExpectRefused(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[0]), Code::kBadSignature,
                "not a registered, admitted, unrevoked validator");
  // Registering again with a second governance countersignature admits it.
  ASSERT_OK(w.Add(testing::ValidatorRegistration(w.val[0]), w.val[0], {&w.gov[0], &w.gov[2]}));
  EXPECT_TRUE(w.state.FindValidator(Did(w.val[0]))->admitted);
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[0]));
  EXPECT_TRUE(w.state.FindHost(reg.did)->certified);
}

TEST(ChainState, ValidatorCountersignedByNonGovernanceKeyIsRefused) {
  World w;
  ASSERT_OK(w.Bootstrap(1));
  ExpectRefused(w.Add(testing::ValidatorRegistration(w.val[1]), w.val[1], {&w.gov[0], &w.val[0]}),
                Code::kBadSignature,
                "ledger entry 2 (validator-register): unauthorized: countersigned by '" + Did(w.val[0]) +
                    "', which is not an unrevoked governance key");
  ExpectRefused(w.Add(testing::ValidatorRegistration(w.val[1]), w.val[2], {&w.gov[0], &w.gov[1]}),
                Code::kBadSignature, "registers validator '" + Did(w.val[1]) + "' but is signed by");
}

TEST(ChainState, AkIsCertifiedOnlyAtCertifyQuorum) {
  World w;
  ASSERT_OK(w.Bootstrap(3, /*certify=*/3));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[0]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[1]));
  EXPECT_EQ(w.state.FindHost(reg.did)->certified_by.size(), 2u);
  EXPECT_FALSE(w.state.FindHost(reg.did)->certified);
  ExpectRefused(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[1]), Code::kInvalidArgument,
                "has already certified the current AK");
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[2]));
  EXPECT_TRUE(w.state.FindHost(reg.did)->certified);
}

TEST(ChainState, NewAkRestartsCertificationAndStaleDigestsAreRefused) {
  World w;
  ASSERT_OK(w.Bootstrap(3, /*certify=*/2));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[0]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[1]));
  ASSERT_TRUE(w.state.FindHost(reg.did)->certified);
  // New facts alone keep the certification of the same AK.
  ASSERT_OK(w.Add(DidUpdateBody{reg.did, {}, {}, cbor::Value::Map({{"libvirt", "9.1.0"}})}, w.host[0]));
  EXPECT_TRUE(w.state.FindHost(reg.did)->certified);
  // A new AK restarts it.
  Bytes new_ak = testing::AkPublic(77);
  ASSERT_OK(w.Add(DidUpdateBody{reg.did, {}, new_ak, {}}, w.host[0]));
  const DidDocument* doc = w.state.FindHost(reg.did);
  EXPECT_EQ(doc->ak_public, new_ak);
  EXPECT_TRUE(doc->certified_by.empty());
  EXPECT_TRUE(doc->certifications.empty());
  EXPECT_FALSE(doc->certified);
  ExpectRefused(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[2]), Code::kInvalidArgument,
                "certifies AK digest");
  ASSERT_OK(w.Add(testing::Certification(reg.did, new_ak), w.val[2]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, new_ak), w.val[0]));
  EXPECT_TRUE(w.state.FindHost(reg.did)->certified);
}

TEST(ChainState, RevokingACertifyingValidatorDropsItsCertification) {
  World w;
  ASSERT_OK(w.Bootstrap(3, /*certify=*/2));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[0]));
  ASSERT_OK(w.Add(testing::Certification(reg.did, reg.ak_public), w.val[1]));
  ASSERT_TRUE(w.state.FindHost(reg.did)->certified);
  ASSERT_OK(w.Add(testing::Revoke(Did(w.val[1]), "key leaked"), w.gov[0], {&w.gov[1]}));
  EXPECT_TRUE(w.state.FindValidator(Did(w.val[1]))->revoked);
  EXPECT_FALSE(w.state.FindHost(reg.did)->certified);
  // The revoked validator can write nothing any more.
  ExpectRefused(w.Add(testing::Revoke(reg.did), w.val[1]), Code::kRevoked,
                "author '" + Did(w.val[1]) + "' was revoked at entry");
}

TEST(ChainState, ValidatorReportsRevokeOnlyAtRevokeQuorum) {
  World w;
  ASSERT_OK(w.Bootstrap(3, /*certify=*/2, /*admit=*/2, /*revoke=*/2));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(testing::Revoke(reg.did, "PCR 7 drift"), w.val[0]));
  EXPECT_FALSE(w.state.IsRevoked(reg.did));
  EXPECT_FALSE(w.state.FindHost(reg.did)->revoked);
  EXPECT_EQ(w.state.PendingReports(reg.did), std::vector<std::string>{Did(w.val[0])});
  ExpectRefused(w.Add(testing::Revoke(reg.did), w.val[0]), Code::kInvalidArgument, "has already reported");
  // The host keeps working while only one validator reports it.
  ASSERT_OK(w.Add(AttestedBody{RandomBytes(32), "web1", reg.did, {}}, w.host[0]));
  ASSERT_OK(w.Add(testing::Revoke(reg.did, "missed re-attestation"), w.val[2]));
  const uint64_t effective = w.state.size() - 1;
  const Revocation* r = w.state.FindRevocation(reg.did);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->index, effective);
  EXPECT_EQ(r->reason, "missed re-attestation");
  EXPECT_EQ(r->decided_by.size(), 2u);
  EXPECT_TRUE(w.state.PendingReports(reg.did).empty());
  const DidDocument* doc = w.state.FindHost(reg.did);
  EXPECT_TRUE(doc->revoked);
  EXPECT_EQ(doc->revoked_index, effective);
  ExpectRefused(w.Add(AttestedBody{RandomBytes(32), "web1", reg.did, {}}, w.host[0]), Code::kRevoked,
                "was revoked at entry " + std::to_string(effective));
  ExpectRefused(w.Add(testing::Revoke(reg.did), w.val[1]), Code::kInvalidArgument, "is already revoked");
}

// The attacker: admitted validators reporting another validator, to take it
// out of every future policy. Reports count only on hosts and credentials.
TEST(ChainState, NoValidatorNorRevokeQuorumOfThemRevokesAnotherValidator) {
  World w;
  ASSERT_OK(w.Bootstrap(3, /*certify=*/2, /*admit=*/2, /*revoke=*/1));
  // An unadmitted registration (one governance countersignature) is still a validator's.
  ASSERT_OK(w.Add(testing::ValidatorRegistration(w.val[3]), w.val[3], {&w.gov[0]}));
  const std::string v1 = Did(w.val[1]);
  const uint64_t next = w.state.size();
  // revoke_quorum 1: a host report by one validator would take effect at once, a validator's may not.
  ExpectRefused(w.Add(testing::Revoke(v1, "slow answers"), w.val[0]), Code::kBadSignature,
                "ledger entry " + std::to_string(next) + " (revoke): unauthorized: validator '" + Did(w.val[0]) +
                    "' reports validator '" + v1 + "' (only a governance quorum revokes a validator)");
  ExpectRefused(w.Add(testing::Revoke(Did(w.val[3])), w.val[2]), Code::kBadSignature,
                "only a governance quorum revokes a validator");
  EXPECT_EQ(w.state.size(), next);
  EXPECT_FALSE(w.state.IsRevoked(v1));
  EXPECT_TRUE(w.state.IsActiveValidator(v1));
  EXPECT_TRUE(w.state.PendingReports(v1).empty());

  // revoke_quorum 2: every reporting validator is refused, so no pair adds up to a quorum.
  World q;
  ASSERT_OK(q.Bootstrap(3, 2, 2, /*revoke=*/2));
  for (int reporter : {0, 2}) {
    ExpectRefused(q.Add(testing::Revoke(Did(q.val[1])), q.val[reporter]), Code::kBadSignature,
                  "only a governance quorum revokes a validator");
  }
  EXPECT_FALSE(q.state.IsRevoked(Did(q.val[1])));
  // The validator may still retire itself, and a governance quorum may revoke it.
  ASSERT_OK(q.Add(testing::Revoke(Did(q.val[2]), "retired"), q.val[2]));
  EXPECT_TRUE(q.state.FindValidator(Did(q.val[2]))->revoked);
  ExpectRefused(q.Add(testing::Revoke(Did(q.val[1]), "key leaked"), q.gov[0]), Code::kBadSignature,
                "is signed by 1 governance keys (author and countersigners), admit_quorum 2 needed");
  ASSERT_OK(q.Add(testing::Revoke(Did(q.val[1]), "key leaked"), q.gov[0], {&q.gov[1]}));
  EXPECT_TRUE(q.state.FindValidator(Did(q.val[1]))->revoked);
}

TEST(ChainState, HostAndCredentialAreRevokedOnlyAtTheRevokeQuorumthReport) {
  World w;
  ASSERT_OK(w.Bootstrap(4, 2, 2, /*revoke=*/3));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  const std::string cti = "cti:00112233445566778899aabbccddeeff";
  for (const std::string& subject : {reg.did, cti}) {
    SCOPED_TRACE(subject);
    ASSERT_OK(w.Add(testing::Revoke(subject, "drift"), w.val[0]));
    ASSERT_OK(w.Add(testing::Revoke(subject, "drift"), w.val[1]));
    EXPECT_FALSE(w.state.IsRevoked(subject));  // revoke_quorum - 1 reports
    EXPECT_EQ(w.state.PendingReports(subject).size(), 2u);
    ASSERT_OK(w.Add(testing::Revoke(subject, "drift confirmed"), w.val[2]));
    const Revocation* r = w.state.FindRevocation(subject);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(std::set<std::string>(r->decided_by.begin(), r->decided_by.end()),
              (std::set<std::string>{Did(w.val[0]), Did(w.val[1]), Did(w.val[2])}));
    EXPECT_EQ(r->reason, "drift confirmed");
  }
  EXPECT_TRUE(w.state.FindHost(reg.did)->revoked);
}

TEST(ChainState, ReportsOfAValidatorRevokedMeanwhileStopCounting) {
  World w;
  ASSERT_OK(w.Bootstrap(3, 2, 2, /*revoke=*/2));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(testing::Revoke(reg.did, "drift"), w.val[0]));
  // Governance revokes the reporting validator: its report is no longer one of the two.
  ASSERT_OK(w.Add(testing::Revoke(Did(w.val[0]), "rogue"), w.gov[0], {&w.gov[1]}));
  ASSERT_OK(w.Add(testing::Revoke(reg.did, "drift"), w.val[1]));
  EXPECT_FALSE(w.state.IsRevoked(reg.did));
  ASSERT_OK(w.Add(testing::Revoke(reg.did, "drift"), w.val[2]));
  EXPECT_TRUE(w.state.IsRevoked(reg.did));
}

TEST(ChainState, HostRevokingItselfActsAlone) {
  World w;
  ASSERT_OK(w.Bootstrap(3, 2, 2, /*revoke=*/3));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(testing::Revoke(reg.did, "decommissioned"), w.host[0]));
  EXPECT_TRUE(w.state.IsRevoked(reg.did));
  EXPECT_EQ(w.state.FindRevocation(reg.did)->decided_by, std::vector<std::string>{reg.did});
  ExpectRefused(w.Add(reg, w.host[0]), Code::kRevoked, "ledger entry 6 (did-register): author");
}

TEST(ChainState, LatestRevocationsAreTheNewestFirstAndAtMostN) {
  World w;
  ASSERT_OK(w.Bootstrap(3, 2, 2, /*revoke=*/3));
  EXPECT_TRUE(w.state.LatestRevocations(5).empty());
  std::vector<std::string> dids;
  for (int i = 0; i < 3; ++i) {
    DidRegisterBody reg = testing::HostRegistration(w.host[i]);
    ASSERT_OK(w.Add(reg, w.host[i]));
    dids.push_back(reg.did);
  }
  for (int i = 0; i < 3; ++i) ASSERT_OK(w.Add(testing::Revoke(dids[i], StrCat("retired ", i)), w.host[i]));
  std::vector<Revocation> latest = w.state.LatestRevocations(2);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].subject, dids[2]);
  EXPECT_EQ(latest[0].reason, "retired 2");
  EXPECT_EQ(latest[1].subject, dids[1]);
  EXPECT_GT(latest[0].index, latest[1].index);
  EXPECT_EQ(w.state.LatestRevocations(10).size(), 3u);
}

TEST(ChainState, GovernanceQuorumRevokesEvenValidators) {
  World w;
  ASSERT_OK(w.Bootstrap(2, 2, /*admit=*/2, /*revoke=*/3));
  ASSERT_OK(w.Add(testing::Revoke(Did(w.val[0]), "Sybil"), w.gov[2], {&w.gov[0]}));
  EXPECT_TRUE(w.state.FindValidator(Did(w.val[0]))->revoked);
  EXPECT_FALSE(w.state.IsActiveValidator(Did(w.val[0])));
  EXPECT_EQ(w.state.FindRevocation(Did(w.val[0]))->decided_by,
            (std::vector<std::string>{Did(w.gov[2]), Did(w.gov[0])}));
  // Validators cannot report governance keys.
  ExpectRefused(w.Add(testing::Revoke(Did(w.gov[0])), w.val[1]), Code::kBadSignature,
                "only governance revokes governance");
}

TEST(ChainState, GovernanceRevokeBelowAdmitQuorumIsRefusedWithTheCounts) {
  World w;
  ASSERT_OK(w.Bootstrap(2, 2, /*admit=*/3, /*revoke=*/1));
  ASSERT_OK(w.Add(testing::ValidatorRegistration(w.val[3]), w.val[3], {&w.gov[0], &w.gov[1], &w.gov[2]}));
  ASSERT_TRUE(w.state.IsActiveValidator(Did(w.val[3])));
  const std::string v0 = Did(w.val[0]);
  const uint64_t next = w.state.size();
  // One governance key alone: refused, the state unchanged.
  ExpectRefused(w.Add(testing::Revoke(v0, "Sybil"), w.gov[0]), Code::kBadSignature,
                "ledger entry " + std::to_string(next) + " (revoke): unauthorized: governance revocation of '" +
                    v0 + "' is signed by 1 governance keys (author and countersigners), admit_quorum 3 needed");
  ExpectRefused(w.Add(testing::Revoke("cti:00112233445566778899aabbccddeeff"), w.gov[0], {&w.gov[1]}),
                Code::kBadSignature, "is signed by 2 governance keys (author and countersigners), admit_quorum 3");
  EXPECT_EQ(w.state.size(), next);
  EXPECT_FALSE(w.state.IsRevoked(v0));
  // A validator's countersignature does not count toward it.
  ExpectRefused(w.Add(testing::Revoke(v0), w.gov[0], {&w.gov[1], &w.val[1]}), Code::kBadSignature,
                "unauthorized: countersigned by '" + Did(w.val[1]) + "', which is not an unrevoked governance key");
  // Nor does a revoked governance key's: gov[2] revokes itself (alone), then cannot countersign.
  ASSERT_OK(w.Add(testing::Revoke(Did(w.gov[2]), "retired"), w.gov[2]));
  EXPECT_EQ(w.state.FindRevocation(Did(w.gov[2]))->decided_by, std::vector<std::string>{Did(w.gov[2])});
  ExpectRefused(w.Add(testing::Revoke(v0), w.gov[0], {&w.gov[1], &w.gov[2]}), Code::kBadSignature,
                "unauthorized: countersigned by '" + Did(w.gov[2]) + "', which is not an unrevoked governance key");
  EXPECT_FALSE(w.state.IsRevoked(v0));
  // Validator reports keep their own quorum (revoke_quorum 1 here) and carry no countersignatures.
  ExpectRefused(w.Add(testing::Revoke(Did(w.host[0])), w.val[3], {&w.gov[0]}), Code::kBadSignature,
                "only a governance revoke is countersigned");
  ASSERT_OK(w.Add(testing::Revoke(Did(w.host[0]), "PCR drift"), w.val[3]));
  EXPECT_TRUE(w.state.IsRevoked(Did(w.host[0])));
}

// A launch credential revoked by reports that name its host and domain
// quarantines that host for that domain, and nothing else.
TEST(ChainState, ARevokedLaunchQuarantinesItsHostForItsDomain) {
  World w;
  ASSERT_OK(w.Bootstrap(4, 2, 2, /*revoke=*/2));
  const std::string host = Did(w.host[0]), other_host = Did(w.host[1]);
  const std::string domain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  const std::string cti = "cti:00112233445566778899aabbccddeeff";
  auto report = [&](std::string h, std::string reason = "PCR 7 drift") {
    RevokeBody b = testing::Revoke(cti, std::move(reason));
    b.host = std::move(h);
    b.domain = domain;
    return b;
  };
  ASSERT_OK(w.Add(report(host), w.val[0]));
  EXPECT_EQ(w.state.FindQuarantine(host, domain), nullptr);  // one report is a vote, not a quarantine
  ASSERT_OK(w.Add(report(host, "missed re-attestation"), w.val[1]));
  const Quarantine* q = w.state.FindQuarantine(host, domain);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->launch, cti);
  EXPECT_EQ(q->reason, "missed re-attestation");
  EXPECT_EQ(q->index, w.state.size() - 1);
  EXPECT_EQ(w.state.FindQuarantine(host, "another-domain"), nullptr);
  EXPECT_EQ(w.state.FindQuarantine(other_host, domain), nullptr);
  ASSERT_EQ(w.state.QuarantinesOf(host).size(), 1u);
  EXPECT_EQ(w.state.QuarantinesOf(host)[0].domain, domain);
  EXPECT_TRUE(w.state.QuarantinesOf(other_host).empty());
  EXPECT_EQ(w.state.RevokedSubjects(), std::vector<std::string>{cti});
}

// The attacker: a Byzantine validator whose report on a credential names an
// innocent host. The credential is revoked at the quorum, but only the pair
// that the quorum named is quarantined.
TEST(ChainState, AReporterNamingAnotherHostQuarantinesNobodyElse) {
  World w;
  ASSERT_OK(w.Bootstrap(4, 2, 2, /*revoke=*/2));
  const std::string guilty = Did(w.host[0]), innocent = Did(w.host[1]);
  const std::string domain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  const std::string cti = "cti:00112233445566778899aabbccddeeff";
  RevokeBody lie = testing::Revoke(cti);
  lie.host = innocent;
  lie.domain = domain;
  RevokeBody truth = lie;
  truth.host = guilty;
  ASSERT_OK(w.Add(lie, w.val[0]));
  ASSERT_OK(w.Add(truth, w.val[1]));
  EXPECT_TRUE(w.state.IsRevoked(cti));  // two reports of the credential
  EXPECT_EQ(w.state.FindQuarantine(innocent, domain), nullptr);
  EXPECT_EQ(w.state.FindQuarantine(guilty, domain), nullptr);  // one named it: below the quorum
  // A host with write access to the ledger is no reporter: its revoke of a
  // launch naming a rival host quarantines nothing.
  const std::string cti3 = "cti:00112233445566778899aabbccddeef1";
  ASSERT_OK(w.Add(testing::HostRegistration(w.host[0]), w.host[0]));
  RevokeBody by_host = testing::Revoke(cti3);
  by_host.host = innocent;
  by_host.domain = domain;
  ExpectRefused(w.Add(by_host, w.host[0]), Code::kBadSignature, "unauthorized");
  EXPECT_EQ(w.state.FindQuarantine(innocent, domain), nullptr);
  // Reports without a scope revoke, and quarantine no one.
  const std::string cti2 = "cti:00112233445566778899aabbccddeef0";
  ASSERT_OK(w.Add(testing::Revoke(cti2), w.val[0]));
  ASSERT_OK(w.Add(testing::Revoke(cti2), w.val[1]));
  EXPECT_TRUE(w.state.IsRevoked(cti2));
  EXPECT_EQ(w.state.FindQuarantine(guilty, domain), nullptr);
}

TEST(ChainState, GovernanceQuarantinesAtAdmitQuorum) {
  World w;
  ASSERT_OK(w.Bootstrap(2, 2, /*admit=*/2, /*revoke=*/1));
  const std::string host = Did(w.host[0]);
  RevokeBody b = testing::Revoke("cti:00112233445566778899aabbccddeeff", "owner's order");
  b.host = host;
  b.domain = "web1-uuid";
  ExpectRefused(w.Add(b, w.gov[0]), Code::kBadSignature, "admit_quorum 2 needed");
  EXPECT_EQ(w.state.FindQuarantine(host, "web1-uuid"), nullptr);
  ASSERT_OK(w.Add(b, w.gov[0], {&w.gov[1]}));
  ASSERT_NE(w.state.FindQuarantine(host, "web1-uuid"), nullptr);
  EXPECT_EQ(w.state.FindQuarantine(host, "web1-uuid")->reason, "owner's order");
}

// Lifting a quarantine is governance's decision at admit_quorum. The
// attackers: the quarantined host itself, a validator, one governance key.
TEST(ChainState, OnlyAGovernanceQuorumLiftsAQuarantine) {
  World w;
  ASSERT_OK(w.Bootstrap(4, 2, /*admit=*/2, /*revoke=*/2));
  ASSERT_OK(w.Add(testing::HostRegistration(w.host[0]), w.host[0]));
  const std::string host = Did(w.host[0]);
  const std::string domain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  const ReinstateBody lift{host, domain, "firmware fixed"};
  ExpectRefused(w.Add(lift, w.gov[0], {&w.gov[1]}), Code::kInvalidArgument,
                StrCat("host '", host, "' is not quarantined for domain ", domain));
  RevokeBody report = testing::Revoke("cti:00112233445566778899aabbccddeeff");
  report.host = host;
  report.domain = domain;
  ASSERT_OK(w.Add(report, w.val[0]));
  ASSERT_OK(w.Add(report, w.val[1]));
  ASSERT_NE(w.state.FindQuarantine(host, domain), nullptr);

  ExpectRefused(w.Add(lift, w.host[0]), Code::kBadSignature, "which is neither a governance key nor");
  ExpectRefused(w.Add(lift, w.val[2]), Code::kBadSignature, "which is neither a governance key nor");
  ExpectRefused(w.Add(lift, w.gov[0]), Code::kBadSignature,
                "reinstatement of host '" + host + "' for domain " + domain +
                    " is signed by 1 governance keys (author and countersigners), admit_quorum 2 needed");
  ExpectRefused(w.Add(lift, w.gov[0], {&w.val[2]}), Code::kBadSignature,
                "which is not an unrevoked governance key");
  ASSERT_NE(w.state.FindQuarantine(host, domain), nullptr);

  ASSERT_OK(w.Add(lift, w.gov[0], {&w.gov[1]}));
  EXPECT_EQ(w.state.FindQuarantine(host, domain), nullptr);
  EXPECT_TRUE(w.state.IsRevoked("cti:00112233445566778899aabbccddeeff"));  // the launch stays revoked
  ExpectRefused(w.Add(lift, w.gov[0], {&w.gov[1]}), Code::kInvalidArgument, "is not quarantined");

  // A later launch revoked the same way quarantines the host again.
  report.subject = "cti:00112233445566778899aabbccddeef0";
  ASSERT_OK(w.Add(report, w.val[0]));
  ASSERT_OK(w.Add(report, w.val[1]));
  const Quarantine* again = w.state.FindQuarantine(host, domain);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->launch, report.subject);
}

// An owner revokes its own domain's launch with the proof that it owns it:
// effective at once, and the quarantine is the owner's to lift. The
// attackers: a stranger with the victim's launch VC (its own policy, or the
// victim's proof under its own key), the owner naming another launch, host
// or domain than its proof shows, and a countersigned owner revoke.
TEST(ChainState, AnOwnerRevokesItsOwnLaunchWithItsProofAndNobodyElseCan) {
  World w;
  ASSERT_OK(w.Bootstrap(4, 2, /*admit=*/2, /*revoke=*/2));
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), stranger = Ed25519PrivateKey::Generate();
  const testing::OwnedLaunch l = testing::MakeOwnedLaunch(owner, w.host[0]);
  auto revoke = [&](const testing::OwnedLaunch& by) {
    RevokeBody b = testing::Revoke(l.launch, "owner's order: host under investigation");
    b.host = l.host;
    b.domain = l.domain;
    b.owner = by.owner;
    b.owner_proof = EncodeOwnerProof(l.vc, by.policy);
    return b;
  };
  const testing::OwnedLaunch theirs = testing::MakeOwnedLaunch(stranger, w.host[0]);
  ExpectRefused(w.Add(revoke(theirs), stranger), Code::kInvalidArgument,
                "is not the one launch " + l.launch + " was released under");
  RevokeBody claimed = revoke(l);  // the victim's own proof, signed by the stranger
  ExpectRefused(w.Add(claimed, stranger), Code::kBadSignature,
                "names owner '" + l.owner + "' but is signed by '" + Did(stranger) + "'");
  claimed.owner = Did(stranger);
  ExpectRefused(w.Add(claimed, stranger), Code::kBadSignature, "names owner '" + Did(stranger) +
                                                                   "' but its owner proof shows '" + l.owner + "'");
  RevokeBody elsewhere = revoke(l);
  elsewhere.subject = "cti:00112233445566778899aabbccddeeff";
  ExpectRefused(w.Add(elsewhere, owner), Code::kBadSignature, "names launch 'cti:0011");
  elsewhere = revoke(l);
  elsewhere.host = Did(w.host[1]);
  ExpectRefused(w.Add(elsewhere, owner), Code::kBadSignature, "its owner proof shows '" + l.host + "'");
  elsewhere = revoke(l);
  elsewhere.domain = "another-domain";
  ExpectRefused(w.Add(elsewhere, owner), Code::kBadSignature, "its owner proof shows '" + l.domain + "'");
  ExpectRefused(w.Add(revoke(l), owner, {&w.gov[0]}), Code::kBadSignature,
                "only a governance revoke is countersigned");
  EXPECT_FALSE(w.state.IsRevoked(l.launch));
  EXPECT_EQ(w.state.FindQuarantine(l.host, l.domain), nullptr);

  ASSERT_OK(w.Add(revoke(l), owner));
  const Revocation* r = w.state.FindRevocation(l.launch);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->decided_by, std::vector<std::string>{l.owner});
  const Quarantine* q = w.state.FindQuarantine(l.host, l.domain);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->owner, l.owner);
  EXPECT_EQ(q->launch, l.launch);

  // Lifting it: not the stranger, not the host, not the owner countersigned.
  const ReinstateBody lift{l.host, l.domain, "investigation closed"};
  ExpectRefused(w.Add(lift, stranger), Code::kBadSignature, "neither a governance key nor its owner '" + l.owner);
  ExpectRefused(w.Add(lift, w.host[0]), Code::kBadSignature, "neither a governance key nor its owner");
  ExpectRefused(w.Add(lift, owner, {&w.gov[0]}), Code::kBadSignature, "an owner signs alone");
  ASSERT_OK(w.Add(lift, owner));
  EXPECT_EQ(w.state.FindQuarantine(l.host, l.domain), nullptr);
  EXPECT_TRUE(w.state.IsRevoked(l.launch));  // the launch stays revoked
}

// Validators name the launch's owner in their reports; the quarantine
// records it only when revoke_quorum of them named the same one, so a
// Byzantine reporter cannot hand the lifting of a quarantine to a key of
// its choosing.
TEST(ChainState, TheOwnerReportsAgreeOnMayLiftTheQuarantineAndNoOtherKey) {
  World w;
  ASSERT_OK(w.Bootstrap(4, 2, /*admit=*/2, /*revoke=*/2));
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), accomplice = Ed25519PrivateKey::Generate();
  const std::string host = Did(w.host[0]);
  const std::string domain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  auto report = [&](const std::string& cti, const Ed25519PrivateKey& named_owner) {
    RevokeBody b = testing::Revoke(cti, "missed re-attestation deadline");
    b.host = host;
    b.domain = domain;
    b.owner = Did(named_owner);
    return b;
  };
  const ReinstateBody lift{host, domain, "host repaired"};

  const std::string agreed = "cti:00112233445566778899aabbccddee01";
  ASSERT_OK(w.Add(report(agreed, owner), w.val[0]));
  ASSERT_OK(w.Add(report(agreed, owner), w.val[1]));
  ASSERT_NE(w.state.FindQuarantine(host, domain), nullptr);
  EXPECT_EQ(w.state.FindQuarantine(host, domain)->owner, Did(owner));
  ExpectRefused(w.Add(lift, accomplice), Code::kBadSignature, "neither a governance key nor its owner");
  ASSERT_OK(w.Add(lift, owner));
  EXPECT_EQ(w.state.FindQuarantine(host, domain), nullptr);

  // One Byzantine reporter names its accomplice: the quarantine stands, with
  // no owner the quorum agrees on, so neither key lifts it; governance does.
  const std::string split = "cti:00112233445566778899aabbccddee02";
  ASSERT_OK(w.Add(report(split, owner), w.val[0]));
  ASSERT_OK(w.Add(report(split, accomplice), w.val[2]));
  const Quarantine* q = w.state.FindQuarantine(host, domain);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->owner, "");
  ExpectRefused(w.Add(lift, accomplice), Code::kBadSignature, "the domain's known owner");
  ExpectRefused(w.Add(lift, owner), Code::kBadSignature, "the domain's known owner");
  ASSERT_OK(w.Add(lift, w.gov[0], {&w.gov[1]}));
  EXPECT_EQ(w.state.FindQuarantine(host, domain), nullptr);
}

TEST(ChainState, GovernanceRevokeAtAdmitQuorumTakesEffect) {
  World w;
  ASSERT_OK(w.Bootstrap(2, 2, /*admit=*/3, /*revoke=*/1));
  ASSERT_OK(w.Add(testing::Revoke(Did(w.val[1]), "key leaked"), w.gov[1], {&w.gov[0], &w.gov[2]}));
  const Revocation* r = w.state.FindRevocation(Did(w.val[1]));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->decided_by, (std::vector<std::string>{Did(w.gov[1]), Did(w.gov[0]), Did(w.gov[2])}));
  EXPECT_EQ(r->reason, "key leaked");
}

TEST(ChainState, UnauthorizedAuthorsAreRefusedWithTheirReason) {
  World w;
  ASSERT_OK(w.Bootstrap(2));
  DidRegisterBody reg0 = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg0, w.host[0]));
  const uint64_t next = w.state.size();
  const std::string h0 = Did(w.host[0]), h1 = Did(w.host[1]);
  struct Case {
    std::string name;
    EntryBody body;
    const Ed25519PrivateKey* author;
    std::string words;
  };
  std::vector<Case> cases = {
      {"host registers another DID", testing::HostRegistration(w.host[1]), &w.host[0],
       "(did-register): unauthorized: registers '" + h1 + "' but is signed by '" + h0 + "'"},
      {"host certifies another host", testing::Certification(h0, reg0.ak_public), &w.host[1],
       "(did-update): unauthorized: certification by '" + h1 + "'"},
      {"host certifies itself", testing::Certification(h0, reg0.ak_public), &w.host[0],
       "cannot certify its own AK"},
      {"another DID replaces a host's AK", DidUpdateBody{h0, {}, testing::AkPublic(5), {}}, &w.val[0],
       "unauthorized: replaces the AK or facts of '" + h0 + "'"},
      {"validator sets its own reputation", ValidatorUpdateBody{Did(w.val[0]), 1000, {}, {}}, &w.val[0],
       "cannot set its own reputation"},
      {"non-governance key sets a reputation", ValidatorUpdateBody{Did(w.val[0]), 0, {}, {}}, &w.host[0],
       "neither that validator nor a governance key"},
      {"governance moves a validator's endpoint", ValidatorUpdateBody{Did(w.val[0]), {}, "http://evil", {}},
       &w.gov[0], "may set only the reputation"},
      {"host revokes another host", testing::Revoke(h1), &w.host[0],
       "unauthorized: revokes '" + h1 + "' but is signed by '" + h0 + "'"},
      {"attested signed by another DID", AttestedBody{RandomBytes(32), "web1", h0, {}}, &w.host[1],
       "(attested): unauthorized: attests host '" + h0 + "'"},
      {"checkpoint by a host", CheckpointBody{0, ToBytes(*w.state.DigestAt(0))}, &w.host[0],
       "(checkpoint): unauthorized"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto e = w.Next(c.body, *c.author);
    ASSERT_TRUE(e.ok()) << e.error().ToString();
    Status s = w.state.Apply(*e);
    ExpectRefused(s, Code::kBadSignature, "ledger entry " + std::to_string(next) + " ");
    ExpectRefused(s, Code::kBadSignature, c.words);
    EXPECT_EQ(w.state.size(), next);  // nothing changed
  }
}

TEST(ChainState, ForgedPrevOrIndexIsRefusedNamingTheEntry) {
  World w;
  ASSERT_OK(w.Bootstrap(1));
  Sha256Digest forged = w.state.head_digest();
  forged[0] ^= 1;
  auto e = Entry::Sign(2, forged, testing::kT0, testing::HostRegistration(w.host[0]), w.host[0]);
  ExpectRefused(w.state.Apply(*e), Code::kMalformed, "ledger entry 2 (did-register): prev is ");
  ExpectRefused(w.state.Apply(*e), Code::kMalformed, "(the digest of entry 1)");
  auto skipped = Entry::Sign(3, w.state.head_digest(), testing::kT0, testing::HostRegistration(w.host[0]),
                             w.host[0]);
  ExpectRefused(w.state.Apply(*skipped), Code::kMalformed,
                "ledger entry 3 (did-register): out of order, the next entry of the chain is 2");
}

TEST(ChainState, CheckpointMustNameAnEarlierEntrysDigest) {
  World w;
  ASSERT_OK(w.Bootstrap(2));
  Bytes wrong = ToBytes(*w.state.DigestAt(1));
  ExpectRefused(w.Add(CheckpointBody{0, wrong}, w.val[0]), Code::kInvalidArgument,
                "head_digest " + HexEncode(ByteView(wrong).subspan(0, 8)) + "… is not the digest of entry 0");
  ExpectRefused(w.Add(CheckpointBody{3, wrong}, w.val[0]), Code::kInvalidArgument,
                "head_index 3 is not before the checkpoint itself");
  ExpectRefused(w.Add(CheckpointBody{1, wrong}, w.val[0], {&w.host[0]}), Code::kBadSignature,
                "cosigned by '" + Did(w.host[0]) + "'");
  ASSERT_OK(w.Add(CheckpointBody{1, wrong}, w.gov[0], {&w.val[0], &w.val[1]}));
  EXPECT_EQ(w.state.checkpoints().back().cosigners.size(), 2u);
}

TEST(ChainState, CheckLeavesTheStateAloneAndApplyRefusesUncheckedSignatures) {
  World w;
  ASSERT_OK(w.Bootstrap(1));
  auto e = w.Next(testing::HostRegistration(w.host[0]), w.host[0]);
  ASSERT_OK(w.state.Check(*e));
  ASSERT_OK(w.state.Check(*e));
  EXPECT_EQ(w.state.size(), 2u);
  EXPECT_EQ(w.state.FindHost(Did(w.host[0])), nullptr);
  auto pinned = Entry::ParsePinned(e->encoded());
  ExpectRefused(w.state.Apply(*pinned), Code::kMalformed, "its signatures were not checked");
  ASSERT_OK(w.state.ApplyPinned(*pinned));
  EXPECT_NE(w.state.FindHost(Did(w.host[0])), nullptr);
}

TEST(ChainState, DuplicateRegistrationAndUnknownSubjectsAreRefused) {
  World w;
  ASSERT_OK(w.Bootstrap(2));
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ExpectRefused(w.Add(reg, w.host[0]), Code::kInvalidArgument, "is already registered (entry 3)");
  ExpectRefused(w.Add(testing::Certification(Did(w.host[1]), reg.ak_public), w.val[0]), Code::kInvalidArgument,
                "which is not a registered host");
  ExpectRefused(w.Add(ValidatorUpdateBody{Did(w.val[3]), {}, "http://x", {}}, w.val[3]), Code::kInvalidArgument,
                "is not a registered validator");
  ExpectRefused(w.Add(AttestedBody{RandomBytes(32), "web1", reg.did, {Did(w.val[3])}}, w.host[0]),
                Code::kInvalidArgument, "which is not a registered validator");
}


BootReference KernelFragment(const std::string& name, uint8_t digest_byte) {
  BootReference r;
  r.platform_class = "debian12-ovmf";
  r.name = name;
  r.pcrs = {4};
  r.rules.push_back({4, 0x80000003, "", "", {Bytes(32, digest_byte)}, true});
  return r;
}

BootReference Withdrawal(const std::string& name) { return {"debian12-ovmf", name, {}, {}, true}; }

// Issue 13: reference values are governance's, at admit_quorum; no operator
// key, no validator and no single governance key changes a platform class.
TEST(ChainState, OnlyAGovernanceQuorumChangesAPlatformClass) {
  World w;
  ASSERT_OK(w.Bootstrap(3, 2, /*admit=*/2, 2));
  const uint64_t next = w.state.size();
  ReferenceBody old_kernel{KernelFragment("kernel-old", 0x01)};
  ExpectRefused(w.Add(old_kernel, w.host[0], {&w.gov[0], &w.gov[1]}), Code::kBadSignature,
                "ledger entry " + std::to_string(next) + " (reference): unauthorized: reference debian12-ovmf/kernel-old "
                "is signed by '" + Did(w.host[0]) + "', which is not a governance key");
  ExpectRefused(w.Add(old_kernel, w.val[0]), Code::kBadSignature, "which is not a governance key");
  ExpectRefused(w.Add(old_kernel, w.gov[0]), Code::kBadSignature,
                "reference debian12-ovmf/kernel-old is signed by 1 governance keys (author and countersigners), "
                "admit_quorum 2 needed");
  ExpectRefused(w.Add(old_kernel, w.gov[0], {&w.val[1]}), Code::kBadSignature,
                "countersigned by '" + Did(w.val[1]) + "', which is not an unrevoked governance key");
  EXPECT_EQ(w.state.size(), next);
  EXPECT_TRUE(w.state.FindPlatformClass("debian12-ovmf").fragments.empty());

  ASSERT_OK(w.Add(old_kernel, w.gov[0], {&w.gov[1]}));
  PlatformClass cls = w.state.FindPlatformClass("debian12-ovmf");
  ASSERT_EQ(cls.fragments.size(), 1u);
  EXPECT_EQ(cls.fragments[0], old_kernel.reference);
  const ReferenceRecord& record = w.state.references().at("debian12-ovmf").at("kernel-old");
  EXPECT_EQ(record.index, next);
  EXPECT_EQ(record.decided_by, (std::vector<std::string>{Did(w.gov[0]), Did(w.gov[1])}));

  // A roll-out adds a fragment; a later entry of the same name replaces it.
  ASSERT_OK(w.Add(ReferenceBody{KernelFragment("kernel-new", 0x02)}, w.gov[1], {&w.gov[2]}));
  ASSERT_OK(w.Add(ReferenceBody{KernelFragment("kernel-new", 0x03)}, w.gov[2], {&w.gov[0]}));
  cls = w.state.FindPlatformClass("debian12-ovmf");
  ASSERT_EQ(cls.fragments.size(), 2u);
  EXPECT_EQ(cls.fragments[0].name, "kernel-new");
  EXPECT_EQ(cls.fragments[0].rules[0].sha256, std::vector<Bytes>{Bytes(32, 0x03)});

  // Withdrawing takes the same quorum and needs something to withdraw.
  ExpectRefused(w.Add(ReferenceBody{Withdrawal("kernel-old")}, w.val[0]), Code::kBadSignature,
                "not a governance key");
  ExpectRefused(w.Add(ReferenceBody{Withdrawal("kernel-old")}, w.gov[0]), Code::kBadSignature,
                "admit_quorum 2 needed");
  ExpectRefused(w.Add(ReferenceBody{Withdrawal("kernel-older")}, w.gov[0], {&w.gov[1]}), Code::kInvalidArgument,
                "withdraws reference debian12-ovmf/kernel-older, which is not in effect");
  ASSERT_OK(w.Add(ReferenceBody{Withdrawal("kernel-old")}, w.gov[0], {&w.gov[1]}));
  cls = w.state.FindPlatformClass("debian12-ovmf");
  ASSERT_EQ(cls.fragments.size(), 1u);
  EXPECT_EQ(cls.fragments[0].name, "kernel-new");
  ASSERT_OK(w.Add(ReferenceBody{Withdrawal("kernel-new")}, w.gov[0], {&w.gov[1]}));
  EXPECT_TRUE(w.state.references().empty());
}

}  // namespace
}  // namespace vouch::ledger
