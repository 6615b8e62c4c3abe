#include "vouch/host/audit_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "core/testing/sample_claims.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/hpke.h"

namespace vouch::host {
namespace {

class AuditStoreTest : public ::testing::Test {
 protected:
  // A VC of `type` for domain `uuid`, issued by key_.
  HostVc Vc(const std::string& uuid, const std::string& type) {
    HostVcClaims claims = testing::SampleClaims(key_, X25519PrivateKey::Generate().public_key());
    claims.domain_uuid = uuid;
    claims.type = type;
    if (type == "reattest") claims.launch_cti = RandomBytes(kCtiSize);
    auto vc = HostVc::Issue(claims, key_);
    EXPECT_TRUE(vc.ok()) << vc.error().ToString();
    return std::move(vc).value();
  }

  Ed25519PrivateKey key_ = Ed25519PrivateKey::Generate();
  ::vouch::testing::TempDir dir_;
  const std::string uuid_ = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
};

TEST_F(AuditStoreTest, KeepsEachVcAndFindsTheNewestOfAType) {
  AuditStore store(dir_ / "audit");  // created on the first write
  HostVc launch = Vc(uuid_, "launch");
  ASSERT_TRUE(store.PutVc(uuid_, launch).ok());
  HostVc reattest = Vc(uuid_, "reattest");
  ASSERT_TRUE(store.PutVc(uuid_, reattest).ok());
  ASSERT_TRUE(store.PutVc("another-domain", Vc("another-domain", "launch")).ok());

  auto newest = store.NewestVc(uuid_, "launch");
  ASSERT_TRUE(newest.ok()) << newest.error().ToString();
  EXPECT_EQ(*newest, launch.message().Encode());
  auto file = ReadFile(StrCat(dir_ / "audit", "/", uuid_, "-", HexEncode(launch.claims().cti), ".cbor"));
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  EXPECT_EQ(*file, launch.message().Encode());
  auto missing = store.NewestVc("no-such-domain", "launch");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("no launch VC of domain no-such-domain in " + (dir_ / "audit")),
            std::string::npos)
      << missing.error().message();
}

// The latest of a type is one read away however many rounds the store
// holds; a store written before those copies is still read (by file time).
TEST_F(AuditStoreTest, TheLatestOfATypeIsKeptApartAndOlderStoresStillRead) {
  AuditStore store(dir_ / "audit");
  HostVc first = Vc(uuid_, "launch"), second = Vc(uuid_, "launch");
  ASSERT_TRUE(store.PutVc(uuid_, first).ok());
  ASSERT_TRUE(store.PutVc(uuid_, second).ok());
  auto latest = ReadFile(StrCat(dir_ / "audit", "/", uuid_, ".launch.cbor"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, second.message().Encode());
  EXPECT_EQ(store.NewestVc(uuid_, "launch").value(), second.message().Encode());

  // A copy that is not what its name says is not taken.
  ASSERT_TRUE(WriteFile(StrCat(dir_ / "audit", "/", uuid_, ".launch.cbor"), Vc(uuid_, "reattest").message().Encode(),
                        0644).ok());
  auto scanned = store.NewestVc(uuid_, "launch");
  ASSERT_TRUE(scanned.ok()) << scanned.error().ToString();
  EXPECT_EQ(HostVc::Parse(*scanned)->claims().type, "launch");
  ASSERT_EQ(::unlink(StrCat(dir_ / "audit", "/", uuid_, ".launch.cbor").c_str()), 0);
  scanned = store.NewestVc(uuid_, "launch");
  ASSERT_TRUE(scanned.ok()) << scanned.error().ToString();
  EXPECT_EQ(HostVc::Parse(*scanned)->claims().type, "launch");
}

TEST_F(AuditStoreTest, AppendsWholeLines) {
  AuditStore store(dir_ / "audit");
  ASSERT_TRUE(store.Append("reattest.log", "1 domain=web1 verdict=endorsed").ok());
  ASSERT_TRUE(store.Append("reattest.log", "2 domain=web1 verdict=drift").ok());
  auto text = ReadFile(dir_ / "audit/reattest.log");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(ToString(*text), "1 domain=web1 verdict=endorsed\n2 domain=web1 verdict=drift\n");
}

// Nothing is dropped in silence: a store that cannot be written says so,
// naming what it could not write.
TEST_F(AuditStoreTest, EveryWriteReturnsItsError) {
  ASSERT_TRUE(WriteFile(dir_ / "file", AsBytes("not a directory"), 0600).ok());
  AuditStore under_a_file(dir_ / "file/audit");
  Status put = under_a_file.PutVc(uuid_, Vc(uuid_, "launch"));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code(), Code::kIo);
  EXPECT_NE(put.error().message().find("audit store '" + (dir_ / "file/audit") + "': cannot create it"),
            std::string::npos)
      << put.error().message();
  EXPECT_FALSE(under_a_file.Append("reattest.log", "x").ok());

  AuditStore store(dir_ / "audit");
  ASSERT_TRUE(store.Append("ok.log", "x").ok());
  ASSERT_EQ(::mkdir((dir_ / "audit/reattest.log").c_str(), 0755), 0);  // a directory where the log goes
  Status appended = store.Append("reattest.log", "x");
  ASSERT_FALSE(appended.ok());
  EXPECT_NE(appended.error().message().find("audit store: cannot open '" + (dir_ / "audit/reattest.log") + "'"),
            std::string::npos)
      << appended.error().message();
}

}  // namespace
}  // namespace vouch::host
