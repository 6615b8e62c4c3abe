#include "vouch/core/ed25519.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "vouch/core/random.h"

namespace vouch {
namespace {

Bytes Hex(std::string_view h) { return HexDecode(h).value(); }

struct Rfc8032Vector {
  std::string name;
  Bytes seed, public_key, message, signature;
};

// RFC 8032 §7.1 Ed25519 vectors; source noted in the file.
std::vector<Rfc8032Vector> LoadRfc8032() {
  std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/rfc8032_ed25519.json";
  Result<Bytes> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  std::vector<Rfc8032Vector> out;
  const nlohmann::json doc = nlohmann::json::parse(ToString(*text));  // the loop borrows from it
  for (const auto& t : doc["tests"]) {
    out.push_back({t["name"], Hex(t["secret_key"].get<std::string>()),
                   Hex(t["public_key"].get<std::string>()), Hex(t["message"].get<std::string>()),
                   Hex(t["signature"].get<std::string>())});
  }
  return out;
}

Ed25519PrivateKey KeyFromSeed(ByteView seed) {
  return Ed25519PrivateKey::FromSeed(SecretBytes(seed)).value();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vouch-ed25519-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Writes `key` as a PKCS#8 PEM private key file.
void WritePrivatePem(EVP_PKEY* key, const std::string& path) {
  SslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  ASSERT_TRUE(WriteFile(path, ByteView(reinterpret_cast<const uint8_t*>(data), n), 0600).ok());
}

TEST(Ed25519, Rfc8032VectorsDeriveTheirPublicKeys) {
  std::vector<Rfc8032Vector> vectors = LoadRfc8032();
  ASSERT_EQ(vectors.size(), 5u);
  for (const auto& v : vectors) {
    Ed25519PrivateKey key = KeyFromSeed(v.seed);
    EXPECT_EQ(HexEncode(key.public_key().raw()), HexEncode(v.public_key)) << v.name;
    EXPECT_EQ(key.Seed().Expose().size(), 32u);
    EXPECT_TRUE(key.Seed() == SecretBytes(v.seed)) << v.name;
  }
}

TEST(Ed25519, Rfc8032VectorsSignToThePublishedSignature) {
  std::vector<Rfc8032Vector> vectors = LoadRfc8032();
  ASSERT_EQ(vectors.size(), 5u);
  for (const auto& v : vectors) {
    EXPECT_EQ(HexEncode(KeyFromSeed(v.seed).Sign(v.message)), HexEncode(v.signature))
        << v.name << " (message " << v.message.size() << " bytes)";
  }
}

TEST(Ed25519, Rfc8032SignaturesVerifyUnderThePublishedKey) {
  std::vector<Rfc8032Vector> vectors = LoadRfc8032();
  ASSERT_EQ(vectors.size(), 5u);
  for (const auto& v : vectors) {
    Result<Ed25519PublicKey> pub = Ed25519PublicKey::FromRaw(v.public_key);
    ASSERT_TRUE(pub.ok()) << v.name;
    Status s = pub->Verify(v.message, v.signature);
    EXPECT_TRUE(s.ok()) << v.name << ": " << (s.ok() ? "" : s.error().ToString());
  }
}

TEST(Ed25519, VerifyRefusesEveryFlippedSignatureBit) {
  size_t swept = 0;
  for (const auto& v : LoadRfc8032()) {
    if (v.name != "TEST 1024") continue;
    ++swept;
    Ed25519PublicKey pub = Ed25519PublicKey::FromRaw(v.public_key).value();
    for (size_t bit = 0; bit < v.signature.size() * 8; ++bit) {
      Bytes sig = v.signature;
      sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      Status s = pub.Verify(v.message, sig);
      ASSERT_FALSE(s.ok()) << "bit " << bit;
      EXPECT_EQ(s.error().code(), Code::kBadSignature);
    }
  }
  EXPECT_EQ(swept, 1u);
}

TEST(Ed25519, VerifyRefusesAFlippedMessageBitOrAnotherKey) {
  std::vector<Rfc8032Vector> vectors = LoadRfc8032();
  ASSERT_EQ(vectors.size(), 5u);
  for (const auto& v : vectors) {
    Ed25519PublicKey pub = Ed25519PublicKey::FromRaw(v.public_key).value();
    if (!v.message.empty()) {
      Bytes msg = v.message;
      msg[msg.size() / 2] ^= 0x01;
      EXPECT_EQ(pub.Verify(msg, v.signature).error().code(), Code::kBadSignature) << v.name;
    }
    Bytes longer = Concat({v.message, Bytes{0}});
    EXPECT_FALSE(pub.Verify(longer, v.signature).ok()) << v.name;
    Ed25519PrivateKey other = Ed25519PrivateKey::Generate();
    EXPECT_EQ(other.public_key().Verify(v.message, v.signature).error().code(), Code::kBadSignature);
  }
}

TEST(Ed25519, VerifyRefusesSignaturesOfTheWrongSize) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  Bytes msg = ToBytes("vouch");
  Bytes sig = key.Sign(msg);
  ASSERT_EQ(sig.size(), kEd25519SignatureSize);
  ASSERT_TRUE(key.public_key().Verify(msg, sig).ok());
  for (size_t n : {0, 1, 63, 65, 128}) {
    Bytes wrong(sig.begin(), sig.begin() + std::min(n, sig.size()));
    wrong.resize(n, 0);
    Status s = key.public_key().Verify(msg, wrong);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().code(), Code::kBadSignature);
    EXPECT_NE(s.error().message().find(StrCat("expected 64 bytes, got ", n)), std::string::npos)
        << s.error().message();
  }
}

TEST(Ed25519, RefusesSeedsAndPublicKeysOfTheWrongSize) {
  for (size_t n : {0, 31, 33, 64}) {
    Result<Ed25519PrivateKey> k = Ed25519PrivateKey::FromSeed(SecretBytes(n));
    ASSERT_FALSE(k.ok()) << n;
    EXPECT_EQ(k.error().code(), Code::kInvalidArgument);
    Result<Ed25519PublicKey> p = Ed25519PublicKey::FromRaw(Bytes(n, 1));
    ASSERT_FALSE(p.ok()) << n;
    EXPECT_EQ(p.error().code(), Code::kInvalidArgument);
    EXPECT_NE(p.error().message().find(StrCat("expected 32 bytes, got ", n)), std::string::npos);
  }
}

TEST(Ed25519, GeneratedKeysAreDistinctAndSignVerifiably) {
  Ed25519PrivateKey a = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey b = Ed25519PrivateKey::Generate();
  EXPECT_NE(a.public_key().raw(), b.public_key().raw());
  Bytes msg = RandomBytes(100);
  EXPECT_TRUE(a.public_key().Verify(msg, a.Sign(msg)).ok());
  EXPECT_FALSE(b.public_key().Verify(msg, a.Sign(msg)).ok());
  // Pure Ed25519 is deterministic.
  EXPECT_EQ(a.Sign(msg), a.Sign(msg));
  EXPECT_EQ(KeyFromSeed(a.Seed().Expose()).public_key(), a.public_key());
}

TEST(Ed25519, SavePemWritesMode0600AndLoadPemRoundTrips) {
  TempDir dir;
  std::string path = dir.File("host.key");
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.SavePem(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  std::string pem = ToString(ReadFile(path).value());
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem.substr(0, 40);

  Result<Ed25519PrivateKey> loaded = Ed25519PrivateKey::LoadPem(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->public_key(), key.public_key());
  EXPECT_TRUE(loaded->Seed() == key.Seed());
  Bytes msg = ToBytes("round trip");
  EXPECT_EQ(loaded->Sign(msg), key.Sign(msg));
}

TEST(Ed25519, SavePemIsMode0600WhateverTheUmaskAndOverwrites) {
  TempDir dir;
  std::string path = dir.File("k.pem");
  mode_t old = ::umask(0);
  Status first = Ed25519PrivateKey::Generate().SavePem(path);
  ::umask(old);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_TRUE(::chmod(path.c_str(), 0644) == 0);
  Ed25519PrivateKey second = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(second.SavePem(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(Ed25519PrivateKey::LoadPem(path)->public_key(), second.public_key());
}

TEST(Ed25519, LoadPemRefusesOtherKeyTypes) {
  TempDir dir;
  struct Other {
    const char* file;
    SslPtr<EVP_PKEY> key;
  };
  Other others[] = {
      {"p256.pem", SslPtr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"))},
      {"x25519.pem", SslPtr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"))},
      {"ed448.pem", SslPtr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"))},
  };
  for (auto& o : others) {
    ASSERT_NE(o.key, nullptr) << o.file;
    std::string path = dir.File(o.file);
    WritePrivatePem(o.key.get(), path);
    Result<Ed25519PrivateKey> r = Ed25519PrivateKey::LoadPem(path);
    ASSERT_FALSE(r.ok()) << o.file;
    EXPECT_EQ(r.error().code(), Code::kMalformed);
    EXPECT_NE(r.error().message().find(path), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("is not a PEM Ed25519 private key"), std::string::npos);
  }
}

// The attacker: a local user reading a key left group- or world-readable.
// Every program that signs with one refuses it, naming the fix.
TEST(Ed25519, LoadPemRefusesAKeyGroupOrOthersMayRead) {
  TempDir dir;
  std::string path = dir.File("key.pem");
  ASSERT_TRUE(Ed25519PrivateKey::Generate().SavePem(path).ok());
  ASSERT_TRUE(Ed25519PrivateKey::LoadPem(path).ok());
  for (mode_t mode : {0640, 0604, 0644}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    Result<Ed25519PrivateKey> r = Ed25519PrivateKey::LoadPem(path);
    ASSERT_FALSE(r.ok()) << std::oct << mode;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    EXPECT_NE(r.error().message().find(StrCat("fix: chmod 600 '", path, "'")), std::string::npos) << r.error().message();
  }
}

TEST(Ed25519, LoadPemRefusesGarbageAndReportsMissingFiles) {
  TempDir dir;
  std::string garbage = dir.File("garbage.pem");
  ASSERT_TRUE(WriteFile(garbage, ToBytes("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0600).ok());
  EXPECT_EQ(Ed25519PrivateKey::LoadPem(garbage).error().code(), Code::kMalformed);
  std::string empty = dir.File("empty.pem");
  ASSERT_TRUE(WriteFile(empty, Bytes{}, 0600).ok());
  EXPECT_EQ(Ed25519PrivateKey::LoadPem(empty).error().code(), Code::kMalformed);
  Result<Ed25519PrivateKey> missing = Ed25519PrivateKey::LoadPem(dir.File("absent.pem"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("absent.pem"), std::string::npos);
}

}  // namespace
}  // namespace vouch
