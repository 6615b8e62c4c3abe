#include "vouch/validator/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "testing/attest_world.h"
#include "testing/server_fixture.h"
#include "vouch/core/cbor.h"
#include "vouch/core/countersign.h"
#include "vouch/core/endorsement.h"

namespace vouch::validator {
namespace {

using testing::AttestWorld;
using testing::Built;
using testing::kNow;
using testing::Scenario;

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += StrCat("%", "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15]);
    }
  }
  return out;
}

cbor::Value DecodeMap(const std::string& body) {
  auto v = cbor::Decode(AsBytes(body));
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().ToString());
  return v.ok() ? *v : cbor::Value::Map({});
}

class ServerTest : public testing::ServerFixture {
 protected:
  void SetUp() override { StartServer({}); }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    c.set_write_timeout(5);
    return c;
  }

  // GET /v1/challenge for the world's host; returns the nonce.
  Bytes Challenge() {
    auto client = Client();
    auto res = client.Get(("/v1/challenge?host=" + UrlEncode(world_.host_did())).c_str());
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res) return {};
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/cbor");
    cbor::Value v = DecodeMap(res->body);
    const cbor::Value* validator = v.Find("validator");
    EXPECT_TRUE(validator != nullptr && validator->is_text() &&
                validator->text() == world_.ours().did());
    const cbor::Value* nonce = v.Find("nonce");
    EXPECT_TRUE(nonce != nullptr && nonce->is_bytes());
    return nonce != nullptr && nonce->is_bytes() ? nonce->bytes() : Bytes{};
  }

  httplib::Result Attest(const Bytes& body, const char* type = "application/cbor") {
    auto client = Client();
    return client.Post("/v1/attest", reinterpret_cast<const char*>(body.data()), body.size(), type);
  }

  void ExpectRefusal(const httplib::Result& res, int status, std::string_view code,
                     std::string_view reason_part) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, status);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/cbor");
    cbor::Value v = DecodeMap(res->body);
    const cbor::Value* c = v.Find("code");
    const cbor::Value* r = v.Find("reason");
    ASSERT_TRUE(c != nullptr && c->is_text()) << v.ToDiagnostic();
    ASSERT_TRUE(r != nullptr && r->is_text()) << v.ToDiagnostic();
    EXPECT_EQ(c->text(), code);
    EXPECT_NE(r->text().find(reason_part), std::string::npos) << r->text();
  }

};

TEST_F(ServerTest, ChallengeThenAttestRoundTripReleasesTheShare) {
  Scenario s;
  s.our_nonce = Challenge();
  Built b = world_.Build(s);
  auto res = Attest(protocol::EncodeAttestRequest(b.request));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/cbor");
  cbor::Value v = DecodeMap(res->body);
  const cbor::Value* endorsement = v.Find("endorsement");
  const cbor::Value* share = v.Find("share");
  ASSERT_TRUE(endorsement != nullptr && endorsement->is_bytes());
  ASSERT_TRUE(share != nullptr && share->is_bytes());

  auto vc = HostVc::Parse(b.vc);
  ASSERT_TRUE(vc.ok());
  auto cs = Countersignature::Parse(endorsement->bytes());
  ASSERT_TRUE(cs.ok()) << cs.error().ToString();
  auto verified = VerifyEndorsement(*vc, *cs);
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_EQ(verified->validator_did, world_.ours().did());
  auto opened = OpenShareAsHost(b.ephemeral, b.claims.cti, vc->Digest(), share->bytes());
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_TRUE(*opened == world_.shares()[AttestWorld::kOurs]);

  std::vector<std::string> log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].rfind("vouchd: decision=approved host=" + world_.host_did() + " domain=" +
                             testing::kDomain + " cti=" + HexEncode(b.claims.cti) + " index=1 ms=",
                         0),
            0u)
      << log[0];
}

TEST_F(ServerTest, RefusalCarriesCodeAndReasonAndIsLogged) {
  Scenario s;
  s.our_nonce = Challenge();
  s.policy = [](OwnerPolicy& p) { p.reference_pcrs[7] = {RandomBytes(32)}; };
  Built b = world_.Build(s);
  ExpectRefusal(Attest(protocol::EncodeAttestRequest(b.request)), 403, "pcr-mismatch",
                "PCR 7 differs from reference");
  std::vector<std::string> log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("decision=refused code=pcr-mismatch host=" + world_.host_did()),
            std::string::npos)
      << log[0];
  EXPECT_NE(log[0].find("reason=\"PCR 7 differs from reference"), std::string::npos) << log[0];
}

TEST_F(ServerTest, ReplayIsRefusedWith409) {
  Scenario s;
  s.our_nonce = Challenge();
  Bytes body = protocol::EncodeAttestRequest(world_.Build(s).request);
  auto first = Attest(body);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  ExpectRefusal(Attest(body), 409, "replay", "already endorsed");
}

TEST_F(ServerTest, MalformedBodyIs400Malformed) {
  ExpectRefusal(Attest(Bytes{0xff, 0x00, 0x13}), 400, "malformed", "attest request");
  ExpectRefusal(Attest(cbor::Encode(cbor::Value::Map({{"vc", 1}}))), 400, "malformed",
                "attest request");
}

TEST_F(ServerTest, WrongContentTypeIs415) {
  Bytes body = protocol::EncodeAttestRequest(AttestRequest{Bytes{1}, Bytes{2}, Bytes{3}, 0, {}});
  ExpectRefusal(Attest(body, "application/json"), 415, "malformed",
                "expected Content-Type application/cbor");
}

TEST_F(ServerTest, OversizedBodyIsRefused) {
  // 300 KiB against the default 256 KiB limit: httplib answers 413 from the
  // Content-Length alone, before reading the body or appraising anything.
  Bytes body = protocol::EncodeAttestRequest(AttestRequest{Bytes(300 * 1024, 1), Bytes{2}, Bytes{3}, 0, {}});
  auto res = Attest(body);
  ExpectRefusal(res, 413, "malformed", "exceeds the limit of 262144 bytes");
  EXPECT_EQ(metrics_.Snapshot().appraisals, 0u);
  // Neither silent nor uncounted.
  EXPECT_EQ((metrics_.Snapshot().http_refusals[{"attest", 413}]), 1u);
  std::vector<std::string> log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].rfind("vouchd: refused status=413 endpoint=attest method=POST path=/v1/attest code=malformed "
                         "peer=127.0.0.1 request_id=" + res->get_header_value("X-Request-Id") +
                             " reason=\"request body exceeds the limit of 262144 bytes\"",
                         0),
            0u)
      << log[0];
  EXPECT_EQ(LogLines()[0].find(" level=warn vouchd: refused status=413"), 29u) << LogLines()[0];
}

TEST_F(ServerTest, BodyLimitIsConfigurable) {
  ServerOptions o;
  o.max_body_bytes = 4096;
  StartServer(o);
  Bytes body = protocol::EncodeAttestRequest(AttestRequest{Bytes(5000, 1), Bytes{2}, Bytes{3}, 0, {}});
  ExpectRefusal(Attest(body), 413, "malformed", "exceeds the limit of 4096 bytes");
}

TEST_F(ServerTest, ChallengeNeedsAValidHostDid) {
  auto client = Client();
  ExpectRefusal(client.Get("/v1/challenge"), 400, "malformed", "'host'");
  ExpectRefusal(client.Get("/v1/challenge?host=did:web:example.com"), 400, "malformed",
                "parameter 'host'");
}

TEST_F(ServerTest, UnknownPathIs404NotFoundCountedAndLoggedOncePerPeerAndInterval) {
  auto client = Client();
  ExpectRefusal(client.Get("/v1/nothing"), 404, "not-found", "no endpoint GET /v1/nothing");
  ExpectRefusal(client.Get("/v1/nothing%0aforged=1"), 404, "not-found", "no endpoint GET /v1/nothing");
  EXPECT_EQ((metrics_.Snapshot().http_refusals[{"other", 404}]), 2u);
  std::vector<std::string> log = Log();
  ASSERT_EQ(log.size(), 1u);  // the second within limit_log_interval is held back
  EXPECT_EQ(log[0].rfind("vouchd: refused status=404 endpoint=other method=GET path=/v1/nothing code=not-found", 0),
            0u)
      << log[0];
}

TEST_F(ServerTest, EveryAnswerCarriesAFreshRequestIdThatItsLogLineEndsWith) {
  auto client = Client();
  auto a = client.Get("/v1/status", {{"X-Request-Id", "chosen-by-the-client"}});
  auto b = client.Get("/v1/status");
  ASSERT_TRUE(a && b);
  std::string id = a->get_header_value("X-Request-Id");
  EXPECT_EQ(id.size(), 16u) << id;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  EXPECT_NE(id, b->get_header_value("X-Request-Id"));

  Scenario s;
  s.our_nonce = Challenge();
  s.policy = [](OwnerPolicy& p) { p.reference_pcrs[7] = {RandomBytes(32)}; };
  auto refused = Attest(protocol::EncodeAttestRequest(world_.Build(s).request));
  ASSERT_TRUE(refused);
  std::vector<std::string> lines = LogLines();
  ASSERT_EQ(lines.size(), 1u);
  // time=<RFC 3339 UTC> level=warn vouchd: decision=refused … peer=127.0.0.1 request_id=<the header> reason=…
  EXPECT_EQ(lines[0].rfind("time=2025-11-24T16:00:00.000Z level=warn vouchd: decision=refused code=pcr-mismatch", 0),
            0u)
      << lines[0];
  EXPECT_NE(lines[0].find(" peer=127.0.0.1 request_id=" + refused->get_header_value("X-Request-Id") + " reason="),
            std::string::npos)
      << lines[0];
}

TEST_F(ServerTest, DashboardShowsDecisionsNewestFirstAndEscapesWhatClientsSent) {
  Scenario s;
  s.our_nonce = Challenge();
  ASSERT_EQ(Attest(protocol::EncodeAttestRequest(world_.Build(s).request))->status, 200);
  // The Content-Type a client sends is quoted in the refusal's reason.
  auto xss = Attest(Bytes{1}, "<script>document.title='owned'</script>");
  ASSERT_TRUE(xss);
  ASSERT_EQ(xss->status, 415);

  auto client = Client();
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Content-Security-Policy").rfind("default-src 'none'", 0), 0u);
  const std::string& html = page->body;
  EXPECT_NE(html.find(world_.ours().did()), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_NE(html.find("got &#39;&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;&#39;"), std::string::npos)
      << html;
  size_t refused = html.find("<tr class=\"refused\">");
  size_t approved = html.find("<tr class=\"approved\">");
  ASSERT_NE(refused, std::string::npos);
  ASSERT_NE(approved, std::string::npos);
  EXPECT_LT(refused, approved);  // newest first
  EXPECT_NE(html.find(world_.host_did()), std::string::npos);
  EXPECT_NE(html.find("none: this validator reads a --hosts file"), std::string::npos);
}

TEST_F(ServerTest, ReattestEndorsesAnUnchangedDomainAndNamesDrift) {
  Built launch = world_.Build({}, kNow - 60);
  Bytes baseline = world_.EndorsedLaunch(launch, {0, 2}, kNow - 60);
  auto post = [&](const ReattestRequest& r, const char* type = "application/cbor") {
    Bytes body = protocol::EncodeReattestRequest(r);
    auto client = Client();
    return client.Post("/v1/reattest", reinterpret_cast<const char*>(body.data()), body.size(),
                       type);
  };

  Scenario fresh;
  fresh.our_nonce = Challenge();
  ReattestRequest ok = world_.BuildReattest(launch, baseline, fresh);
  auto res = post(ok);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 200) << res->body;
  cbor::Value v = DecodeMap(res->body);
  ASSERT_EQ(v.map().size(), 1u) << v.ToDiagnostic();  // an endorsement, never a share
  const cbor::Value* endorsement = v.Find("endorsement");
  ASSERT_TRUE(endorsement != nullptr && endorsement->is_bytes());
  auto vc = HostVc::Parse(ok.vc);
  ASSERT_TRUE(vc.ok());
  auto cs = Countersignature::Parse(endorsement->bytes());
  ASSERT_TRUE(cs.ok()) << cs.error().ToString();
  EXPECT_TRUE(VerifyEndorsement(*vc, *cs).ok());

  Scenario drifted;
  drifted.our_nonce = Challenge();
  drifted.claims = [](HostVcClaims& c) { c.tpm.pcrs[0] = Bytes(32, 0x5a); };
  ExpectRefusal(post(world_.BuildReattest(launch, baseline, drifted)), 403, "drift",
                "PCR 0 changed since launch");
  ExpectRefusal(post(ok, "text/plain"), 415, "malformed", "expected Content-Type");
  ExpectRefusal(post(ok), 409, "replay", "");
  std::vector<std::string> log = Log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[0].rfind("vouchd: decision=approved kind=reattest host=", 0), 0u) << log[0];
  EXPECT_EQ(log[1].rfind("vouchd: decision=refused kind=reattest code=drift", 0), 0u) << log[1];
}

TEST_F(ServerTest, EnrollWithoutALedgerIs501) {
  auto client = Client();
  for (const char* path : {"/v1/enroll", "/v1/enroll/finish"}) {
    ExpectRefusal(client.Post(path, "", 0, "application/cbor"), 501, "unavailable",
                  "AK enrollment needs a vouchd on the ledger");
  }
  EXPECT_EQ(metrics_.Snapshot().enrollments["refused"], 2u);
  EXPECT_EQ((metrics_.Snapshot().http_refusals[{"enroll", 501}]), 2u);
}

TEST_F(ServerTest, StatusListWithoutALedgerIs501) {
  auto client = Client();
  ExpectRefusal(client.Get("/v1/status/revocation"), 501, "unavailable", "this validator reads no ledger");
  EXPECT_EQ((metrics_.Snapshot().http_refusals[{"status-list", 501}]), 1u);
}

TEST_F(ServerTest, StatusInCborAndJsonAndMetricsCountDecisions) {
  Scenario s;
  s.our_nonce = Challenge();
  ASSERT_EQ(Attest(protocol::EncodeAttestRequest(world_.Build(s).request))->status, 200);
  ASSERT_EQ(Attest(Bytes{0x01})->status, 400);

  auto client = Client();
  auto status = client.Get("/v1/status");
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200);
  cbor::Value v = DecodeMap(status->body);
  ASSERT_NE(v.Find("did"), nullptr);
  EXPECT_EQ(v.Find("did")->text(), world_.ours().did());
  EXPECT_EQ(v.Find("hpke_public_key")->bytes(), world_.ours().hpke_key().public_key());
  EXPECT_EQ(v.Find("approvals")->uint_value(), 1u);
  EXPECT_EQ(v.Find("refusals")->Find("malformed")->uint_value(), 1u);
  EXPECT_EQ(v.Find("replay_cache")->uint_value(), 1u);

  auto json = client.Get("/v1/status", {{"Accept", "application/json"}});
  ASSERT_TRUE(json);
  EXPECT_EQ(json->get_header_value("Content-Type"), "application/json");
  EXPECT_NE(json->body.find("\"did\":\"" + world_.ours().did() + "\""), std::string::npos)
      << json->body;
  EXPECT_NE(json->body.find("\"refusals\":{\"malformed\":1}"), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("\"ledger\":null"), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("\"hosts_seen\":1"), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("\"code\":\"malformed\""), std::string::npos) << json->body;  // the latest decision

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("vouchd_requests_total{endpoint=\"attest\"} 2\n"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("vouchd_requests_total{endpoint=\"challenge\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("vouchd_approvals_total 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("vouchd_refusals_total{code=\"malformed\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("vouchd_appraisal_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("vouchd_appraisal_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("vouchd_request_duration_seconds_count{endpoint=\"attest\"} 2\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("vouchd_http_refusals_total{endpoint=\"attest\",status=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");

  auto dashboard = client.Get("/");
  ASSERT_TRUE(dashboard);
  EXPECT_NE(dashboard->body.find(world_.ours().did()), std::string::npos);
}

TEST_F(ServerTest, ConcurrentHostsAreAppraisedInParallel) {
  constexpr int kHosts = 8;
  // Eight hosts, here all on 127.0.0.1: one peer address may hold only
  // max_peer_connections connections (server_dos_test.cc).
  ServerOptions o;
  o.max_peer_connections = kHosts;
  StartServer(o);
  std::vector<Built> requests;
  for (int i = 0; i < kHosts; ++i) {
    Scenario s;
    s.our_nonce = Challenge();
    requests.push_back(world_.Build(s));
  }
  std::atomic<int> approved{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kHosts; ++i) {
    threads.emplace_back([&, i] {
      auto res = Attest(protocol::EncodeAttestRequest(requests[i].request));
      if (res && res->status == 200) ++approved;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(approved.load(), kHosts);
  EXPECT_EQ(Log().size(), static_cast<size_t>(kHosts));
}

TEST_F(ServerTest, PortInUseIsUnavailable) {
  ServerOptions o;
  o.port = server_->port();
  auto second = Server::Start(
      o, ServerParts{&world_.appraiser(), &world_.challenges(), &metrics_, &world_.replay()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Code::kUnavailable);
}

TEST_F(ServerTest, StopIsIdempotentAndRefusesNewConnections) {
  uint16_t port = server_->port();
  server_->Stop();
  server_->Stop();
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1);
  EXPECT_FALSE(c.Get("/v1/status"));
}

}  // namespace
}  // namespace vouch::validator
