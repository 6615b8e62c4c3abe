#include "vouch/validator/static_host_directory.h"

#include <gtest/gtest.h>

namespace vouch::validator {
namespace {

constexpr char kHost[] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
constexpr char kOther[] = "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf";

TEST(StaticHostDirectory, ParsesHostsRevocationsAndLedgerHead) {
  std::string text = StrCat("# test hosts\n", "host ", kHost, " 0a0b0c certified ", kOther, "\n", "host ",
                            kOther, " 0d0e uncertified   # not enrolled yet\n", "revoked ", kOther,
                            " drift reported by validators\n", "revoked cti:00112233 leaked VC\n",
                            "ledger ", std::string(64, 'a'), "\n");
  auto dir = StaticHostDirectory::Parse(text, "hosts.txt");
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  auto host = (*dir)->Lookup(kHost);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->ak_public, (Bytes{0x0a, 0x0b, 0x0c}));
  EXPECT_TRUE(host->certified);
  EXPECT_EQ(host->certified_by, std::set<std::string>{kOther});
  EXPECT_FALSE(host->revoked);
  auto other = (*dir)->Lookup(kOther);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->certified);
  EXPECT_TRUE(other->certified_by.empty());
  EXPECT_TRUE(other->revoked);
  EXPECT_EQ(other->revoked_reason, "drift reported by validators");
  EXPECT_TRUE((*dir)->IsRevoked("cti:00112233"));
  EXPECT_FALSE((*dir)->IsRevoked(kHost));
  EXPECT_EQ((*dir)->LedgerHead(), Bytes(32, 0xaa));
}

TEST(StaticHostDirectory, UnknownHostIsUnknownHost) {
  StaticHostDirectory dir;
  auto r = dir.Lookup(kHost);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnknownHost);
  EXPECT_EQ(dir.LedgerHead(), Bytes(32, 0));
}

TEST(StaticHostDirectory, RevokingAfterPutMarksTheHost) {
  StaticHostDirectory dir;
  dir.Put(HostRecord{kHost, {1}, true, {kOther}, false, ""});
  dir.Revoke(kHost, "stolen");
  auto r = dir.Lookup(kHost);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->revoked);
  EXPECT_EQ(r->revoked_reason, "stolen");
}

TEST(StaticHostDirectory, MalformedLinesAreRefusedWithTheirNumber) {
  for (const std::string& bad :
       {StrCat("host ", kHost, " zz certified ", kOther), StrCat("host ", kHost, " 00 trusted"),
        StrCat("host did:web:example.com 00 certified ", kOther), std::string("hots x y z"),
        StrCat("host ", kHost, " 00 certified ", kOther, "\nhost ", kHost, " 01 certified ", kOther),
        // "certified" names its certifiers, which are did:keys; "uncertified" names none.
        StrCat("host ", kHost, " 00 certified"), StrCat("host ", kHost, " 00 certified did:web:vd.example"),
        StrCat("host ", kHost, " 00 uncertified ", kOther), std::string("ledger 0011")}) {
    auto dir = StaticHostDirectory::Parse(bad, "h");
    ASSERT_FALSE(dir.ok()) << bad;
    EXPECT_EQ(dir.error().code(), Code::kMalformed);
    EXPECT_NE(dir.error().message().find("host directory 'h' line "), std::string::npos)
        << dir.error().message();
  }
}

TEST(StaticHostDirectory, MissingFileIsNotFound) {
  auto dir = StaticHostDirectory::LoadFile("/nonexistent/vouch/hosts");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace vouch::validator
