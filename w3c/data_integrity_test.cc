#include "vouch/w3c/data_integrity.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "vouch/core/base58.h"
#include "vouch/core/bytes.h"
#include "vouch/core/did_document.h"
#include "vouch/core/did_key.h"
#include "vouch/core/jcs.h"
#include "vouch/core/secret_bytes.h"
#include "w3c/testing/proof_options.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;

// The W3C vc-di-eddsa example, w3c/testdata/eddsa_jcs_2022/README.md.
std::string Vector(const std::string& name) {
  const std::string path = std::string(VOUCH_SOURCE_DIR) + "/w3c/testdata/eddsa_jcs_2022/" + name;
  Result<Bytes> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  std::string s = text.ok() ? ToString(*text) : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Json VectorJson(const std::string& name) { return *ParseJsonStrict(Vector(name)); }

// The example's key: privateKeyMultibase is 'z' + base58btc(0x80 0x26
// (multicodec ed25519-priv) ‖ 32-byte seed).
Ed25519PrivateKey SpecKey() {
  const std::string multibase = VectorJson("keyPair.json")["privateKeyMultibase"];
  Bytes decoded = *Base58Decode(std::string_view(multibase).substr(1));
  EXPECT_EQ(decoded.size(), 34u);
  EXPECT_EQ(decoded[0], 0x80);
  EXPECT_EQ(decoded[1], 0x26);
  return *Ed25519PrivateKey::FromSeed(SecretBytes(Bytes(decoded.begin() + 2, decoded.end())));
}

ProofOptions SpecOptions() {
  const Json config = VectorJson("proofConfigJCS.json");
  ProofOptions options;
  options.verification_method = config["verificationMethod"];
  options.created = config["created"];
  return options;
}

TEST(EddsaJcs2022, SpecExampleHashesAndSignatureMatchByteForByte) {
  const Ed25519PrivateKey key = SpecKey();
  EXPECT_EQ(DidKey::FromPublicKey(key.public_key()).did(),
            "did:key:" + VectorJson("keyPair.json")["publicKeyMultibase"].get<std::string>());

  const Json unsigned_doc = VectorJson("unsigned.json");
  const Json config = VectorJson("proofConfigJCS.json");
  EXPECT_EQ(*CanonicalJson(config), Vector("proofCanonJCS.txt"));
  EXPECT_EQ(*CanonicalJson(unsigned_doc), Vector("canonDocJCS.txt"));
  Bytes hash_data = *EddsaJcs2022HashData(unsigned_doc, config);
  EXPECT_EQ(HexEncode(ByteView(hash_data).subspan(0, 32)), Vector("proofHashJCS.txt"));
  EXPECT_EQ(HexEncode(ByteView(hash_data).subspan(32)), Vector("docHashJCS.txt"));
  EXPECT_EQ(HexEncode(hash_data), Vector("combinedHashJCS.txt"));

  Result<Json> signed_doc = AddProof(unsigned_doc, SpecOptions(), key);
  ASSERT_TRUE(signed_doc.ok()) << signed_doc.error().ToString();
  EXPECT_EQ(HexEncode(*Base58Decode(std::string_view(
                (*signed_doc)["proof"]["proofValue"].get_ref<const std::string&>()).substr(1))),
            Vector("sigHexJCS.txt"));
  EXPECT_EQ((*signed_doc)["proof"]["proofValue"], Vector("sigBTC58JCS.txt"));
  EXPECT_EQ(*CanonicalJson(*signed_doc), *CanonicalJson(VectorJson("signedJCS.json")));
}

TEST(EddsaJcs2022, SpecSignedExampleVerifies) {
  auto checks = VerifyProofs(VectorJson("signedJCS.json"));
  ASSERT_TRUE(checks.ok()) << checks.error().ToString();
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_TRUE((*checks)[0].status.ok()) << (*checks)[0].status.error().ToString();
  EXPECT_EQ((*checks)[0].verification_method, SpecOptions().verification_method);
}

TEST(EddsaJcs2022, AnyAlteredMemberFailsTheProof) {
  const Json good = VectorJson("signedJCS.json");
  auto expect_fails = [](const Json& doc, Code code, const std::string& what) {
    auto checks = VerifyProofs(doc);
    ASSERT_TRUE(checks.ok()) << what;
    ASSERT_EQ(checks->size(), 1u);
    ASSERT_FALSE((*checks)[0].status.ok()) << what;
    EXPECT_EQ((*checks)[0].status.error().code(), code) << what;
  };
  // Each edit, by JSON Pointer, and the failure it gives.
  const std::string value = good["proof"]["proofValue"];
  for (const auto& [pointer, edit, code] : std::vector<std::tuple<std::string, Json, Code>>{
           {"/credentialSubject/alumniOf", "The School of Counterexamples", Code::kBadSignature},
           {"/validUntil", "2030-01-01T00:00:00Z", Code::kBadSignature},  // an added member
           {"/proof/created", "2023-02-24T23:36:39Z", Code::kBadSignature},
           {"/proof/@context", Json::array({"https://www.w3.org/ns/credentials/v2"}), Code::kBadSignature},
           {"/proof/@context", Json::array({"https://example.com/other"}), Code::kMalformed},
           {"/proof/proofPurpose", "authentication", Code::kMalformed},
           {"/proof/cryptosuite", "eddsa-rdfc-2022", Code::kMalformed},
           {"/proof/proofValue", "u" + value.substr(1), Code::kMalformed},
           {"/proof/proofValue", "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", Code::kMalformed},
           {"/proof/created", "yesterday", Code::kMalformed}}) {
    Json doc = good;
    doc[Json::json_pointer(pointer)] = edit;
    expect_fails(doc, code, pointer + " = " + edit.dump());
  }
  // Another DID's key: the proof names a key that did not sign.
  Json doc = good;
  const std::string other = DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did();
  doc["proof"]["verificationMethod"] = DidKeyVerificationMethodId(*DidKey::Parse(other));
  expect_fails(doc, Code::kBadSignature, "other key");
  doc["proof"]["verificationMethod"] = other + "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
  expect_fails(doc, Code::kMalformed, "fragment of another DID");
  doc["proof"]["verificationMethod"] = "https://vc.example/issuers/5678#key-1";
  expect_fails(doc, Code::kMalformed, "not a did:key");
}

TEST(EddsaJcs2022, NoProofOrAProofOfTheWrongShapeIsMalformed) {
  Json doc = VectorJson("unsigned.json");
  EXPECT_EQ(VerifyProofs(doc).error().code(), Code::kMalformed);
  doc["proof"] = "z123";
  EXPECT_EQ(VerifyProofs(doc).error().code(), Code::kMalformed);
  doc["proof"] = Json::array({1});
  EXPECT_EQ(VerifyProofs(doc).error().code(), Code::kMalformed);
  EXPECT_EQ(VerifyProofs(Json::array()).error().code(), Code::kMalformed);
}

// A host proof and two validator proofs chained to it (DESIGN §3 "JSON forms").
struct Chain {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey va = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey vb = Ed25519PrivateKey::Generate();
  Json doc;

  static ProofOptions Options(const Ed25519PrivateKey& key, std::string id, std::vector<std::string> prev) {
    return testing::OptionsFor(key, std::move(id), std::move(prev), "2026-12-06T12:00:00Z");
  }

  Chain() {
    doc = VectorJson("unsigned.json");
    doc = *AddProof(doc, Options(host, "urn:vouch:proof:host", {}), host);
    doc = *AddProof(doc, Options(va, "", {"urn:vouch:proof:host"}), va);
    doc = *AddProof(doc, Options(vb, "", {"urn:vouch:proof:host"}), vb);
  }
};

void ExpectChecks(const Json& doc, std::vector<bool> ok, const std::string& what) {
  auto checks = VerifyProofs(doc);
  ASSERT_TRUE(checks.ok()) << what << ": " << checks.error().ToString();
  ASSERT_EQ(checks->size(), ok.size()) << what;
  for (size_t i = 0; i < ok.size(); ++i) {
    EXPECT_EQ((*checks)[i].status.ok(), ok[i]) << what << ", proof " << i;
  }
}

TEST(EddsaJcs2022, ProofChainVerifiesEachProofOnItsOwn) {
  Chain chain;
  ASSERT_TRUE(chain.doc["proof"].is_array());
  ExpectChecks(chain.doc, {true, true, true}, "chain");
  EXPECT_EQ(chain.doc["proof"][1]["previousProof"], "urn:vouch:proof:host");
  auto checks = *VerifyProofs(chain.doc);
  EXPECT_EQ(checks[0].id, "urn:vouch:proof:host");
  EXPECT_EQ(checks[2].previous_proof, std::vector<std::string>{"urn:vouch:proof:host"});
}

TEST(EddsaJcs2022, ChainedProofsSignTheProofTheyName) {
  Chain chain;
  // The host's proof replaced by another proof of the host over the same
  // document (a later `created`): it verifies, the chained ones no longer.
  Json doc = chain.doc;
  Json other = *AddProof(VectorJson("unsigned.json"),
                         [&] { auto o = Chain::Options(chain.host, "urn:vouch:proof:host", {});
                               o.created = "2026-12-06T12:00:01Z"; return o; }(), chain.host);
  doc["proof"][0] = other["proof"];
  ExpectChecks(doc, {true, false, false}, "swapped host proof");

  // A wrong previousProof: names no proof, or names itself out of the chain.
  doc = chain.doc;
  doc["proof"][1]["previousProof"] = "urn:vouch:proof:nobody";
  ExpectChecks(doc, {true, false, true}, "dangling previousProof");
  auto checks = *VerifyProofs(doc);
  EXPECT_EQ(checks[1].status.error().code(), Code::kMalformed);

  // previousProof removed: the proof was made over the chain, so it fails.
  doc = chain.doc;
  doc["proof"][1].erase("previousProof");
  ExpectChecks(doc, {true, false, true}, "previousProof removed");

  // The host's proof removed: the validators' proofs name a missing proof.
  doc = chain.doc;
  doc["proof"].erase(0);
  ExpectChecks(doc, {false, false}, "host proof removed");

  // A validator proof moved to another validator's key.
  doc = chain.doc;
  doc["proof"][1]["verificationMethod"] = doc["proof"][2]["verificationMethod"];
  ExpectChecks(doc, {true, false, true}, "validator key swapped");
}

TEST(EddsaJcs2022, AddProofRefusesDanglingOrDuplicateIds) {
  Chain chain;
  auto r = AddProof(chain.doc, Chain::Options(chain.va, "", {"urn:vouch:proof:nobody"}), chain.va);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  r = AddProof(chain.doc, Chain::Options(chain.va, "urn:vouch:proof:host", {}), chain.va);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  ProofOptions bad = Chain::Options(chain.va, "", {});
  bad.created = "2026-12-06 12:00:00";
  EXPECT_EQ(AddProof(chain.doc, bad, chain.va).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(AddProof(Json::array(), Chain::Options(chain.va, "", {}), chain.va).error().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::w3c
