#include "vouch/validator/validator_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

#include "measure/testing/temp_dir.h"
#include "vouch/validator/daemon.h"

namespace vouch::validator {
namespace {

using ::vouch::testing::TempDir;

unsigned Mode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST(ValidatorKeys, CreateWritesPrivateFilesThatLoadBackToTheSameKeys) {
  TempDir dir;
  auto created = ValidatorKeys::Create(dir / "v.pem", dir / "h.key");
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(Mode(dir / "v.pem"), 0600u);
  EXPECT_EQ(Mode(dir / "h.key"), 0600u);
  auto loaded = ValidatorKeys::Load(dir / "v.pem", dir / "h.key");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->did(), created->did());
  EXPECT_EQ(loaded->hpke_key().public_key(), created->hpke_key().public_key());
  EXPECT_EQ(loaded->did().rfind("did:key:z6Mk", 0), 0u);
}

TEST(ValidatorKeys, CreateNeverOverwritesAKey) {
  TempDir dir;
  ASSERT_TRUE(ValidatorKeys::Create(dir / "v.pem", dir / "h.key").ok());
  auto again = ValidatorKeys::Create(dir / "v.pem", dir / "other.key");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("already exists"), std::string::npos);
}

TEST(ValidatorKeys, LoadRefusesKeyFilesOthersCanRead) {
  TempDir dir;
  ASSERT_TRUE(ValidatorKeys::Create(dir / "v.pem", dir / "h.key").ok());
  ASSERT_EQ(::chmod((dir / "h.key").c_str(), 0644), 0);
  auto loaded = ValidatorKeys::Load(dir / "v.pem", dir / "h.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("chmod 600"), std::string::npos);
}

TEST(ValidatorKeys, LoadRefusesHpkeKeyOfWrongSize) {
  TempDir dir;
  ASSERT_TRUE(ValidatorKeys::Create(dir / "v.pem", dir / "h.key").ok());
  ASSERT_TRUE(WriteFile(dir / "h.key", Bytes(31, 1), 0600).ok());
  auto loaded = ValidatorKeys::Load(dir / "v.pem", dir / "h.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("expected 32 raw bytes, got 31"), std::string::npos);
}

TEST(VouchdInit, PrintsDidAndHpkePublicKeyOfTheKeysItWrote) {
  TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(RunInit({"--dir", dir / "state"}, out, err), 0) << err.str();
  EXPECT_EQ(Mode(dir / "state"), 0700u);
  auto keys = ValidatorKeys::Load(dir / "state/validator.pem", dir / "state/hpke.key");
  ASSERT_TRUE(keys.ok()) << keys.error().ToString();
  EXPECT_NE(out.str().find("did: " + keys->did() + "\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("hpke_public_key: " + HexEncode(keys->hpke_key().public_key()) + "\n"),
            std::string::npos);

  std::ostringstream out2, err2;
  EXPECT_EQ(RunInit({"--dir", dir / "state"}, out2, err2), 1);
  EXPECT_NE(err2.str().find("already exists"), std::string::npos);
}

}  // namespace
}  // namespace vouch::validator
