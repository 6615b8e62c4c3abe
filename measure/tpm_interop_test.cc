// Cross-checks with tpm2-tools 5.x against the same swtpm, both ways: the
// independent tools accept what vouch makes, and vouch accepts what they make.
#include <gtest/gtest.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstring>

#include "measure/testing/software_quote.h"
#include "measure/testing/swtpm_fixture.h"
#include "vouch/core/digest.h"
#include "vouch/measure/quote_attest.h"
#include "vouch/measure/quote_verify.h"
#include "vouch/measure/tpm.h"
#include "vouch/measure/tpm_signature.h"

namespace vouch {
namespace {

const std::vector<uint32_t> kBootPcrs = {0, 1, 2, 3, 4, 5, 6, 7, 16};
const char kBootPcrList[] = "sha256:0,1,2,3,4,5,6,7,16";

Bytes Extra(std::string_view label) { return ToBytes(Sha256(AsBytes(label))); }

// The PCR file tpm2_quote -o writes by default ("serialized"): the
// TPML_PCR_SELECTION struct as laid out in memory, a uint32 count, then that
// many TPML_DIGEST structs of up to 8 digests (tpm2-tools pcr.c). tpm2-tools
// 5.4 mis-reads its "values" format for 8 or more PCRs, so tests use this one.
Bytes Tpm2ToolsSerializedPcrs(const std::map<uint32_t, Bytes>& values) {
  TPML_PCR_SELECTION sel;
  std::memset(&sel, 0, sizeof(sel));
  sel.count = 1;
  sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
  sel.pcrSelections[0].sizeofSelect = 3;
  std::vector<TPML_DIGEST> groups;
  for (const auto& [i, v] : values) {
    sel.pcrSelections[0].pcrSelect[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    if (groups.empty() || groups.back().count == 8) {
      groups.emplace_back();
      std::memset(&groups.back(), 0, sizeof(TPML_DIGEST));
    }
    TPM2B_DIGEST& d = groups.back().digests[groups.back().count++];
    d.size = static_cast<UINT16>(v.size());
    std::memcpy(d.buffer, v.data(), v.size());
  }
  auto raw = [](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return Bytes(b, b + n);
  };
  uint32_t count = static_cast<uint32_t>(groups.size());
  Bytes out = raw(&sel, sizeof(sel));
  Bytes c = raw(&count, sizeof(count));
  out.insert(out.end(), c.begin(), c.end());
  for (const TPML_DIGEST& g : groups) {
    Bytes b = raw(&g, sizeof(g));
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

class Tpm2ToolsInterop : public testing::SwtpmTest {
 protected:
  std::unique_ptr<Tpm> Open() {
    auto t = Tpm::Open(swtpm_->tcti());
    EXPECT_TRUE(t.ok()) << t.error().ToString();
    return t.ok() ? std::move(t).value() : nullptr;
  }
  std::string File(const std::string& name) { return work_ / name; }
  void Write(const std::string& name, ByteView data) {
    ASSERT_TRUE(WriteFile(File(name), data, 0600).ok()) << name;
  }
  Bytes Read(const std::string& name) {
    auto b = ReadFile(File(name));
    EXPECT_TRUE(b.ok()) << b.error().ToString();
    return b.ok() ? *b : Bytes{};
  }
  int ToolExit(const std::vector<std::string>& argv) {
    auto r = swtpm_->RunTpm2Tool(argv);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->exit_code : -1;
  }
};

TEST_F(Tpm2ToolsInterop, Tpm2CheckquoteAcceptsVouchQuote) {
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  Bytes extra = Extra("vouch quote for tpm2_checkquote");
  auto q = tpm->Quote(*ak, kBootPcrs, extra);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  tpm.reset();

  ASSERT_TRUE(ak->Save(work_.path()).ok());  // ak.pub: tss format for -u
  Write("ak.pem", AsBytes(ak->key().ToPem()));
  Write("q.msg", q->attest);
  Write("q.sig", q->signature);
  Write("q.pcrs", Tpm2ToolsSerializedPcrs(q->pcr_values));
  for (const char* key : {"ak.pub", "ak.pem"}) {
    Tool({"tpm2_checkquote", "-u", File(key), "-m", File("q.msg"), "-s", File("q.sig"), "-f",
          File("q.pcrs"), "-g", "sha256", "-q", HexEncode(extra)});
  }
  // And it refuses what vouch refuses: another nonce, a PCR value changed.
  EXPECT_NE(
      ToolExit({"tpm2_checkquote", "-u", File("ak.pub"), "-m", File("q.msg"), "-s", File("q.sig"),
                "-f", File("q.pcrs"), "-g", "sha256", "-q", HexEncode(Extra("another nonce"))}),
      0);
  auto changed = q->pcr_values;
  changed[16][0] ^= 1;
  Write("changed.pcrs", Tpm2ToolsSerializedPcrs(changed));
  EXPECT_NE(
      ToolExit({"tpm2_checkquote", "-u", File("ak.pub"), "-m", File("q.msg"), "-s", File("q.sig"),
                "-f", File("changed.pcrs"), "-g", "sha256", "-q", HexEncode(extra)}),
      0);
}

TEST_F(Tpm2ToolsInterop, VouchAcceptsTpm2QuoteOfTpm2CreateakKey) {
  Tool({"tpm2_pcrextend", "16:sha256=" + HexEncode(Extra("boot"))});
  Tool({"tpm2_createek", "-c", File("ek.ctx"), "-G", "ecc", "-u", File("ek.pub")});
  Tool({"tpm2_createak", "-C", File("ek.ctx"), "-c", File("ak.ctx"), "-G", "ecc", "-g", "sha256",
        "-s", "ecdsa", "-u", File("ak.pub"), "-n", File("ak.name"), "-r", File("ak.priv")});
  Bytes nonce = Extra("validator nonce");
  Tool({"tpm2_quote", "-c", File("ak.ctx"), "-l", kBootPcrList, "-q", HexEncode(nonce), "-m",
        File("q.msg"), "-s", File("q.sig"), "-o", File("q.pcrs"), "-g", "sha256"});
  Tool({"tpm2_pcrread", kBootPcrList, "-o", File("pcrs.bin")});

  auto ak = AkPublic::Parse(Read("ak.pub"));
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  EXPECT_EQ(ak->name(), Read("ak.name"));
  TpmQuote q;
  q.attest = Read("q.msg");
  q.signature = Read("q.sig");
  Bytes values = Read("pcrs.bin");
  ASSERT_EQ(values.size(), 32 * kBootPcrs.size());
  for (size_t i = 0; i < kBootPcrs.size(); ++i) {
    q.pcr_values[kBootPcrs[i]] = Bytes(values.begin() + 32 * i, values.begin() + 32 * (i + 1));
  }
  // vouch's serialized-PCR writer reproduces tpm2_quote's own file.
  EXPECT_EQ(Tpm2ToolsSerializedPcrs(q.pcr_values), Read("q.pcrs"));

  auto v = VerifyQuote(*ak, q, nonce);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->pcrs, kBootPcrs);
  EXPECT_EQ(VerifyQuote(*ak, q, Extra("other")).error().code(), Code::kBadQuote);
  q.pcr_values[16][5] ^= 0x80;
  EXPECT_EQ(VerifyQuote(*ak, q, nonce).error().code(), Code::kPcrMismatch);
}

TEST_F(Tpm2ToolsInterop, VouchQuotesWithTpm2CreateakBlobsAndMatchesItsEk) {
  Tool({"tpm2_createek", "-c", File("ek.ctx"), "-G", "ecc", "-u", File("ek.pub")});
  Tool({"tpm2_createak", "-C", File("ek.ctx"), "-c", File("ak.ctx"), "-G", "ecc", "-g", "sha256",
        "-s", "ecdsa", "-u", File("ak.pub"), "-n", File("ak.name"), "-r", File("ak.priv")});
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto ek = tpm->EndorsementKeyPublic();
  ASSERT_TRUE(ek.ok()) << ek.error().ToString();
  EXPECT_EQ(*ek, Read("ek.pub"));  // the same EK template (TCG L-2)

  auto ak = Ak::Load(work_.path());  // tpm2-tools' ak.pub / ak.priv, unchanged
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  EXPECT_EQ(ak->name(), Read("ak.name"));
  auto q = tpm->Quote(*ak, {0, 16}, Extra("x"));
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_TRUE(VerifyQuote(ak->public_area(), *q, Extra("x")).ok());
}

TEST_F(Tpm2ToolsInterop, Tpm2LoadsVouchAkUnderTpm2CreateekKey) {
  Bytes name, template_bytes;
  {
    auto tpm = Open();
    ASSERT_TRUE(tpm);
    auto ak = tpm->CreateAk();
    ASSERT_TRUE(ak.ok());
    ASSERT_TRUE(ak->Save(work_.path()).ok());
    name = ak->name();
  }
  std::string script =
      "set -e; cd '" + work_.path() +
      "'; tpm2_createek -c ek.ctx -G ecc -u ek.pub;"
      " tpm2_startauthsession --policy-session -S s.ctx;"
      " tpm2_policysecret -S s.ctx -c e;"
      " tpm2_load -C ek.ctx -u ak.pub -r ak.priv -c ak.ctx -n loaded.name -P session:s.ctx;"
      " tpm2_flushcontext s.ctx";
  Tool({"sh", "-c", script});
  EXPECT_EQ(Read("loaded.name"), name);

  // Same template as tpm2_createak: equal TPMT_PUBLIC up to the point itself.
  Tool({"tpm2_createak", "-C", File("ek.ctx"), "-c", File("ak2.ctx"), "-G", "ecc", "-g", "sha256",
        "-s", "ecdsa", "-u", File("ak2.pub")});
  Bytes mine = Read("ak.pub"), theirs = Read("ak2.pub");
  ASSERT_EQ(mine.size(), theirs.size());
  size_t point = mine.size() - 2 * (2 + 32);
  EXPECT_EQ(Bytes(mine.begin(), mine.begin() + point),
            Bytes(theirs.begin(), theirs.begin() + point));
}

TEST_F(Tpm2ToolsInterop, ReadPcrsMatchesTpm2Pcrread) {
  Tool({"tpm2_pcrextend", "23:sha256=" + HexEncode(Extra("23"))});
  Tool({"tpm2_pcrread", "sha256:0,10,17,23", "-o", File("pcrs.bin")});
  auto tpm = Open();
  ASSERT_TRUE(tpm);
  auto v = tpm->ReadPcrs({23, 0, 17, 10});
  ASSERT_TRUE(v.ok());
  Bytes concatenated;
  for (const auto& [i, value] : *v)
    concatenated.insert(concatenated.end(), value.begin(), value.end());
  EXPECT_EQ(concatenated, Read("pcrs.bin"));
}

// A non-restricted signing key will sign any bytes (TPM2_Sign), so a host
// holding one can forge a TPMS_ATTEST over PCR values it never had. vouch
// refuses such a key as an AK, whatever it signed.
TEST_F(Tpm2ToolsInterop, NonRestrictedKeyCanForgeQuotesSoVouchRefusesIt) {
  Tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", File("owner.ctx")});
  Tool({"tpm2_create", "-C", File("owner.ctx"), "-G", "ecc256:ecdsa-sha256:null", "-g", "sha256",
        "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-u", File("nr.pub"),
        "-r", File("nr.priv")});
  Tool({"tpm2_load", "-C", File("owner.ctx"), "-u", File("nr.pub"), "-r", File("nr.priv"), "-c",
        File("nr.ctx")});

  // A genuine TPM2_Quote with it...
  Bytes nonce = Extra("nonce");
  Tool({"tpm2_quote", "-c", File("nr.ctx"), "-l", kBootPcrList, "-q", HexEncode(nonce), "-m",
        File("q.msg"), "-s", File("q.sig"), "-g", "sha256"});
  // ...and a forged "quote" over made-up PCR values, signed with TPM2_Sign.
  auto fake_pcrs = testing::ExamplePcrValues(kBootPcrs);
  Bytes forged = testing::MarshalQuoteAttest(testing::QuoteFieldsFor(fake_pcrs, nonce));
  Write("forged.msg", forged);
  Tool({"tpm2_sign", "-c", File("nr.ctx"), "-g", "sha256", "-s", "ecdsa", "-o", File("forged.sig"),
        File("forged.msg")});

  Bytes pub = Read("nr.pub");
  auto parsed = AkPublic::Parse(pub);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), Code::kBadQuote);
  EXPECT_NE(parsed.error().message().find("key is not restricted"), std::string::npos)
      << parsed.error().message();
  EXPECT_FALSE(Ak::FromBlobs(pub, Read("nr.priv")).ok());

  // The forgery is a valid signature by that TPM key over a well-formed quote:
  // only the restricted check stands between it and acceptance.
  ASSERT_TRUE(ParseQuoteAttest(forged).ok());
  auto rs = ParseEcdsaSha256Signature(Read("forged.sig"));
  ASSERT_TRUE(rs.ok()) << rs.error().ToString();
  size_t n = pub.size();
  auto key = P256PublicKey::FromCoordinates(ByteView(pub).subspan(n - 66, 32),
                                            ByteView(pub).subspan(n - 32, 32));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->Verify(forged, *rs).ok());
}

}  // namespace
}  // namespace vouch
