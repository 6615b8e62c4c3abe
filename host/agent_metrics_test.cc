#include "vouch/host/agent_metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "vouch/core/version.h"
#include "vouch/host/metrics_server.h"

namespace vouch::host {
namespace {

TEST(AgentMetrics, RoundsByKindAndResultEnforcementsAndDomains) {
  AgentMetrics m;
  m.Round("guest", RoundResult(Ok()), 0.004);
  m.Round("guest", RoundResult(Ok()), 0.2);
  m.Round("guest", RoundResult(Error(Code::kDrift, "PCR 9 changed")), 0.003);
  m.Round("host", RoundResult(Error(Code::kUnavailable, "no validator")), 3);
  m.Enforced("pause");
  m.SetAttached(2);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find(StrCat("vouch_agent_build_info{version=\"", kVersion, "\"} 1\n")), std::string::npos) << text;
  EXPECT_NE(text.find("vouch_agent_domains_attached 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vouch_agent_rounds_total{kind=\"guest\",result=\"endorsed\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("vouch_agent_rounds_total{kind=\"guest\",result=\"drift\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vouch_agent_rounds_total{kind=\"host\",result=\"refused\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vouch_agent_round_seconds_bucket{kind=\"guest\",le=\"0.005\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vouch_agent_round_seconds_count{kind=\"guest\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("vouch_agent_round_seconds_bucket{kind=\"host\",le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vouch_agent_enforcements_total{action=\"pause\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE vouch_agent_round_seconds histogram\n"), std::string::npos);
}

TEST(MetricsServer, ServesMetricsAndNothingElse) {
  AgentMetrics m;
  m.SetAttached(7);
  auto server = MetricsServer::Start("127.0.0.1:0", [&m] { return m.RenderPrometheus(); });
  ASSERT_TRUE(server.ok()) << server.error().ToString();
  std::string address = (*server)->address();
  ASSERT_EQ(address.rfind("127.0.0.1:", 0), 0u) << address;
  httplib::Client client(StrCat("http://", address));
  auto got = client.Get("/metrics");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_NE(got->body.find("vouch_agent_domains_attached 7\n"), std::string::npos);
  auto other = client.Get("/v1/status");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST(MetricsServer, ABadAddressIsNamed) {
  for (const char* bad : {"7402", ":7402", "127.0.0.1:", "127.0.0.1:port", "127.0.0.1:70000"}) {
    auto server = MetricsServer::Start(bad, [] { return std::string(); });
    ASSERT_FALSE(server.ok()) << bad;
    EXPECT_NE(server.error().message().find("is not HOST:PORT"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace vouch::host
