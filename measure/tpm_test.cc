#include "vouch/measure/tpm.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <thread>

#include "measure/testing/swtpm_fixture.h"
#include "vouch/core/digest.h"
#include "vouch/measure/quote_verify.h"

namespace vouch {
namespace {

const std::vector<uint32_t> kBootPcrs = {0, 1, 2, 3, 4, 5, 6, 7, 16};

Bytes Extra(std::string_view label) { return ToBytes(Sha256(AsBytes(label))); }

class TpmTest : public testing::SwtpmTest {
 protected:
  std::unique_ptr<Tpm> Open() {
    auto t = Tpm::Open(swtpm_->tcti());
    EXPECT_TRUE(t.ok()) << t.error().ToString();
    return t.ok() ? std::move(t).value() : nullptr;
  }
};

// A 127.0.0.1 port nobody listens on (bound, then released).
uint16_t ClosedPort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

TEST(TpmOpen, ReportsUnavailableNamingTheTcti) {
  std::string tcti = StrCat("swtpm:host=127.0.0.1,port=", ClosedPort());
  auto t = Tpm::Open(tcti);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), Code::kUnavailable);
  EXPECT_NE(t.error().message().find("TPM at TCTI '" + tcti + "' is not available"),
            std::string::npos)
      << t.error().message();

  t = Tpm::Open("device:/dev/vouch-no-such-tpm");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), Code::kUnavailable);
  EXPECT_NE(t.error().message().find("'device:/dev/vouch-no-such-tpm'"), std::string::npos)
      << t.error().message();
}

TEST(TpmOpen, ReportsATpmThatNeverAnswersInsteadOfWaiting) {
  // Sockets that complete TCP handshakes (listen backlog) but never read: a
  // command port P and the platform port P + 1 the TCTI also opens.
  int cmd = -1, ctrl = -1;
  uint16_t port = 0;
  for (int attempt = 0; attempt < 32 && ctrl < 0; ++attempt) {
    if (cmd >= 0) ::close(cmd);
    cmd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    ASSERT_EQ(::bind(cmd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ASSERT_EQ(::listen(cmd, 4), 0);
    ASSERT_EQ(::getsockname(cmd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port = ntohs(a.sin_port);
    if (port == 65535) continue;
    int c = ::socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(static_cast<uint16_t>(port + 1));
    if (::bind(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 && ::listen(c, 4) == 0) {
      ctrl = c;
    } else {
      ::close(c);
    }
  }
  ASSERT_GE(ctrl, 0) << "no free port pair";
  // The platform port answers the mssim TCTI's power-on commands at Init
  // (each a 4-byte code, answered by a 4-byte 0), so that Init completes;
  // tpm2-tss TCTI Inits have no deadline of their own. The command port then
  // takes the TPM2_GetCapability and never answers.
  std::thread platform([ctrl] {
    int c = ::accept(ctrl, nullptr, nullptr);
    if (c < 0) return;
    uint8_t buf[4];
    while (::recv(c, buf, sizeof(buf), MSG_WAITALL) == static_cast<ssize_t>(sizeof(buf))) {
      const uint8_t zero[4] = {0, 0, 0, 0};
      if (::send(c, zero, sizeof(zero), MSG_NOSIGNAL) != 4) break;
    }
    ::close(c);
  });
  std::string tcti = StrCat("mssim:host=127.0.0.1,port=", port);

  auto start = std::chrono::steady_clock::now();
  auto t = Tpm::Open(tcti, std::chrono::milliseconds(300));
  auto waited = std::chrono::steady_clock::now() - start;
  std::optional<Error> error;
  if (!t.ok()) error = t.error();
  t = Error(Code::kInternal, "done");  // closes the TCTI: the platform thread sees EOF
  ::shutdown(ctrl, SHUT_RDWR);
  platform.join();
  ::close(cmd);
  ::close(ctrl);

  ASSERT_TRUE(error.has_value());
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_EQ(error->code(), Code::kUnavailable);
  EXPECT_NE(error->message().find("TPM at TCTI '" + tcti + "' did not answer within 300 ms"),
            std::string::npos)
      << error->message();
}

TEST_F(TpmTest, FactsNameTheManufacturerAndFirmware) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  EXPECT_EQ(tpm->facts().manufacturer, "IBM");  // swtpm / libtpms
  EXPECT_NE(tpm->facts().firmware_version, 0u);
  EXPECT_EQ(tpm->facts().firmware, FormatTpmFirmwareVersion(tpm->facts().firmware_version));
  EXPECT_EQ(tpm->tcti(), swtpm_->tcti());
}

TEST_F(TpmTest, ReadPcrsReturnsSha256ValuesAndSeesAnExtend) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto before = tpm->ReadPcrs({0, 16, 23});
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  ASSERT_EQ(before->size(), 3u);
  EXPECT_EQ(before->at(0), Bytes(32, 0));  // no firmware measured anything
  EXPECT_EQ(before->at(16), Bytes(32, 0));

  Bytes digest = Extra("measured thing");
  Tool({"tpm2_pcrextend", "16:sha256=" + HexEncode(digest)});  // another client, same TPM
  auto after = tpm->ReadPcrs({16});
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  EXPECT_EQ(after->at(16), ToBytes(Sha256({before->at(16), digest})));
}

TEST_F(TpmTest, ReadPcrsReadsAllTwentyFourAcrossSeveralCommands) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  std::vector<uint32_t> all;
  for (uint32_t i = 0; i < kTpmPcrCount; ++i) all.push_back(i);
  auto v = tpm->ReadPcrs(all);  // TPM2_PCR_Read returns at most 8 at a time
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  ASSERT_EQ(v->size(), 24u);
  for (const auto& [i, value] : *v) EXPECT_EQ(value.size(), 32u) << "PCR " << i;
  EXPECT_EQ(v->at(17), Bytes(32, 0xff));  // locality PCRs 17-22 start as all ones
}

TEST_F(TpmTest, ReadPcrsRefusesBadIndices) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto r = tpm->ReadPcrs({24});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find("PCR index 24 is out of range 0-23"), std::string::npos);
  r = tpm->ReadPcrs({3, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("PCR index 3 is listed twice"), std::string::npos);
}

TEST_F(TpmTest, QuoteRoundTripVerifies) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  Bytes extra = Extra("nonce digest ‖ E.pub ‖ config digest");
  auto q = tpm->Quote(*ak, kBootPcrs, extra);
  ASSERT_TRUE(q.ok()) << q.error().ToString();

  auto pcrs = tpm->ReadPcrs(kBootPcrs);
  ASSERT_TRUE(pcrs.ok());
  EXPECT_EQ(q->pcr_values, *pcrs);

  auto v = VerifyQuote(ak->public_area(), *q, extra);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->pcrs, kBootPcrs);
  EXPECT_EQ(v->firmware_version, tpm->facts().firmware_version);
  EXPECT_EQ(v->qualified_signer.size(), 34u);
}

TEST_F(TpmTest, QuoteTakesUpTo64BytesOfExtraData) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  for (size_t n : {size_t{0}, size_t{1}, size_t{64}}) {
    Bytes extra(n, 0x5a);
    auto q = tpm->Quote(*ak, {7}, extra);
    ASSERT_TRUE(q.ok()) << n << ": " << q.error().ToString();
    EXPECT_TRUE(VerifyQuote(ak->public_area(), *q, extra).ok()) << n;
  }
  auto q = tpm->Quote(*ak, {7}, Bytes(65, 0));
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code(), Code::kInvalidArgument);
  EXPECT_NE(q.error().message().find("expected at most 64 bytes, got 65"), std::string::npos);
}

TEST_F(TpmTest, QuoteRefusedWhenPcrExtendedAfterIt) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  Bytes extra = Extra("launch");
  auto q = tpm->Quote(*ak, kBootPcrs, extra);
  ASSERT_TRUE(q.ok()) << q.error().ToString();

  Tool({"tpm2_pcrextend", "16:sha256=" + HexEncode(Extra("after the quote"))});
  auto now = tpm->ReadPcrs(kBootPcrs);
  ASSERT_TRUE(now.ok());
  ASSERT_NE(now->at(16), q->pcr_values.at(16));

  TpmQuote claimed = *q;
  claimed.pcr_values = *now;  // today's values with yesterday's quote
  auto v = VerifyQuote(ak->public_area(), claimed, extra);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kPcrMismatch);
  EXPECT_NE(v.error().message().find("quote PCR digest"), std::string::npos);
  EXPECT_TRUE(VerifyQuote(ak->public_area(), *q, extra).ok());  // the quoted values still do
}

TEST_F(TpmTest, QuoteRefusedWithWrongExtraData) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok());
  auto q = tpm->Quote(*ak, {0, 7}, Extra("validator A nonce"));
  ASSERT_TRUE(q.ok());
  auto v = VerifyQuote(ak->public_area(), *q, Extra("validator B nonce"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadQuote);
  EXPECT_NE(v.error().message().find("quote extraData: expected"), std::string::npos);
}

TEST_F(TpmTest, QuoteSignedByAnotherAkIsRefused) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto registered = tpm->CreateAk();
  auto other = tpm->CreateAk();
  ASSERT_TRUE(registered.ok() && other.ok());
  ASSERT_NE(registered->name(), other->name());
  Bytes extra = Extra("n");
  auto q = tpm->Quote(*other, kBootPcrs, extra);
  ASSERT_TRUE(q.ok());
  auto v = VerifyQuote(registered->public_area(), *q, extra);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadQuote);
  EXPECT_NE(v.error().message().find("quote signature does not verify with AK " +
                                     HexEncode(registered->name())),
            std::string::npos)
      << v.error().message();
}

TEST_F(TpmTest, AkPersistsAcrossSwtpmRestart) {
  std::string dir = work_ / "ak";
  Bytes name;
  uint32_t resets_before = 0;
  {
    auto tpm = Open();
    ASSERT_TRUE(tpm);
    auto ak = tpm->CreateAk();
    ASSERT_TRUE(ak.ok());
    ASSERT_TRUE(ak->Save(dir).ok());
    name = ak->name();
    auto q = tpm->Quote(*ak, {0}, Extra("before"));
    ASSERT_TRUE(q.ok());
    auto v = VerifyQuote(ak->public_area(), *q, Extra("before"));
    ASSERT_TRUE(v.ok());
    resets_before = v->reset_count;
  }
  pid_t old_pid = swtpm_->pid();
  ASSERT_TRUE(swtpm_->Restart().ok());
  ASSERT_NE(swtpm_->pid(), old_pid);

  auto ak = Ak::Load(dir);
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  EXPECT_EQ(ak->name(), name);
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto q = tpm->Quote(*ak, kBootPcrs, Extra("after"));
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  auto v = VerifyQuote(ak->public_area(), *q, Extra("after"));
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_GT(v->reset_count, resets_before);  // the quote shows the TPM was reset
}

TEST_F(TpmTest, AkOfAnotherTpmIsRefusedAtLoad) {
  auto other_swtpm = testing::SwtpmProcess::Start();
  ASSERT_TRUE(other_swtpm.ok()) << other_swtpm.error().ToString();
  auto other = Tpm::Open((*other_swtpm)->tcti());
  ASSERT_TRUE(other.ok());
  auto foreign = (*other)->CreateAk();
  ASSERT_TRUE(foreign.ok());

  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto q = tpm->Quote(*foreign, {0}, Extra("x"));
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code(), Code::kInvalidArgument);
  EXPECT_NE(q.error().message().find("refuses to load it under its endorsement key"),
            std::string::npos)
      << q.error().message();
}

TEST_F(TpmTest, RepeatedCallsFlushEveryTransientObject) {
  // swtpm has 3 transient object slots and no resource manager: a single
  // leaked EK, AK or session per call would fail by the second round.
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok());
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(tpm->CreateAk().ok()) << "round " << i;
    ASSERT_TRUE(tpm->EndorsementKeyPublic().ok()) << "round " << i;
    auto q = tpm->Quote(*ak, {0, 1}, Extra("round"));
    ASSERT_TRUE(q.ok()) << "round " << i << ": " << q.error().ToString();
  }
  auto foreign = Ak::FromBlobs(ak->public_area().bytes(), Bytes{0x00, 0x02, 0x00, 0x00});
  ASSERT_TRUE(foreign.ok());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(tpm->Quote(*foreign, {0}, {}).ok());  // error paths too
  EXPECT_TRUE(tpm->Quote(*ak, {0}, {}).ok());
  tpm.reset();
  std::string handles = Tool({"tpm2_getcap", "handles-transient"});
  EXPECT_EQ(handles.find("0x80"), std::string::npos) << handles;
  std::string sessions = Tool({"tpm2_getcap", "handles-loaded-session"});
  EXPECT_EQ(sessions.find("0x0"), std::string::npos) << sessions;
}

}  // namespace
}  // namespace vouch
