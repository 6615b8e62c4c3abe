#include "vouch/core/did_document.h"

#include <gtest/gtest.h>

#include <string>

#include "vouch/core/base58.h"
#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/jcs.h"
#include "vouch/core/secret_bytes.h"

namespace vouch {
namespace {

using Json = nlohmann::json;

Json LoadVectors(const std::string& name) {
  const std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/did_key/" + name;
  Result<Bytes> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  return Json::parse(text.ok() ? ToString(*text) : "null");
}

DidKey ParseOrDie(const std::string& did) {
  Result<DidKey> parsed = DidKey::Parse(did);
  EXPECT_TRUE(parsed.ok()) << did << ": " << parsed.error().ToString();
  return std::move(parsed).value();
}

// The did:key spec's Ed25519 vectors, in the spec's older key-suite forms
// (Ed25519VerificationKey2018, JsonWebKey2020): everything that does not
// depend on the suite must agree.
TEST(DidKeyDocument, AgreesWithTheSpecVectorsOnIdsKeyAndRelationships) {
  const Json vectors = LoadVectors("ed25519-x25519.json");
  ASSERT_EQ(vectors.size(), 5u);
  for (const auto& [did, vector] : vectors.items()) {
    // The seed gives the DID (the vector is what it says it is).
    SecretBytes seed = SecretBytes::Adopt(HexDecode(vector.at("seed").get<std::string>()).value());
    EXPECT_EQ(DidKey::FromPublicKey(Ed25519PrivateKey::FromSeed(seed).value().public_key()).did(), did);

    const Json ours = DidKeyDocument(ParseOrDie(did));
    const Json& spec = vector.at("didDocument");
    EXPECT_EQ(ours.at("id"), spec.at("id")) << did;
    ASSERT_EQ(ours["verificationMethod"].size(), 1u);
    const Json& method = ours["verificationMethod"][0];
    const Json& spec_method = spec.at("verificationMethod").at(0);
    EXPECT_EQ(method.at("id"), spec_method.at("id")) << did;
    EXPECT_EQ(method.at("controller"), spec_method.at("controller")) << did;
    EXPECT_EQ(method["type"], "Multikey");
    // publicKeyMultibase: 'z' + base58btc(ed 01 ‖ key); the spec's key is base58btc(key).
    const std::string multibase = method["publicKeyMultibase"];
    ASSERT_EQ(multibase[0], 'z');
    const Bytes multikey = Base58Decode(std::string_view(multibase).substr(1)).value();
    ASSERT_EQ(multikey.size(), 34u);
    EXPECT_EQ(multikey[0], 0xed);
    EXPECT_EQ(multikey[1], 0x01);
    // The spec gives the key as publicKeyBase58 (Ed25519VerificationKey2018)
    // or as a JWK's base64url "x" (JsonWebKey2020, the fifth vector).
    const Bytes spec_key = spec_method.contains("publicKeyBase58")
                               ? Base58Decode(spec_method.at("publicKeyBase58").get<std::string>()).value()
                               : Base64Decode(spec_method.at("publicKeyJwk").at("x").get<std::string>()).value();
    EXPECT_EQ(Bytes(multikey.begin() + 2, multikey.end()), spec_key) << did;
    for (const char* relationship : {"authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"}) {
      EXPECT_EQ(ours.at(relationship), spec.at(relationship)) << did << " " << relationship;
    }
    // The spec's document adds the derived X25519 key; vouch's leaves it out.
    EXPECT_TRUE(spec.contains("keyAgreement"));
    EXPECT_FALSE(ours.contains("keyAgreement"));
  }
}

// The Multikey documents Digital Bazaar's did:key driver gives for the same
// DIDs: equal as values and as JCS bytes.
TEST(DidKeyDocument, EqualsDigitalBazaarsMultikeyDocuments) {
  const Json fixture = LoadVectors("ed25519-multikey.json");
  ASSERT_EQ(fixture["items"].size(), 5u);
  for (const Json& item : fixture["items"]) {
    const std::string did = item["did"];
    const Json ours = DidKeyDocument(ParseOrDie(did));
    EXPECT_EQ(ours, item["didDocument"]) << did << "\nvouch: " << ours.dump(1)
                                         << "\nnpm:   " << item["didDocument"].dump(1);
    EXPECT_EQ(CanonicalJson(ours).value(), CanonicalJson(item["didDocument"]).value()) << did;
  }
}

TEST(DidKeyDocument, HasExactlyTheMultikeyShape) {
  const std::string did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
  const std::string method_id = did + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
  const DidKey key = ParseOrDie(did);
  EXPECT_EQ(DidKeyVerificationMethodId(key), method_id);
  EXPECT_EQ(CanonicalJson(DidKeyDocument(key)).value(),
            "{\"@context\":[\"https://www.w3.org/ns/did/v1\",\"https://w3id.org/security/multikey/v1\"],"
            "\"assertionMethod\":[\"" + method_id + "\"],"
            "\"authentication\":[\"" + method_id + "\"],"
            "\"capabilityDelegation\":[\"" + method_id + "\"],"
            "\"capabilityInvocation\":[\"" + method_id + "\"],"
            "\"id\":\"" + did + "\","
            "\"verificationMethod\":[{\"controller\":\"" + did + "\",\"id\":\"" + method_id +
            "\",\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\",\"type\":\"Multikey\"}]}");
}

TEST(DidKeyDocument, OfAFreshKeyNamesThatKey) {
  const Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  const DidKey did = DidKey::FromPublicKey(key.public_key());
  const Json doc = DidKeyDocument(did);
  EXPECT_EQ(doc["id"], did.did());
  const std::string multibase = doc["verificationMethod"][0]["publicKeyMultibase"];
  EXPECT_EQ(ParseOrDie("did:key:" + multibase).public_key().raw(), key.public_key().raw());
}

}  // namespace
}  // namespace vouch
