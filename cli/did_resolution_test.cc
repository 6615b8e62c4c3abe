#include "did_resolution.h"

#include <gtest/gtest.h>

#include "ledger-client/testing/ledger_world.h"
#include "vouch/core/did_document.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::json;
namespace lt = ::vouch::ledger::testing;

#define ASSERT_OK(s) ASSERT_TRUE((s).ok()) << (s).error().ToString()

TEST(DidResolution, AHostOnTheLedgerGetsItsAkCertificationAndStatus) {
  lt::World w;
  ASSERT_OK(w.Bootstrap(3));
  ledger::DidRegisterBody reg = lt::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));                                        // 4
  ASSERT_OK(w.Add(lt::Certification(reg.did, reg.ak_public), w.val[0]));  // 5
  ASSERT_OK(w.Add(lt::Certification(reg.did, reg.ak_public), w.val[1]));  // 6
  const DidKey did = *DidKey::Parse(reg.did);
  const Json result = LedgerDidResolution(did, w.state);

  const Json& doc = result["didDocument"];
  Json did_key_part = doc;
  for (const char* term : {"attestationKey", "certification", "hostStatus"}) did_key_part.erase(term);
  did_key_part["@context"].erase(2);
  EXPECT_EQ(did_key_part, DidKeyDocument(did));
  EXPECT_EQ(doc["@context"][2], "https://w3id.org/vouch/v1");
  EXPECT_EQ(doc["attestationKey"]["tpm2bPublic"], Base64UrlEncode(reg.ak_public));
  EXPECT_EQ(doc["certification"]["certified"], true);
  EXPECT_EQ(doc["certification"]["registeredEntry"], 4);
  ASSERT_EQ(doc["certification"]["certifiedBy"].size(), 2u);
  for (const Json& c : doc["certification"]["certifiedBy"]) {
    EXPECT_TRUE(c["validator"] == lt::Did(w.val[0]) || c["validator"] == lt::Did(w.val[1]));
    EXPECT_TRUE(c["entry"] == 5 || c["entry"] == 6);
    EXPECT_EQ(c["active"], true);
    EXPECT_EQ(c["at"].get<std::string>().substr(0, 11), "2025-11-24T");
  }
  EXPECT_EQ(doc["hostStatus"], Json({{"state", "active"}}));
  EXPECT_EQ(result["didDocumentMetadata"], Json::object());
  EXPECT_EQ(result["didResolutionMetadata"]["contentType"], "application/did+ld+json");
}

TEST(DidResolution, ARevokedHostIsDeactivated) {
  lt::World w;
  ASSERT_OK(w.Bootstrap(3));
  ledger::DidRegisterBody reg = lt::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ASSERT_OK(w.Add(lt::Revoke(reg.did, "decommissioned"), w.host[0]));
  const Json result = LedgerDidResolution(*DidKey::Parse(reg.did), w.state);
  EXPECT_EQ(result["didDocumentMetadata"], Json({{"deactivated", true}}));
  EXPECT_EQ(result["didDocument"]["hostStatus"],
            Json({{"state", "revoked"}, {"revocation", {{"reason", "decommissioned"}, {"entry", 5}}}}));
}

TEST(DidResolution, AQuarantinedHostNamesItsDomains) {
  lt::World w;
  ASSERT_OK(w.Bootstrap(3));
  ledger::DidRegisterBody reg = lt::HostRegistration(w.host[0]);
  ASSERT_OK(w.Add(reg, w.host[0]));
  ledger::RevokeBody b = lt::Revoke("cti:00112233445566778899aabbccddeeff", "replayed");
  b.host = reg.did;
  b.domain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  ASSERT_OK(w.Add(b, w.gov[0], {&w.gov[1]}));
  const Json result = LedgerDidResolution(*DidKey::Parse(reg.did), w.state);
  const Json& status = result["didDocument"]["hostStatus"];
  EXPECT_EQ(status["state"], "quarantined");
  ASSERT_EQ(status["quarantines"].size(), 1u);
  EXPECT_EQ(status["quarantines"][0]["domain"], "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f");
  EXPECT_EQ(status["quarantines"][0]["launchCredential"], "urn:vouch:vc:00112233445566778899aabbccddeeff");
  EXPECT_EQ(status["quarantines"][0]["reason"], "replayed");
  EXPECT_EQ(result["didDocumentMetadata"], Json::object());  // quarantined, not deactivated
}

TEST(DidResolution, ADidNotOnTheLedgerIsItsDidKeyDocument) {
  lt::World w;
  ASSERT_OK(w.Bootstrap(3));
  const DidKey did = *DidKey::Parse(lt::Did(w.host[2]));
  const Json result = LedgerDidResolution(did, w.state);
  EXPECT_EQ(result["didDocument"], DidKeyDocument(did));
  EXPECT_EQ(result["didDocumentMetadata"], Json::object());
}

}  // namespace
}  // namespace vouch::cli
