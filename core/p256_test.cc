#include "vouch/core/p256.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <string>

#include "vouch/core/digest.h"
#include "vouch/core/random.h"

namespace vouch {
namespace {

Bytes Hex(std::string_view h) { return HexDecode(h).value(); }

// RFC 6979 Appendix A.2.5: P-256 key and the (deterministic) ECDSA SHA-256
// signature of "sample". OpenSSL signs with random k, but must accept it.
constexpr std::string_view kRfc6979Ux = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
constexpr std::string_view kRfc6979Uy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
constexpr std::string_view kRfc6979R = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
constexpr std::string_view kRfc6979S = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";

TEST(P256, Rfc6979SampleSignatureVerifies) {
  Result<P256PublicKey> pub = P256PublicKey::FromCoordinates(Hex(kRfc6979Ux), Hex(kRfc6979Uy));
  ASSERT_TRUE(pub.ok()) << pub.error().ToString();
  Bytes sig = Concat({Hex(kRfc6979R), Hex(kRfc6979S)});
  EXPECT_TRUE(pub->Verify(AsBytes("sample"), sig).ok());
  EXPECT_TRUE(pub->VerifyDigest(Sha256(AsBytes("sample")), sig).ok());
  EXPECT_EQ(pub->Verify(AsBytes("sample!"), sig).error().code(), Code::kBadSignature);
}

TEST(P256, SignVerifyRoundTrip) {
  P256PrivateKey key = P256PrivateKey::Generate();
  Bytes msg = RandomBytes(200);
  Bytes sig = key.Sign(msg);
  ASSERT_EQ(sig.size(), kP256SignatureSize);
  EXPECT_TRUE(key.public_key().Verify(msg, sig).ok());
  EXPECT_TRUE(key.public_key().VerifyDigest(Sha256(msg), sig).ok());
  // A key rebuilt from its coordinates verifies too.
  P256PublicKey again = P256PublicKey::FromCoordinates(key.public_key().x(), key.public_key().y()).value();
  EXPECT_TRUE(again.Verify(msg, sig).ok());
  EXPECT_FALSE(P256PrivateKey::Generate().public_key().Verify(msg, sig).ok());
}

TEST(P256, VerifyRefusesEveryFlippedSignatureBit) {
  P256PrivateKey key = P256PrivateKey::Generate();
  Bytes msg = ToBytes("attestation key");
  Bytes sig = key.Sign(msg);
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    Bytes bad = sig;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Status s = key.public_key().Verify(msg, bad);
    ASSERT_FALSE(s.ok()) << "bit " << bit;
    EXPECT_EQ(s.error().code(), Code::kBadSignature);
  }
  Bytes other = msg;
  other[0] ^= 0x80;
  EXPECT_EQ(key.public_key().Verify(other, sig).error().code(), Code::kBadSignature);
}

TEST(P256, RefusesSignaturesAndDigestsOfTheWrongSize) {
  P256PrivateKey key = P256PrivateKey::Generate();
  Bytes msg = ToBytes("m");
  Bytes sig = key.Sign(msg);
  for (size_t n : {0, 63, 65, 72}) {
    Bytes wrong = sig;
    wrong.resize(n, 0);
    Status s = key.public_key().Verify(msg, wrong);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().code(), Code::kBadSignature);
  }
  Status d = key.public_key().VerifyDigest(Bytes(31, 0), sig);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
}

TEST(P256, FromCoordinatesRefusesAPointNotOnTheCurve) {
  Bytes x = Hex(kRfc6979Ux), y = Hex(kRfc6979Uy);
  y[31] ^= 0x01;
  Result<P256PublicKey> off = P256PublicKey::FromCoordinates(x, y);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code(), Code::kInvalidArgument);
  EXPECT_NE(off.error().message().find("not on the curve"), std::string::npos) << off.error().message();
  EXPECT_FALSE(P256PublicKey::FromCoordinates(Bytes(32, 0), Bytes(32, 0)).ok());
  // Coordinate equal to the field prime p is out of range.
  Bytes p = Hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  EXPECT_FALSE(P256PublicKey::FromCoordinates(p, y).ok());
}

TEST(P256, FromCoordinatesRefusesWrongSizes) {
  Bytes x = Hex(kRfc6979Ux), y = Hex(kRfc6979Uy);
  Result<P256PublicKey> r = P256PublicKey::FromCoordinates(ByteView(x).first(31), y);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find("got 31 and 32"), std::string::npos) << r.error().message();
}

TEST(P256, PemRoundTripAndOtherKeyTypesRefused) {
  P256PrivateKey key = P256PrivateKey::Generate();
  std::string pem = key.public_key().ToPem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n")) << pem;
  Result<P256PublicKey> back = P256PublicKey::FromPem(pem);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->x(), key.public_key().x());
  EXPECT_EQ(back->y(), key.public_key().y());

  for (const char* type : {"P-384", "ED25519"}) {
    SslPtr<EVP_PKEY> other(std::string_view(type) == "P-384"
                               ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")
                               : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    ASSERT_NE(other, nullptr);
    SslPtr<BIO> bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), other.get()), 1);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    Result<P256PublicKey> r = P256PublicKey::FromPem(std::string_view(data, static_cast<size_t>(n)));
    ASSERT_FALSE(r.ok()) << type;
    EXPECT_EQ(r.error().code(), Code::kMalformed);
  }
  EXPECT_EQ(P256PublicKey::FromPem("not pem").error().code(), Code::kMalformed);
}

}  // namespace
}  // namespace vouch
