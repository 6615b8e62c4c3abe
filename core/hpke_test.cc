#include "vouch/core/hpke.h"

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/internal/hpke_testing.h"
#include "vouch/core/random.h"

namespace vouch {
namespace {

using internal::DhkemDecapForTesting;
using internal::DhkemEncapWithEphemeralKeyForTesting;
using internal::KeyScheduleBaseForTesting;
using internal::SetSequenceNumberForTesting;
using internal::SetupBaseSWithEphemeralKeyForTesting;

std::string Hex(ByteView b) { return HexEncode(b); }
std::string Hex(const SecretBytes& b) { return HexEncode(b.Expose()); }

X25519PrivateKey KeyFromRaw(ByteView raw) {
  auto k = X25519PrivateKey::FromRaw(SecretBytes(raw));
  if (!k.ok()) ADD_FAILURE() << k.error().ToString();
  return k.ok() ? std::move(k).value() : X25519PrivateKey::Generate();
}

// ---- RFC 9180 Appendix A vectors (core/testdata/hpke_rfc9180.json) ----------

struct Encryption {
  uint64_t seq = 0;
  Bytes pt, aad, ct;
};
struct Export {
  Bytes exporter_context;
  size_t length = 0;
  Bytes value;
};
struct Vector {
  std::string id;
  std::string load_error;  // set if the file could not be read; the tests then fail
  HpkeAead aead = HpkeAead::kAes128Gcm;
  Bytes info, ikm_e, pk_em, sk_em, ikm_r, pk_rm, sk_rm, enc, shared_secret, key, base_nonce,
      exporter_secret;
  std::vector<Encryption> encryptions;
  std::vector<Export> exports;
};

// gtest prints a failing parameter with this: the vector id, not its bytes.
void PrintTo(const Vector& v, std::ostream* os) { *os << v.id; }

Bytes H(const nlohmann::json& j) {
  auto b = HexDecode(j.get<std::string>());
  if (!b.ok()) throw std::runtime_error(b.error().ToString());
  return std::move(b).value();
}

std::vector<Vector> LoadVectors() {
  const std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/hpke_rfc9180.json";
  std::vector<Vector> out;
  try {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    nlohmann::json doc = nlohmann::json::parse(in);
    for (const auto& j : doc.at("vectors")) {
      Vector v;
      v.id = j.at("id").get<std::string>();
      if (j.at("mode").get<int>() != 0 || j.at("kem_id").get<int>() != 0x20 ||
          j.at("kdf_id").get<int>() != 1) {
        throw std::runtime_error(v.id + ": not base mode with DHKEM(X25519) and HKDF-SHA256");
      }
      v.aead = static_cast<HpkeAead>(j.at("aead_id").get<int>());
      v.info = H(j.at("info"));
      v.ikm_e = H(j.at("ikmE"));
      v.pk_em = H(j.at("pkEm"));
      v.sk_em = H(j.at("skEm"));
      v.ikm_r = H(j.at("ikmR"));
      v.pk_rm = H(j.at("pkRm"));
      v.sk_rm = H(j.at("skRm"));
      v.enc = H(j.at("enc"));
      v.shared_secret = H(j.at("shared_secret"));
      v.key = H(j.at("key"));
      v.base_nonce = H(j.at("base_nonce"));
      v.exporter_secret = H(j.at("exporter_secret"));
      for (const auto& e : j.at("encryptions")) {
        v.encryptions.push_back(
            {e.at("seq").get<uint64_t>(), H(e.at("pt")), H(e.at("aad")), H(e.at("ct"))});
      }
      for (const auto& e : j.at("exports")) {
        v.exports.push_back(
            {H(e.at("exporter_context")), e.at("L").get<size_t>(), H(e.at("exported_value"))});
      }
      out.push_back(std::move(v));
    }
  } catch (const std::exception& e) {
    Vector bad;
    bad.id = "load_error";
    bad.load_error = StrCat(path, ": ", e.what());
    return {bad};
  }
  return out;
}

class Rfc9180Vector : public testing::TestWithParam<Vector> {
 protected:
  void SetUp() override { ASSERT_TRUE(GetParam().load_error.empty()) << GetParam().load_error; }
};

std::string VectorName(const testing::TestParamInfo<Vector>& info) {
  std::string name = info.param.id;
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

TEST_P(Rfc9180Vector, FileHoldsEveryListedEncryptionAndExport) {
  const Vector& v = GetParam();
  // Appendix A lists sequence numbers 0, 1, 2, 4, 255, 256 and three exports.
  std::vector<uint64_t> seqs;
  for (const auto& e : v.encryptions) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{0, 1, 2, 4, 255, 256})) << v.id;
  EXPECT_EQ(v.exports.size(), 3u) << v.id;
}

TEST_P(Rfc9180Vector, DeriveKeyPairGivesListedKeys) {
  const Vector& v = GetParam();
  auto e = X25519PrivateKey::DeriveKeyPair(SecretBytes(v.ikm_e));
  ASSERT_TRUE(e.ok()) << v.id << ": " << e.error().ToString();
  EXPECT_EQ(Hex(e->Serialize()), Hex(v.sk_em)) << v.id << " skEm";
  EXPECT_EQ(Hex(e->public_key()), Hex(v.pk_em)) << v.id << " pkEm";
  auto r = X25519PrivateKey::DeriveKeyPair(SecretBytes(v.ikm_r));
  ASSERT_TRUE(r.ok()) << v.id << ": " << r.error().ToString();
  EXPECT_EQ(Hex(r->Serialize()), Hex(v.sk_rm)) << v.id << " skRm";
  EXPECT_EQ(Hex(r->public_key()), Hex(v.pk_rm)) << v.id << " pkRm";
}

TEST_P(Rfc9180Vector, FromRawGivesListedPublicKeys) {
  const Vector& v = GetParam();
  EXPECT_EQ(Hex(KeyFromRaw(v.sk_em).public_key()), Hex(v.pk_em)) << v.id;
  EXPECT_EQ(Hex(KeyFromRaw(v.sk_rm).public_key()), Hex(v.pk_rm)) << v.id;
}

TEST_P(Rfc9180Vector, EncapAndDecapGiveListedEncAndSharedSecret) {
  const Vector& v = GetParam();
  auto encap = DhkemEncapWithEphemeralKeyForTesting(v.pk_rm, KeyFromRaw(v.sk_em));
  ASSERT_TRUE(encap.ok()) << v.id << ": " << encap.error().ToString();
  EXPECT_EQ(Hex(encap->enc), Hex(v.enc)) << v.id;
  EXPECT_EQ(Hex(encap->shared_secret), Hex(v.shared_secret)) << v.id;
  auto decap = DhkemDecapForTesting(v.enc, KeyFromRaw(v.sk_rm));
  ASSERT_TRUE(decap.ok()) << v.id << ": " << decap.error().ToString();
  EXPECT_EQ(Hex(*decap), Hex(v.shared_secret)) << v.id;
}

TEST_P(Rfc9180Vector, KeyScheduleGivesListedKeyNonceAndExporterSecret) {
  const Vector& v = GetParam();
  auto ks = KeyScheduleBaseForTesting(v.aead, SecretBytes(v.shared_secret), v.info);
  ASSERT_TRUE(ks.ok()) << v.id << ": " << ks.error().ToString();
  EXPECT_EQ(Hex(ks->key), Hex(v.key)) << v.id;
  EXPECT_EQ(Hex(ks->base_nonce), Hex(v.base_nonce)) << v.id;
  EXPECT_EQ(Hex(ks->exporter_secret), Hex(v.exporter_secret)) << v.id;
}

Bytes CountAad(uint64_t seq) { return ToBytes(StrCat("Count-", seq)); }

// Walks sequence numbers 0…256 through the real increment path. The RFC
// lists six of them; the others seal/open "Count-<seq>" messages with the
// same plaintext (the layout of the full cfrg vector set) to advance.
TEST_P(Rfc9180Vector, ContextsReproduceEveryListedEncryptionInSequence) {
  const Vector& v = GetParam();
  auto setup = SetupBaseSWithEphemeralKeyForTesting(v.pk_rm, v.info, v.aead, KeyFromRaw(v.sk_em));
  ASSERT_TRUE(setup.ok()) << v.id << ": " << setup.error().ToString();
  ASSERT_EQ(Hex(setup->enc), Hex(v.enc)) << v.id;
  X25519PrivateKey sk_r = KeyFromRaw(v.sk_rm);
  auto recipient = SetupBaseR(v.enc, sk_r, v.info, v.aead);
  ASSERT_TRUE(recipient.ok()) << v.id << ": " << recipient.error().ToString();

  size_t next = 0;
  for (uint64_t seq = 0; next < v.encryptions.size(); ++seq) {
    const bool listed = v.encryptions[next].seq == seq;
    const Bytes& pt = v.encryptions[0].pt;
    const Bytes aad = CountAad(seq);
    auto ct = setup->context.Seal(aad, pt);
    ASSERT_TRUE(ct.ok()) << v.id << " seq " << seq << ": " << ct.error().ToString();
    auto opened = recipient->Open(aad, *ct);
    ASSERT_TRUE(opened.ok()) << v.id << " seq " << seq << ": " << opened.error().ToString();
    EXPECT_EQ(Hex(*opened), Hex(pt)) << v.id << " seq " << seq;
    if (listed) {
      const Encryption& e = v.encryptions[next++];
      EXPECT_EQ(Hex(e.aad), Hex(aad)) << v.id << " seq " << seq;
      EXPECT_EQ(Hex(*ct), Hex(e.ct)) << v.id << " seq " << seq;
    }
  }
}

// The recipient opens the RFC's ciphertexts themselves (not our own), jumping
// to each listed sequence number.
TEST_P(Rfc9180Vector, RecipientOpensEveryListedCiphertext) {
  const Vector& v = GetParam();
  X25519PrivateKey sk_r = KeyFromRaw(v.sk_rm);
  for (const Encryption& e : v.encryptions) {
    auto recipient = SetupBaseR(v.enc, sk_r, v.info, v.aead);
    ASSERT_TRUE(recipient.ok()) << v.id << ": " << recipient.error().ToString();
    SetSequenceNumberForTesting(*recipient, e.seq);
    auto pt = recipient->Open(e.aad, e.ct);
    ASSERT_TRUE(pt.ok()) << v.id << " seq " << e.seq << ": " << pt.error().ToString();
    EXPECT_EQ(Hex(*pt), Hex(e.pt)) << v.id << " seq " << e.seq;
  }
}

TEST_P(Rfc9180Vector, SingleShotOpenRecoversSequenceZeroMessage) {
  const Vector& v = GetParam();
  const Encryption& e = v.encryptions.at(0);
  ASSERT_EQ(e.seq, 0u);
  auto pt = HpkeOpen(KeyFromRaw(v.sk_rm), v.enc, v.info, e.aad, e.ct, v.aead);
  ASSERT_TRUE(pt.ok()) << v.id << ": " << pt.error().ToString();
  EXPECT_EQ(Hex(*pt), Hex(e.pt)) << v.id;
}

TEST_P(Rfc9180Vector, BothContextsExportEveryListedValue) {
  const Vector& v = GetParam();
  auto setup = SetupBaseSWithEphemeralKeyForTesting(v.pk_rm, v.info, v.aead, KeyFromRaw(v.sk_em));
  ASSERT_TRUE(setup.ok()) << v.id << ": " << setup.error().ToString();
  auto recipient = SetupBaseR(v.enc, KeyFromRaw(v.sk_rm), v.info, v.aead);
  ASSERT_TRUE(recipient.ok()) << v.id << ": " << recipient.error().ToString();
  for (const Export& x : v.exports) {
    auto s = setup->context.Export(x.exporter_context, x.length);
    auto r = recipient->Export(x.exporter_context, x.length);
    ASSERT_TRUE(s.ok() && r.ok()) << v.id << " context '" << Hex(x.exporter_context) << "'";
    EXPECT_EQ(Hex(*s), Hex(x.value)) << v.id << " sender, context '" << Hex(x.exporter_context)
                                     << "'";
    EXPECT_EQ(Hex(*r), Hex(x.value)) << v.id << " recipient, context '"
                                     << Hex(x.exporter_context) << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc9180, Rfc9180Vector, testing::ValuesIn(LoadVectors()), VectorName);

// ---- Round trips over every AEAD --------------------------------------------

class HpkeAeadTest : public testing::TestWithParam<HpkeAead> {};

std::string AeadName(const testing::TestParamInfo<HpkeAead>& info) {
  switch (info.param) {
    case HpkeAead::kAes128Gcm: return "Aes128Gcm";
    case HpkeAead::kAes256Gcm: return "Aes256Gcm";
    case HpkeAead::kChaCha20Poly1305: return "ChaCha20Poly1305";
    case HpkeAead::kExportOnly: return "ExportOnly";
  }
  return "Unknown";
}

TEST_P(HpkeAeadTest, SingleShotSealThenOpenRecoversPlaintext) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  const Bytes info = ToBytes("vouch share v1 some-domain");
  const Bytes aad = RandomBytes(32);
  for (size_t n : {0, 1, 15, 16, 17, 33, 1000}) {
    const Bytes pt = RandomBytes(n);
    auto sealed = HpkeSeal(sk.public_key(), info, aad, pt, GetParam());
    ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
    EXPECT_EQ(sealed->enc.size(), kHpkeEncSize);
    EXPECT_EQ(sealed->ct.size(), n + kHpkeTagSize);
    auto opened = HpkeOpen(sk, sealed->enc, info, aad, sealed->ct, GetParam());
    ASSERT_TRUE(opened.ok()) << "size " << n << ": " << opened.error().ToString();
    EXPECT_EQ(Hex(*opened), Hex(pt)) << "size " << n;
  }
}

TEST_P(HpkeAeadTest, EmptyInfoAndAadAndLongInfoWork) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  const Bytes pt = ToBytes("secret");
  for (const Bytes& info : {Bytes{}, RandomBytes(4096)}) {
    auto sealed = HpkeSeal(sk.public_key(), info, {}, pt, GetParam());
    ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
    auto opened = HpkeOpen(sk, sealed->enc, info, {}, sealed->ct, GetParam());
    ASSERT_TRUE(opened.ok()) << "info size " << info.size() << ": " << opened.error().ToString();
    EXPECT_EQ(ToString(opened->Expose()), "secret");
  }
}

TEST_P(HpkeAeadTest, EachSealUsesAFreshEphemeralKey) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  const Bytes pt = ToBytes("same message");
  auto a = HpkeSeal(sk.public_key(), {}, {}, pt, GetParam());
  auto b = HpkeSeal(sk.public_key(), {}, {}, pt, GetParam());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->enc, b->enc);
  EXPECT_NE(a->ct, b->ct);
}

TEST_P(HpkeAeadTest, FlippingAnyCiphertextBitMakesOpenFail) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  const Bytes info = ToBytes("info"), aad = ToBytes("aad"), pt = RandomBytes(32);
  auto sealed = HpkeSeal(sk.public_key(), info, aad, pt, GetParam());
  ASSERT_TRUE(sealed.ok());
  auto recipient = SetupBaseR(sealed->enc, sk, info, GetParam());
  ASSERT_TRUE(recipient.ok());
  for (size_t bit = 0; bit < sealed->ct.size() * 8; ++bit) {
    Bytes ct = sealed->ct;
    ct[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto opened = recipient->Open(aad, ct);  // a failed Open does not advance the context
    ASSERT_FALSE(opened.ok()) << "bit " << bit;
    EXPECT_EQ(opened.error().code(), Code::kCrypto) << "bit " << bit;
  }
  auto intact = recipient->Open(aad, sealed->ct);
  ASSERT_TRUE(intact.ok()) << intact.error().ToString();
  EXPECT_EQ(Hex(*intact), Hex(pt));
}

TEST_P(HpkeAeadTest, FlippingAnyEncBitMakesOpenFail) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  const Bytes info = ToBytes("info"), aad = ToBytes("aad"), pt = RandomBytes(32);
  auto sealed = HpkeSeal(sk.public_key(), info, aad, pt, GetParam());
  ASSERT_TRUE(sealed.ok());
  for (size_t bit = 0; bit < sealed->enc.size() * 8; ++bit) {
    Bytes enc = sealed->enc;
    enc[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto opened = HpkeOpen(sk, enc, info, aad, sealed->ct, GetParam());
    ASSERT_FALSE(opened.ok()) << "bit " << bit;
    EXPECT_EQ(opened.error().code(), Code::kCrypto) << "bit " << bit;
  }
}

TEST_P(HpkeAeadTest, TruncatedCiphertextOrEncIsRefused) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto sealed = HpkeSeal(sk.public_key(), {}, {}, RandomBytes(20), GetParam());
  ASSERT_TRUE(sealed.ok());
  for (size_t n = 0; n < sealed->ct.size(); ++n) {
    ByteView ct = ByteView(sealed->ct).first(n);
    auto opened = HpkeOpen(sk, sealed->enc, {}, {}, ct, GetParam());
    ASSERT_FALSE(opened.ok()) << "length " << n;
    EXPECT_EQ(opened.error().code(), Code::kCrypto) << "length " << n;
  }
  for (size_t n = 0; n < sealed->enc.size(); ++n) {
    ByteView enc = ByteView(sealed->enc).first(n);
    auto opened = HpkeOpen(sk, enc, {}, {}, sealed->ct, GetParam());
    ASSERT_FALSE(opened.ok()) << "length " << n;
    EXPECT_EQ(opened.error().code(), Code::kCrypto) << "length " << n;
  }
  Bytes longer = sealed->ct;
  longer.push_back(0);
  EXPECT_FALSE(HpkeOpen(sk, sealed->enc, {}, {}, longer, GetParam()).ok());
}

TEST_P(HpkeAeadTest, WrongAadInfoKeyOrAeadMakesOpenFail) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  const Bytes info = ToBytes("info"), aad = ToBytes("aad"), pt = ToBytes("pt");
  auto sealed = HpkeSeal(sk.public_key(), info, aad, pt, GetParam());
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE(HpkeOpen(sk, sealed->enc, info, aad, sealed->ct, GetParam()).ok());

  auto wrong_aad = HpkeOpen(sk, sealed->enc, info, ToBytes("aae"), sealed->ct, GetParam());
  ASSERT_FALSE(wrong_aad.ok());
  EXPECT_EQ(wrong_aad.error().code(), Code::kCrypto);
  EXPECT_NE(wrong_aad.error().message().find("HPKE open failed"), std::string::npos)
      << wrong_aad.error().message();

  auto no_aad = HpkeOpen(sk, sealed->enc, info, {}, sealed->ct, GetParam());
  ASSERT_FALSE(no_aad.ok());
  EXPECT_EQ(no_aad.error().code(), Code::kCrypto);

  auto wrong_info = HpkeOpen(sk, sealed->enc, ToBytes("infp"), aad, sealed->ct, GetParam());
  ASSERT_FALSE(wrong_info.ok());
  EXPECT_EQ(wrong_info.error().code(), Code::kCrypto);

  X25519PrivateKey other = X25519PrivateKey::Generate();
  auto wrong_key = HpkeOpen(other, sealed->enc, info, aad, sealed->ct, GetParam());
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code(), Code::kCrypto);

  for (HpkeAead other_aead :
       {HpkeAead::kAes128Gcm, HpkeAead::kAes256Gcm, HpkeAead::kChaCha20Poly1305}) {
    if (other_aead == GetParam()) continue;
    auto wrong_aead = HpkeOpen(sk, sealed->enc, info, aad, sealed->ct, other_aead);
    ASSERT_FALSE(wrong_aead.ok());
    EXPECT_EQ(wrong_aead.error().code(), Code::kCrypto);
  }
}

TEST_P(HpkeAeadTest, MessagesMustBeOpenedInOrderAndOnlyOnce) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto setup = SetupBaseS(sk.public_key(), ToBytes("info"), GetParam());
  ASSERT_TRUE(setup.ok());
  std::vector<Bytes> cts;
  for (int i = 0; i < 3; ++i) {
    auto ct = setup->context.Seal(ToBytes("aad"), ToBytes(StrCat("message ", i)));
    ASSERT_TRUE(ct.ok());
    cts.push_back(*ct);
  }
  auto recipient = SetupBaseR(setup->enc, sk, ToBytes("info"), GetParam());
  ASSERT_TRUE(recipient.ok());
  // Out of order: message 1 and 2 before message 0.
  auto early = recipient->Open(ToBytes("aad"), cts[1]);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), Code::kCrypto);
  EXPECT_FALSE(recipient->Open(ToBytes("aad"), cts[2]).ok());
  // In order works, and failures above did not advance the sequence number.
  auto m0 = recipient->Open(ToBytes("aad"), cts[0]);
  ASSERT_TRUE(m0.ok()) << m0.error().ToString();
  EXPECT_EQ(ToString(m0->Expose()), "message 0");
  // Replaying message 0 fails: the context now expects message 1.
  EXPECT_FALSE(recipient->Open(ToBytes("aad"), cts[0]).ok());
  auto m1 = recipient->Open(ToBytes("aad"), cts[1]);
  ASSERT_TRUE(m1.ok()) << m1.error().ToString();
  EXPECT_EQ(ToString(m1->Expose()), "message 1");
  auto m2 = recipient->Open(ToBytes("aad"), cts[2]);
  ASSERT_TRUE(m2.ok()) << m2.error().ToString();
  EXPECT_EQ(ToString(m2->Expose()), "message 2");
}

TEST_P(HpkeAeadTest, ContextsStopAtTheMessageLimit) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto setup = SetupBaseS(sk.public_key(), {}, GetParam());
  ASSERT_TRUE(setup.ok());
  auto recipient = SetupBaseR(setup->enc, sk, {}, GetParam());
  ASSERT_TRUE(recipient.ok());
  SetSequenceNumberForTesting(setup->context, kHpkeMaxMessages - 1);
  SetSequenceNumberForTesting(*recipient, kHpkeMaxMessages - 1);
  auto last = setup->context.Seal({}, ToBytes("last"));
  ASSERT_TRUE(last.ok()) << last.error().ToString();
  auto opened = recipient->Open({}, *last);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_EQ(ToString(opened->Expose()), "last");

  auto over = setup->context.Seal({}, ToBytes("one too many"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), Code::kCrypto);
  EXPECT_NE(over.error().message().find("message limit"), std::string::npos);
  auto over_open = recipient->Open({}, *last);
  ASSERT_FALSE(over_open.ok());
  EXPECT_EQ(over_open.error().code(), Code::kCrypto);
  EXPECT_NE(over_open.error().message().find("message limit"), std::string::npos);
}

TEST_P(HpkeAeadTest, SenderAndRecipientExportTheSameSecrets) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto setup = SetupBaseS(sk.public_key(), ToBytes("info"), GetParam());
  ASSERT_TRUE(setup.ok());
  auto recipient = SetupBaseR(setup->enc, sk, ToBytes("info"), GetParam());
  ASSERT_TRUE(recipient.ok());
  auto a = setup->context.Export(ToBytes("ctx a"), 32);
  auto a2 = recipient->Export(ToBytes("ctx a"), 32);
  auto b = recipient->Export(ToBytes("ctx b"), 32);
  ASSERT_TRUE(a.ok() && a2.ok() && b.ok());
  EXPECT_EQ(Hex(*a), Hex(*a2));
  EXPECT_NE(Hex(*a), Hex(*b));
  // A recipient with a different info exports something else.
  auto other = SetupBaseR(setup->enc, sk, ToBytes("infp"), GetParam());
  ASSERT_TRUE(other.ok());
  auto c = other->Export(ToBytes("ctx a"), 32);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(Hex(*a), Hex(*c));
}

INSTANTIATE_TEST_SUITE_P(AllAeads, HpkeAeadTest,
                         testing::Values(HpkeAead::kAes128Gcm, HpkeAead::kAes256Gcm,
                                         HpkeAead::kChaCha20Poly1305),
                         AeadName);

// ---- Argument checks ----------------------------------------------------------

TEST(Hpke, ExportOnlySuiteExportsButRefusesSealAndOpen) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto setup = SetupBaseS(sk.public_key(), {}, HpkeAead::kExportOnly);
  ASSERT_TRUE(setup.ok()) << setup.error().ToString();
  auto seal = setup->context.Seal({}, ToBytes("x"));
  ASSERT_FALSE(seal.ok());
  EXPECT_EQ(seal.error().code(), Code::kInvalidArgument);
  auto recipient = SetupBaseR(setup->enc, sk, {}, HpkeAead::kExportOnly);
  ASSERT_TRUE(recipient.ok()) << recipient.error().ToString();
  auto open = recipient->Open({}, Bytes(32));
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code(), Code::kInvalidArgument);
  auto a = setup->context.Export(ToBytes("c"), 64);
  auto b = recipient->Export(ToBytes("c"), 64);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(Hex(*a), Hex(*b));
  EXPECT_FALSE(HpkeSeal(sk.public_key(), {}, {}, ToBytes("x"), HpkeAead::kExportOnly).ok());
}

TEST(Hpke, ExportRefusesLengthsAndContextsOutOfRange) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto setup = SetupBaseS(sk.public_key(), {}, HpkeAead::kAes128Gcm);
  ASSERT_TRUE(setup.ok());
  auto& ctx = setup->context;
  EXPECT_EQ(ctx.Export({}, 0).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(ctx.Export({}, kHpkeMaxExportSize + 1).error().code(), Code::kInvalidArgument);
  auto max = ctx.Export({}, kHpkeMaxExportSize);
  ASSERT_TRUE(max.ok()) << max.error().ToString();
  EXPECT_EQ(max->size(), kHpkeMaxExportSize);
  auto longest = ctx.Export(Bytes(kHpkeMaxExporterContextSize, 0x61), 32);
  ASSERT_TRUE(longest.ok()) << longest.error().ToString();
  EXPECT_EQ(ctx.Export(Bytes(kHpkeMaxExporterContextSize + 1, 0x61), 32).error().code(),
            Code::kInvalidArgument);
}

TEST(Hpke, ExportOfShorterLengthIsNotAPrefixOfLonger) {
  // L is part of LabeledExpand's info, so Export(c, 16) != Export(c, 32)[:16].
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto setup = SetupBaseS(sk.public_key(), {}, HpkeAead::kAes128Gcm);
  ASSERT_TRUE(setup.ok());
  auto s16 = setup->context.Export(ToBytes("c"), 16);
  auto s32 = setup->context.Export(ToBytes("c"), 32);
  ASSERT_TRUE(s16.ok() && s32.ok());
  EXPECT_NE(Hex(*s16), Hex(s32->Expose().first(16)));
}

TEST(Hpke, LowOrderRecipientKeyIsRefusedBySender) {
  Bytes zero(32, 0);
  Bytes one(32, 0);
  one[0] = 1;
  for (const Bytes& pk : {zero, one}) {
    auto s = SetupBaseS(pk, {}, HpkeAead::kAes128Gcm);
    ASSERT_FALSE(s.ok()) << Hex(pk);
    EXPECT_EQ(s.error().code(), Code::kInvalidArgument) << Hex(pk);
    EXPECT_NE(s.error().message().find("low-order"), std::string::npos) << s.error().message();
  }
}

TEST(Hpke, LowOrderEncIsRefusedByRecipient) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  Bytes zero(32, 0);
  auto r = SetupBaseR(zero, sk, {}, HpkeAead::kAes128Gcm);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kCrypto);
}

TEST(Hpke, RecipientPublicKeyOfWrongSizeIsRefused) {
  for (size_t n : {0, 31, 33, 65}) {
    auto s = HpkeSeal(Bytes(n, 9), {}, {}, ToBytes("x"), HpkeAead::kAes128Gcm);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().code(), Code::kInvalidArgument) << n;
    EXPECT_NE(s.error().message().find(StrCat("got ", n)), std::string::npos)
        << s.error().message();
  }
}

TEST(Hpke, UnknownAeadIdIsRefused) {
  X25519PrivateKey sk = X25519PrivateKey::Generate();
  auto s = SetupBaseS(sk.public_key(), {}, static_cast<HpkeAead>(0x0004));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  auto r = SetupBaseR(sk.public_key(), sk, {}, static_cast<HpkeAead>(0x0000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

TEST(X25519, FromRawRefusesWrongSizeAndRoundTripsSerialize) {
  EXPECT_EQ(X25519PrivateKey::FromRaw(SecretBytes(31)).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(X25519PrivateKey::FromRaw(SecretBytes(33)).error().code(), Code::kInvalidArgument);
  X25519PrivateKey k = X25519PrivateKey::Generate();
  EXPECT_EQ(k.public_key().size(), kX25519KeySize);
  auto again = X25519PrivateKey::FromRaw(k.Serialize());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), k.public_key());
  EXPECT_NE(X25519PrivateKey::Generate().public_key(), k.public_key());
}

TEST(X25519, DeriveKeyPairRefusesShortIkmAndIsDeterministic) {
  EXPECT_EQ(X25519PrivateKey::DeriveKeyPair(SecretBytes(31)).error().code(),
            Code::kInvalidArgument);
  SecretBytes ikm = RandomSecret(32);
  auto a = X25519PrivateKey::DeriveKeyPair(ikm);
  auto b = X25519PrivateKey::DeriveKeyPair(ikm);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->public_key(), b->public_key());
  EXPECT_TRUE(a->Serialize() == b->Serialize());
}

}  // namespace
}  // namespace vouch
