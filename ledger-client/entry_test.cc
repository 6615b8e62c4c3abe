#include "vouch/ledger/entry.h"

#include <gtest/gtest.h>

#include "testing/ledger_world.h"
#include "vouch/core/countersign.h"

namespace vouch::ledger {
namespace {

using testing::Did;
using testing::World;

// One sample body of every type, valid on its own.
std::vector<EntryBody> SampleBodies(const World& w) {
  GenesisBody genesis = w.Genesis();
  genesis.tpm_cas = {testing::SelfSignedCertificate("swtpm-localca"),
                     testing::SelfSignedCertificate("vendor-ca")};
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  reg.ek_cert = testing::SelfSignedCertificate("ek");
  DidUpdateBody self_update;
  self_update.did = Did(w.host[0]);
  self_update.ak_public = testing::AkPublic(9);
  self_update.facts = cbor::Value::Map({{"libvirt", "9.1.0"}});
  ValidatorUpdateBody vu;
  vu.did = Did(w.val[0]);
  vu.reputation = 750;
  vu.endpoint = "https://vd-a.example:7443";
  vu.hpke_pk = RandomBytes(32);
  AttestedBody attested{RandomBytes(32), "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f", Did(w.host[0]),
                        {Did(w.val[0]), Did(w.val[1])}};
  return {genesis,
          reg,
          testing::Certification(Did(w.host[0]), reg.ak_public),
          self_update,
          testing::ValidatorRegistration(w.val[0]),
          vu,
          testing::Revoke(Did(w.host[1])),
          RevokeBody{"cti:00112233445566778899aabbccddeeff", "replayed", {}},
          RevokeBody{"cti:00112233445566778899aabbccddeef0", "PCR 7 drift", RandomBytes(32), Did(w.host[0]),
                     "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f"},
          RevokeBody{"cti:00112233445566778899aabbccddeef1", "owner's order", {}, Did(w.host[0]),
                     "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f", Did(w.gov[0]), RandomBytes(300)},
          attested,
          CheckpointBody{3, RandomBytes(32)},
          ReinstateBody{Did(w.host[0]), "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f", "firmware fixed, re-enrolled"}};
}

Sha256Digest SomeDigest() {
  Sha256Digest d;
  Bytes r = RandomBytes(32);
  std::copy(r.begin(), r.end(), d.begin());
  return d;
}

TEST(Entry, EveryTypeRoundTripsThroughItsEncoding) {
  World w;
  const auto& author = w.host[0];
  uint64_t index = 7;
  for (const EntryBody& body : SampleBodies(w)) {
    SCOPED_TRACE(std::string(EntryTypeName(TypeOf(body))));
    Sha256Digest prev = SomeDigest();
    auto signed_entry = Entry::Sign(index, prev, testing::kT0, body, author);
    ASSERT_TRUE(signed_entry.ok()) << signed_entry.error().ToString();
    auto back = Entry::Parse(signed_entry->encoded());
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(back->type(), TypeOf(body));
    EXPECT_EQ(back->body(), body);
    EXPECT_EQ(back->index(), index);
    EXPECT_EQ(back->prev(), prev);
    EXPECT_EQ(back->at(), testing::kT0);
    EXPECT_EQ(back->author().did(), Did(author));
    EXPECT_TRUE(back->signatures_verified());
    EXPECT_EQ(back->digest(), Sha256(signed_entry->encoded()));
    EXPECT_EQ(back->message().Encode(), signed_entry->encoded());
    ++index;
  }
}

TEST(Entry, AllEightTypesHaveTheirWireNames) {
  const char* names[] = {"genesis", "did-register", "did-update", "validator-register",
                         "validator-update", "revoke", "attested", "checkpoint"};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(EntryTypeName(static_cast<EntryType>(i)), names[i]);
    EXPECT_EQ(EntryTypeFromName(names[i]), static_cast<EntryType>(i));
  }
  EXPECT_FALSE(EntryTypeFromName("Genesis").has_value());
}

TEST(Entry, HeadersNameTheAuthorAndContentType) {
  World w;
  auto e = Entry::Sign(0, kGenesisPrev, testing::kT0, w.Genesis(), w.gov[0]);
  ASSERT_TRUE(e.ok());
  const cbor::Value& prot = e->message().protected_headers();
  EXPECT_EQ(prot.Find(3)->text(), kEntryContentType);
  EXPECT_EQ(ToString(prot.Find(4)->bytes()), Did(w.gov[0]));
  EXPECT_EQ(*prot.Find(1)->AsInt64(), -8);
  EXPECT_TRUE(e->message().unprotected().map().empty());
}

TEST(Entry, EveryFlippedBitIsRefused) {
  World w;
  auto e = Entry::Sign(3, SomeDigest(), testing::kT0, testing::Revoke(Did(w.host[1])), w.val[0]);
  ASSERT_TRUE(e.ok());
  const Bytes& good = e->encoded();
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = good;
      bad[i] ^= static_cast<uint8_t>(1 << bit);
      auto parsed = Entry::Parse(bad);
      ASSERT_FALSE(parsed.ok()) << "byte " << i << " bit " << bit;
      EXPECT_TRUE(parsed.error().code() == Code::kMalformed || parsed.error().code() == Code::kBadSignature)
          << parsed.error().ToString();
    }
  }
}

TEST(Entry, EveryTruncationIsRefused) {
  World w;
  auto e = Entry::Sign(1, SomeDigest(), testing::kT0, testing::HostRegistration(w.host[0]), w.host[0]);
  ASSERT_TRUE(e.ok());
  for (size_t n = 0; n < e->encoded().size(); ++n) {
    auto parsed = Entry::Parse(ByteView(e->encoded()).subspan(0, n));
    ASSERT_FALSE(parsed.ok()) << n;
    EXPECT_EQ(parsed.error().code(), Code::kMalformed);
  }
}

// An entry whose kid names `claimed` but which `signer` signed.
Bytes Impersonate(const Ed25519PrivateKey& signer, const std::string& claimed, const cbor::Value& payload) {
  auto msg = CoseSign1::Sign(
      cbor::Value::Map({{3, std::string(kEntryContentType)}, {4, cbor::Value(AsBytes(claimed))}}),
      cbor::Value::Map({}), cbor::Encode(payload), signer);
  return msg->Encode();
}

cbor::Value PayloadOf(const Entry& e) { return cbor::Decode(e.message().payload()).value(); }

TEST(Entry, SignatureByAnotherKeyThanTheKidIsRefused) {
  World w;
  auto e = Entry::Sign(1, SomeDigest(), testing::kT0, testing::HostRegistration(w.host[0]), w.host[0]);
  Bytes forged = Impersonate(w.host[1], Did(w.host[0]), PayloadOf(*e));
  auto parsed = Entry::Parse(forged);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), Code::kBadSignature);
  EXPECT_NE(parsed.error().message().find("does not verify with its author '" + Did(w.host[0])),
            std::string::npos)
      << parsed.error().message();
  // ParsePinned does not look at signatures; it says so.
  auto pinned = Entry::ParsePinned(forged);
  ASSERT_TRUE(pinned.ok()) << pinned.error().ToString();
  EXPECT_FALSE(pinned->signatures_verified());
}

TEST(Entry, UnknownTypeOrPayloadFieldIsRefused) {
  World w;
  auto e = Entry::Sign(1, SomeDigest(), testing::kT0, testing::HostRegistration(w.host[0]), w.host[0]);
  cbor::Value payload = PayloadOf(*e);
  cbor::Value unknown_type = payload;
  unknown_type.Set("type", "did-delete");
  auto r1 = Entry::Parse(Impersonate(w.host[0], Did(w.host[0]), unknown_type));
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message().find("unknown entry type \"did-delete\""), std::string::npos);

  cbor::Value extra = payload;
  extra.Set("note", "hi");
  auto r2 = Entry::Parse(Impersonate(w.host[0], Did(w.host[0]), extra));
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("unknown field \"note\""), std::string::npos) << r2.error().message();

  cbor::Value body_extra = payload;
  cbor::Value body = *payload.Find("body");
  body.Set("owner", "mallory");
  body_extra.Set("body", body);
  auto r3 = Entry::Parse(Impersonate(w.host[0], Did(w.host[0]), body_extra));
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message().find("did-register body: unknown field \"owner\""), std::string::npos)
      << r3.error().message();
}

TEST(Entry, BodyRulesAreEnforcedWhenSigning) {
  World w;
  auto expect_refused = [&](const EntryBody& body, const std::string& words) {
    auto e = Entry::Sign(1, SomeDigest(), testing::kT0, body, w.gov[0]);
    ASSERT_FALSE(e.ok()) << words;
    EXPECT_EQ(e.error().code(), Code::kInvalidArgument);
    EXPECT_NE(e.error().message().find(words), std::string::npos) << e.error().message();
  };
  GenesisBody g = w.Genesis(2, 4, 2);
  expect_refused(g, "'admit_quorum' is 4 but only 3 governance keys are named");
  g = w.Genesis(0, 2, 2);
  expect_refused(g, "'certify_quorum' must be at least 1");
  g = w.Genesis();
  g.governance.push_back(g.governance[0]);
  expect_refused(g, "lists '" + g.governance[0] + "' twice");
  g = w.Genesis();
  g.tpm_cas = {Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
  expect_refused(g, "'tpm_cas' element 0 is not a DER X.509 certificate");
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  reg.did = "did:web:example.com";
  expect_refused(reg, "field 'did' is not a did:key");
  reg = testing::HostRegistration(w.host[0]);
  reg.ak_public = {0x00, 0x10, 0x01};
  expect_refused(reg, "'ak_public' must be a TPM2B_PUBLIC");
  ValidatorRegisterBody vr = testing::ValidatorRegistration(w.val[0]);
  vr.hpke_pk.pop_back();
  expect_refused(vr, "'hpke_pk' must be 32 bytes, got 31");
  vr = testing::ValidatorRegistration(w.val[0]);
  vr.region = "";
  expect_refused(vr, "'region' must not be empty");
  ValidatorUpdateBody vu{Did(w.val[0]), 1001, {}, {}};
  expect_refused(vu, "'reputation' must be 0..1000, got 1001");
  expect_refused(ValidatorUpdateBody{Did(w.val[0]), {}, {}, {}}, "at least one of");
  DidUpdateBody du = testing::Certification(Did(w.host[0]), testing::AkPublic(1));
  du.facts = cbor::Value::Map({});
  expect_refused(du, "cannot be combined");
  expect_refused(DidUpdateBody{Did(w.host[0]), {}, {}, {}}, "expected 'certify_ak'");
  expect_refused(RevokeBody{"cti:XYZ", "r", {}}, "'subject' must be a did:key or \"cti:\"");
  expect_refused(RevokeBody{"cti:00112233445566778899AABBCCDDEEFF", "r", {}}, "'subject' must be");
  expect_refused(RevokeBody{Did(w.host[0]), "", {}}, "'reason' must not be empty");
  expect_refused(RevokeBody{Did(w.host[0]), "r", Bytes(kMaxEvidenceSize + 1)}, "'evidence' must be at most");
  const std::string cti = "cti:00112233445566778899aabbccddeeff";
  expect_refused(RevokeBody{cti, "r", {}, Did(w.host[0]), ""}, "'host' and 'domain' go together");
  expect_refused(RevokeBody{cti, "r", {}, "", "d"}, "'host' and 'domain' go together");
  expect_refused(RevokeBody{Did(w.host[1]), "r", {}, Did(w.host[0]), "d"}, "only for a launch credential");
  expect_refused(RevokeBody{cti, "r", {}, "did:web:example.com", "d"}, "field 'host' is not a did:key");
  expect_refused(RevokeBody{cti, "r", {}, "", "", Did(w.gov[0])}, "'owner' goes with 'host' and 'domain'");
  expect_refused(RevokeBody{cti, "r", {}, Did(w.host[0]), "d", "did:web:example.com"},
                 "field 'owner' is not a did:key");
  expect_refused(RevokeBody{cti, "r", {}, Did(w.host[0]), "d", "", Bytes{1}}, "'owner_proof' goes with 'owner'");
  expect_refused(RevokeBody{cti, "r", {}, Did(w.host[0]), "d", Did(w.gov[0]), Bytes(kMaxOwnerProofSize + 1)},
                 "'owner_proof' must be 1 to 65536 bytes");
  expect_refused(RevokeBody{cti, "r", {}, Did(w.host[0]), std::string(kMaxDomainSize + 1, 'd')},
                 "'domain' must be at most 128 bytes");
  AttestedBody at{RandomBytes(32), "d", Did(w.host[0]), {Did(w.val[0]), Did(w.val[0])}};
  expect_refused(at, "twice");
  expect_refused(CheckpointBody{1, RandomBytes(31)}, "'head_digest' must be 32 bytes");
  expect_refused(ReinstateBody{"did:web:example.com", "d", "r"}, "field 'host' is not a did:key");
  expect_refused(ReinstateBody{Did(w.host[0]), "", "r"}, "'domain' must not be empty");
  expect_refused(ReinstateBody{Did(w.host[0]), "d", ""}, "'reason' must not be empty");
  expect_refused(ReinstateBody{Did(w.host[0]), "d", std::string(kMaxReasonSize + 1, 'r')},
                 "'reason' must be at most 1024 bytes");
}

TEST(Entry, CountersignaturesAreVerifiedAndListed) {
  World w;
  auto e = Entry::Sign(1, SomeDigest(), testing::kT0, testing::ValidatorRegistration(w.val[0]), w.val[0]);
  ASSERT_TRUE(e.ok());
  auto c1 = e->Countersigned(w.gov[0]);
  ASSERT_TRUE(c1.ok()) << c1.error().ToString();
  auto c2 = c1->Countersigned(w.gov[1]);
  ASSERT_TRUE(c2.ok());
  auto back = Entry::Parse(c2->encoded());
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->countersigners(), (std::vector<std::string>{Did(w.gov[0]), Did(w.gov[1])}));
  // Countersignatures are part of the entry's digest: an appended entry never changes.
  EXPECT_NE(back->digest(), e->digest());
  // The main signature still verifies; the payload is the same.
  EXPECT_EQ(back->message().payload(), e->message().payload());

  // A flipped bit in the second countersignature's own signature.
  Bytes bad = c2->encoded();
  const Bytes cs_sig = Countersignatures(c2->message())->back().signature();
  auto at = std::search(bad.begin(), bad.end(), cs_sig.begin(), cs_sig.end());
  ASSERT_NE(at, bad.end());
  at[10] ^= 0x10;
  auto refused = Entry::Parse(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kBadSignature);
  EXPECT_NE(refused.error().message().find("countersignature by '" + Did(w.gov[1]) + "' does not verify"),
            std::string::npos)
      << refused.error().message();
}

TEST(Entry, CountersigningRulesAreEnforced) {
  World w;
  auto vr = Entry::Sign(1, SomeDigest(), testing::kT0, testing::ValidatorRegistration(w.val[0]), w.val[0]);
  auto own = vr->Countersigned(w.val[0]);
  ASSERT_FALSE(own.ok());
  EXPECT_NE(own.error().message().find("is the entry's author"), std::string::npos);
  auto twice = vr->Countersigned(w.gov[0])->Countersigned(w.gov[0]);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message().find("has countersigned this entry already"), std::string::npos);

  // A revoke carries the countersignatures of a governance quorum.
  auto revoke = Entry::Sign(1, SomeDigest(), testing::kT0, testing::Revoke(Did(w.host[0])), w.gov[0]);
  auto revoke_cs = revoke->Countersigned(w.gov[1]);
  ASSERT_TRUE(revoke_cs.ok()) << revoke_cs.error().ToString();
  auto revoke_back = Entry::Parse(revoke_cs->encoded());
  ASSERT_TRUE(revoke_back.ok()) << revoke_back.error().ToString();
  EXPECT_EQ(revoke_back->countersigners(), (std::vector<std::string>{Did(w.gov[1])}));

  AttestedBody att{RandomBytes(32), "web1", Did(w.host[0]), {}};
  auto attested = Entry::Sign(1, SomeDigest(), testing::kT0, att, w.host[0]);
  auto cs = attested->Countersigned(w.gov[1]);
  ASSERT_FALSE(cs.ok());
  EXPECT_EQ(cs.error().code(), Code::kInvalidArgument);
  // Smuggled in by hand, a countersignature on an attested entry is refused by Parse.
  CoseSign1 msg = attested->message();
  auto raw = Countersign(msg, cbor::Value::Map({{4, cbor::Value(AsBytes(Did(w.gov[1])))}}), w.gov[1]);
  ASSERT_TRUE(AddCountersignature(msg, *raw).ok());
  auto parsed = Entry::Parse(msg.Encode());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("a attested entry carries no countersignatures"), std::string::npos)
      << parsed.error().message();
}

TEST(Entry, OversizedEntryIsRefused) {
  World w;
  DidRegisterBody reg = testing::HostRegistration(w.host[0]);
  reg.facts = cbor::Value::Map({{"blob", cbor::Value(Bytes(kMaxEntrySize))}});
  auto e = Entry::Sign(1, SomeDigest(), testing::kT0, reg, w.host[0]);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), Code::kInvalidArgument);
  EXPECT_NE(e.error().message().find("limit"), std::string::npos) << e.error().message();
}

TEST(GenesisBody, SingleOperatorWarningNamesEveryQuorumOfOne) {
  World w;
  EXPECT_EQ(SingleOperatorWarning(w.Genesis(2, 2, 2)), std::nullopt);
  EXPECT_EQ(SingleOperatorWarning(w.Genesis(3, 2, 5)), std::nullopt);
  EXPECT_EQ(SingleOperatorWarning(w.Genesis(1, 2, 2)),
            "ledger genesis allows a single operator (certify_quorum 1): a lab set-up, not a threshold");
  EXPECT_EQ(SingleOperatorWarning(w.Genesis(2, 1, 2)),
            "ledger genesis allows a single operator (admit_quorum 1): a lab set-up, not a threshold");
  EXPECT_EQ(SingleOperatorWarning(w.Genesis(1, 1, 1)),
            "ledger genesis allows a single operator (certify_quorum 1, admit_quorum 1, revoke_quorum 1): "
            "a lab set-up, not a threshold");
  // The struct's defaults are a lab genesis too.
  EXPECT_NE(SingleOperatorWarning(GenesisBody{}), std::nullopt);
}

}  // namespace
}  // namespace vouch::ledger
