#include "vouch/validator/dashboard.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vouch/validator/validator_status.h"

namespace vouch::validator {
namespace {

constexpr char kXss[] = "<script>alert('x')</script><img src=x onerror=\"alert(1)\">&";

ValidatorStatus Sample() {
  ValidatorStatus s;
  s.did = "did:key:z6MkValidator";
  s.hpke_public_key_hex = "00ff";
  s.version = "1.2.3";
  s.fault = "none";
  s.now = 1700000100;
  s.uptime_s = 7325;
  s.metrics.approvals = 1;
  s.metrics.refusals["pcr-mismatch"] = 1;
  s.metrics.http_refusals[{"attest", 413}] = 2;
  LedgerHealth ledger;
  ledger.entries = 12;
  ledger.head_index = 11;
  ledger.head_digest_hex = std::string(64, 'a');
  ledger.synced = true;
  ledger.last_sync_at = 1700000097;
  ledger.revocations = 1;
  ledger.latest_revocations.push_back({"cti:00aa", "PCR 7 drift <b>", 9});
  s.ledger = ledger;
  Decision refused;
  refused.at = 1700000090;
  refused.host_did = StrCat("did:key:z6Mk", kXss);
  refused.domain_uuid = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  refused.code = Code::kPcrMismatch;
  refused.reason = StrCat("PCR 7 differs ", kXss);
  refused.request_id = "0123456789abcdef";
  Decision approved;
  approved.at = 1700000095;
  approved.approved = true;
  approved.kind = "reattest";
  approved.host_did = "did:key:z6MkHost";
  s.decisions = {approved, refused};
  s.hosts.push_back(HostSeen{"did:key:z6MkHost", 1700000095, 1, 0});
  return s;
}

TEST(Dashboard, ShowsIdentityLedgerDecisionsHostsAndCounters) {
  std::string html = RenderDashboard(Sample());
  for (const char* part :
       {"<code id=\"did\">did:key:z6MkValidator</code>", "<span id=\"version\">1.2.3</span>", "2 h 2 min",
        "entry <span id=\"ledger-head\">11</span>", "<span class=\"ok\">synced</span>", "(3 s ago)",
        "<span id=\"revocations\">1</span>", "cti:00aa", "<tr class=\"approved\"><td class=\"time\">2023-11-14T22:14:55Z</td><td>reattest",
        "<tr class=\"refused\">", "pcr-mismatch", "0123456789abcdef", "<span id=\"hosts-seen\">1</span>",
        "<td>attest</td><td>413</td><td>2</td>", "<span id=\"approvals\">1</span>"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part << "\n" << html;
  }
  // Newest first: the approval (at …95) before the refusal (at …90).
  EXPECT_LT(html.find("class=\"approved\""), html.find("class=\"refused\""));
}

TEST(Dashboard, EscapesEverythingFromOutside) {
  std::string html = RenderDashboard(Sample());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("PCR 7 differs &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x "
                      "onerror=&quot;alert(1)&quot;&gt;&amp;"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("PCR 7 drift &lt;b&gt;"), std::string::npos);
}

TEST(Dashboard, NamesAFailingLedgerAndAHostsFile) {
  ValidatorStatus s = Sample();
  s.ledger->synced = false;
  s.ledger->last_error = "ledger 'sqlite:///x' cannot be read or verified: <gone>";
  s.ledger->last_error_at = 1700000099;
  s.ledger->sync_failures = 4;
  std::string html = RenderDashboard(s);
  EXPECT_NE(html.find("<span class=\"bad\">not synced</span>"), std::string::npos) << html;
  EXPECT_NE(html.find("cannot be read or verified: &lt;gone&gt;</span> (4 failed syncs)"), std::string::npos);
  s.ledger.reset();
  EXPECT_NE(RenderDashboard(s).find("none: this validator reads a --hosts file"), std::string::npos);
}

TEST(StatusJson, CarriesTheDashboardsData) {
  auto doc = nlohmann::json::parse(StatusJson(Sample()));
  EXPECT_EQ(doc["did"], "did:key:z6MkValidator");
  EXPECT_EQ(doc["version"], "1.2.3");
  EXPECT_EQ(doc["ledger"]["head_index"], 11);
  EXPECT_EQ(doc["ledger"]["lag_s"], 3);
  EXPECT_EQ(doc["ledger"]["latest_revocations"][0]["subject"], "cti:00aa");
  ASSERT_EQ(doc["decisions"].size(), 2u);
  EXPECT_EQ(doc["decisions"][0]["approved"], true);
  EXPECT_EQ(doc["decisions"][0]["kind"], "reattest");
  EXPECT_EQ(doc["decisions"][1]["code"], "pcr-mismatch");
  EXPECT_EQ(doc["decisions"][1]["reason"], StrCat("PCR 7 differs ", kXss));  // JSON carries text as is
  EXPECT_EQ(doc["decisions"][1]["time"], "2023-11-14T22:14:50.000Z");
  EXPECT_EQ(doc["http_refusals"]["attest"]["413"], 2);
  EXPECT_EQ(doc["hosts_seen"], 1);
  EXPECT_EQ(doc["refusals"]["pcr-mismatch"], 1);
}

TEST(StatusJson, BytesThatAreNotUtf8AreReplacedNotThrown) {
  ValidatorStatus s = Sample();
  s.decisions[1].reason = "got '\xff\xfe'";
  auto doc = nlohmann::json::parse(StatusJson(s));
  EXPECT_EQ(doc["decisions"][1]["reason"], "got '\xEF\xBF\xBD\xEF\xBF\xBD'");
  s.ledger.reset();
  EXPECT_TRUE(nlohmann::json::parse(StatusJson(s))["ledger"].is_null());
}

}  // namespace
}  // namespace vouch::validator
