// vouch parses untrusted quotes with its own bounds-checked readers (no TSS
// logging on attacker input, fully instrumented under ASan/libFuzzer). These
// tests hold them to tpm2-tss's own unmarshalling (Tss2_MU) on real tpm2-tools
// output and on every truncation and single-bit mutation of it: whenever
// vouch accepts, Tss2_MU accepts the same bytes exactly and reads the same
// values; whenever Tss2_MU refuses, vouch refuses.
#include <gtest/gtest.h>
#include <tss2/tss2_mu.h>

#include <functional>

#include "measure/testing/quote_vector.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/quote_attest.h"
#include "vouch/measure/tpm_signature.h"

namespace vouch {
namespace {

testing::QuoteVector Vector() {
  auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "tpm2tools_quote");
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() ? *v : testing::QuoteVector{};
}

// Calls `check` on `data`, each truncation and each single-bit flip.
void ForEachMutation(const Bytes& data, const std::function<void(const Bytes&)>& check) {
  check(data);
  for (size_t n = 0; n < data.size(); ++n) check(Bytes(data.begin(), data.begin() + n));
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    Bytes m = data;
    m[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    check(m);
  }
}

Bytes Of(const uint8_t* p, size_t n) { return Bytes(p, p + n); }

TEST(TssDifferential, QuoteAttestAgreesWithTss2Mu) {
  size_t accepted = 0;
  ForEachMutation(Vector().quote.attest, [&](const Bytes& a) {
    TPMS_ATTEST t{};
    size_t off = 0;
    bool mu_ok = Tss2_MU_TPMS_ATTEST_Unmarshal(a.data(), a.size(), &off, &t) == TSS2_RC_SUCCESS &&
                 off == a.size();
    auto mine = ParseQuoteAttest(a);
    if (!mu_ok) {
      EXPECT_FALSE(mine.ok()) << "Tss2_MU refuses, vouch accepts " << HexEncode(a);
      return;
    }
    if (!mine.ok()) {
      // vouch refuses only for what a quote must be, not for what MU can read.
      bool policy = t.magic != kTpmGeneratedValue || t.type != TPM2_ST_ATTEST_QUOTE ||
                    t.attested.quote.pcrSelect.count != 1 ||
                    t.attested.quote.pcrSelect.pcrSelections[0].hash != TPM2_ALG_SHA256 ||
                    t.attested.quote.pcrDigest.size != 32 || t.clockInfo.safe > 1;
      EXPECT_TRUE(policy) << mine.error().message();
      return;
    }
    ++accepted;
    EXPECT_EQ(mine->qualified_signer, Of(t.qualifiedSigner.name, t.qualifiedSigner.size));
    EXPECT_EQ(mine->extra_data, Of(t.extraData.buffer, t.extraData.size));
    EXPECT_EQ(mine->clock, t.clockInfo.clock);
    EXPECT_EQ(mine->reset_count, t.clockInfo.resetCount);
    EXPECT_EQ(mine->restart_count, t.clockInfo.restartCount);
    EXPECT_EQ(mine->safe, t.clockInfo.safe == 1);
    EXPECT_EQ(mine->firmware_version, t.firmwareVersion);
    const TPMS_PCR_SELECTION& s = t.attested.quote.pcrSelect.pcrSelections[0];
    std::vector<uint32_t> pcrs;
    for (uint32_t i = 0; i < s.sizeofSelect * 8u; ++i) {
      if (s.pcrSelect[i / 8] & (1u << (i % 8))) pcrs.push_back(i);
    }
    EXPECT_EQ(mine->pcrs, pcrs);
    EXPECT_EQ(mine->pcr_digest,
              Of(t.attested.quote.pcrDigest.buffer, t.attested.quote.pcrDigest.size));
  });
  EXPECT_GT(accepted, 100u);  // most flips land in values, not structure
}

TEST(TssDifferential, SignatureAgreesWithTss2Mu) {
  size_t accepted = 0;
  ForEachMutation(Vector().quote.signature, [&](const Bytes& s) {
    TPMT_SIGNATURE t{};
    size_t off = 0;
    bool mu_ok =
        Tss2_MU_TPMT_SIGNATURE_Unmarshal(s.data(), s.size(), &off, &t) == TSS2_RC_SUCCESS &&
        off == s.size();
    auto mine = ParseEcdsaSha256Signature(s);
    if (!mu_ok) {
      EXPECT_FALSE(mine.ok()) << "Tss2_MU refuses, vouch accepts " << HexEncode(s);
      return;
    }
    if (!mine.ok()) return;  // another algorithm or component size: vouch's policy
    ++accepted;
    ASSERT_EQ(t.sigAlg, TPM2_ALG_ECDSA);
    ASSERT_EQ(t.signature.ecdsa.hash, TPM2_ALG_SHA256);
    const auto& r = t.signature.ecdsa.signatureR;
    const auto& sv = t.signature.ecdsa.signatureS;
    EXPECT_TRUE(std::equal(r.buffer, r.buffer + r.size, mine->begin() + (32 - r.size)));
    EXPECT_TRUE(std::equal(sv.buffer, sv.buffer + sv.size, mine->begin() + (64 - sv.size)));
  });
  EXPECT_GT(accepted, 400u);
}

TEST(TssDifferential, AkPublicAgreesWithTss2Mu) {
  size_t accepted = 0;
  ForEachMutation(Vector().ak_public, [&](const Bytes& p) {
    TPM2B_PUBLIC t{};
    size_t off = 0;
    bool mu_ok = Tss2_MU_TPM2B_PUBLIC_Unmarshal(p.data(), p.size(), &off, &t) == TSS2_RC_SUCCESS &&
                 off == p.size();
    auto mine = AkPublic::Parse(p);
    if (!mu_ok) {
      EXPECT_FALSE(mine.ok()) << "Tss2_MU refuses, vouch accepts " << HexEncode(p);
      return;
    }
    if (!mine.ok()) return;
    ++accepted;
    // Re-marshalling what MU read gives back the same bytes vouch named.
    Bytes again(sizeof(TPM2B_PUBLIC));
    size_t n = 0;
    ASSERT_EQ(Tss2_MU_TPM2B_PUBLIC_Marshal(&t, again.data(), again.size(), &n), TSS2_RC_SUCCESS);
    again.resize(n);
    EXPECT_EQ(again, p);
    const TPMS_ECC_POINT& pt = t.publicArea.unique.ecc;
    EXPECT_EQ(mine->key().x(), Of(pt.x.buffer, pt.x.size));
    EXPECT_EQ(mine->key().y(), Of(pt.y.buffer, pt.y.size));
    EXPECT_TRUE(t.publicArea.objectAttributes & TPMA_OBJECT_RESTRICTED);
  });
  EXPECT_EQ(accepted, 28u);  // the original and 27 flips of attribute bits
}

}  // namespace
}  // namespace vouch
