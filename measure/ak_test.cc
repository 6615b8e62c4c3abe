#include "vouch/measure/ak.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "measure/testing/software_quote.h"
#include "measure/testing/temp_dir.h"

namespace vouch {
namespace {

Bytes FakePrivate() {
  Bytes p = {0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
  return p;
}

TEST(Ak, SavesBlobsWithMode0600AndLoadsThemBack) {
  testing::TempDir tmp;
  testing::SoftwareAk sw;
  auto ak = Ak::FromBlobs(sw.PublicArea(), FakePrivate());
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  std::string dir = tmp / "host/ak";
  ASSERT_TRUE(::mkdir((tmp / "host").c_str(), 0755) == 0);
  ASSERT_TRUE(ak->Save(dir).ok());

  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* f : {kAkPublicFile, kAkPrivateFile}) {
    ASSERT_EQ(::stat((dir + "/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  auto pub_file = ReadFile(dir + "/ak.pub");
  ASSERT_TRUE(pub_file.ok());
  EXPECT_EQ(*pub_file, sw.PublicArea());

  auto loaded = Ak::Load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->name(), ak->name());
  EXPECT_EQ(loaded->private_blob(), FakePrivate());
  EXPECT_EQ(loaded->key().x(), ak->key().x());
}

TEST(Ak, LoadFromMissingDirectoryIsNotFound) {
  testing::TempDir tmp;
  auto r = Ak::Load(tmp / "nothing-here");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find("nothing-here/ak.pub"), std::string::npos)
      << r.error().message();
}

TEST(Ak, RefusesMalformedPrivateBlob) {
  testing::SoftwareAk sw;
  for (const Bytes& bad :
       {Bytes{}, Bytes{0x00, 0x05, 0x01}, Bytes{0x00, 0x00, 0x01}, Bytes(2049, 0)}) {
    auto r = Ak::FromBlobs(sw.PublicArea(), bad);
    ASSERT_FALSE(r.ok()) << HexEncode(bad);
    EXPECT_EQ(r.error().code(), Code::kMalformed);
  }
}

TEST(Ak, LoadNamesTheDirectoryOfANonRestrictedKey) {
  testing::TempDir tmp;
  testing::EccPublicFields f;
  f.attributes &= ~testing::kAttrRestricted;
  testing::SoftwareAk sw(f);
  ASSERT_TRUE(WriteFile(tmp / "ak.pub", sw.PublicArea(), 0600).ok());
  ASSERT_TRUE(WriteFile(tmp / "ak.priv", FakePrivate(), 0600).ok());
  auto r = Ak::Load(tmp.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadQuote);
  EXPECT_NE(r.error().message().find("AK in '" + tmp.path() + "'"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("not restricted"), std::string::npos);
}

}  // namespace
}  // namespace vouch
