#include "vouch/validator/lease_stop.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "testing/test_lease.h"
#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"
#include "vouch/core/random.h"
#include "vouch/core/stop_notice.h"
#include "vouch/validator/api.h"

namespace vouch::validator {
namespace {

constexpr int64_t kGranted = 1'000'000;  // the lease runs to kGranted + 2 × 3

class LeaseStopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vouch-lease-stop-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = LeaseStore::Open(dir_ + "/leases.sqlite");
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    launch_ = RandomBytes(16);
    ASSERT_TRUE(
        store_->Grant(testing::TestLease(Launch(), DidKey::FromPublicKey(host_.public_key()).did(), kGranted)).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Launch() const { return StrCat("cti:", HexEncode(launch_)); }
  bool Held() const { return store_->Find(Launch()).value().has_value(); }
  StopAnswer Send(const StopNotice& notice, int64_t now) {
    return HandleStop(store_.get(), kCborContentType, EncodeStopNotice(notice), now);
  }
  static std::string ReasonOf(const StopAnswer& a) {
    auto v = cbor::Decode(a.body);
    if (!v.ok() || v->Find("reason") == nullptr) return "";
    return v->Find("reason")->text();
  }

  std::string dir_;
  std::unique_ptr<LeaseStore> store_;
  Ed25519PrivateKey host_ = Ed25519PrivateKey::Generate();
  Bytes launch_;
};

TEST_F(LeaseStopTest, TheHostsNoticeEndsItsLeaseOnce) {
  StopAnswer a = Send(SignStopNotice(host_, launch_, kGranted + 1), kGranted + 2);
  EXPECT_EQ(a.status, 204) << a.log_line;
  EXPECT_TRUE(a.body.empty());
  EXPECT_FALSE(Held());
  EXPECT_NE(a.log_line.find(StrCat("launch=", Launch(), " ended")), std::string::npos) << a.log_line;
  StopAnswer again = Send(SignStopNotice(host_, launch_, kGranted + 1), kGranted + 2);
  EXPECT_EQ(again.status, 404);
  EXPECT_NE(ReasonOf(again).find("no lease of " + Launch()), std::string::npos);
}

// The attacker: another host (a registered one, with a key of its own) that
// wants the victim's silent domain to go unreported.
TEST_F(LeaseStopTest, AnotherHostCannotEndTheLease) {
  Ed25519PrivateKey other = Ed25519PrivateKey::Generate();
  StopAnswer a = Send(SignStopNotice(other, launch_, kGranted + 1), kGranted + 2);
  EXPECT_EQ(a.status, 403);
  EXPECT_NE(ReasonOf(a).find("is held by '" + DidKey::FromPublicKey(host_.public_key()).did()),
            std::string::npos)
      << ReasonOf(a);
  EXPECT_TRUE(Held());
}

// The attacker: one who knows the host's DID but not its key.
TEST_F(LeaseStopTest, ANoticeInTheHostsNameWithoutItsKeyIsRefused) {
  StopNotice forged = SignStopNotice(Ed25519PrivateKey::Generate(), launch_, kGranted + 1);
  forged.did = DidKey::FromPublicKey(host_.public_key()).did();
  StopAnswer a = Send(forged, kGranted + 2);
  EXPECT_EQ(a.status, 403);
  EXPECT_NE(a.log_line.find("code=bad-signature"), std::string::npos) << a.log_line;
  EXPECT_TRUE(Held());
}

// The attacker: the host itself, too late. Whatever it says about when the
// domain stopped, a lease past its deadline is reported, not ended.
TEST_F(LeaseStopTest, AHostCannotUndoAMissedDeadline) {
  const int64_t deadline = kGranted + 6;
  StopAnswer late = Send(SignStopNotice(host_, launch_, deadline - 1), deadline + 1);
  EXPECT_EQ(late.status, 403);
  EXPECT_NE(ReasonOf(late).find("passed its deadline"), std::string::npos) << ReasonOf(late);
  EXPECT_TRUE(Held());
  StopAnswer future = Send(SignStopNotice(host_, launch_, deadline + 60), deadline - 1);
  EXPECT_EQ(future.status, 403);
  EXPECT_TRUE(Held());
  EXPECT_EQ(Send(SignStopNotice(host_, launch_, deadline), deadline).status, 204);  // at the deadline: in time
}

TEST_F(LeaseStopTest, AnUnknownLaunchIsNotFound) {
  StopAnswer a = Send(SignStopNotice(host_, RandomBytes(16), kGranted), kGranted);
  EXPECT_EQ(a.status, 404);
  EXPECT_TRUE(Held());
}

TEST_F(LeaseStopTest, WhatIsNotANoticeIsRefusedNamingWhy) {
  Bytes body = EncodeStopNotice(SignStopNotice(host_, launch_, kGranted));
  StopAnswer json = HandleStop(store_.get(), "application/json", body, kGranted);
  EXPECT_EQ(json.status, 415);
  EXPECT_NE(ReasonOf(json).find("expected Content-Type application/cbor"), std::string::npos);
  StopAnswer garbage = HandleStop(store_.get(), kCborContentType, AsBytes("not cbor"), kGranted);
  EXPECT_EQ(garbage.status, 400);
  EXPECT_FALSE(ReasonOf(garbage).empty());
  StopAnswer no_store = HandleStop(nullptr, kCborContentType, body, kGranted);
  EXPECT_EQ(no_store.status, 501);
  EXPECT_NE(ReasonOf(no_store).find("holds no leases"), std::string::npos);
  EXPECT_TRUE(Held());
}

}  // namespace
}  // namespace vouch::validator
