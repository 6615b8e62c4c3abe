#include "vouch/measure/boot_appraisal.h"

#include <gtest/gtest.h>

#include "measure/testing/fixture_event_log.h"
#include "vouch/core/cbor.h"
#include "vouch/core/digest.h"

namespace vouch {
namespace {

using testing::FixtureEventLog;
using testing::LoadFixtureEventLog;

constexpr const char* kClass = "gce-ubuntu-2104";
const std::vector<uint32_t> kAllPcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23};

EventLog Parsed(const Bytes& bytes) {
  auto log = ParseEventLog(bytes);
  EXPECT_TRUE(log.ok()) << log.error().ToString();
  return log.ok() ? *log : EventLog{};
}

BootReference Propose(const EventLog& log, const char* name, std::vector<uint32_t> pcrs) {
  auto ref = ProposeBootReference(log, kClass, name, std::move(pcrs));
  EXPECT_TRUE(ref.ok()) << ref.error().ToString();
  return ref.ok() ? *ref : BootReference{};
}

std::string Joined(const BootAppraisal& a) {
  std::string s;
  for (const auto& r : a.refusals) s += r + "\n";
  return s;
}

const EventVerdict& VerdictOf(const BootAppraisal& a, size_t number) {
  for (const auto& v : a.events) {
    if (v.number == number) return v;
  }
  static const EventVerdict none;
  ADD_FAILURE() << "no verdict for event " << number;
  return none;
}

// Real logs of real machines: a proposal from each accepts it, read back
// from its CBOR form as the ledger would hold it.
TEST(BootAppraisalTest, AProposalFromARealLogAcceptsThatLog) {
  for (const char* name : {"event-arch-linux.bin", "event-gce-ubuntu-2104-log.bin", "event-sd-boot-fedora37.bin",
                           "event-moklisttrusted.bin", "event-bootorder.bin", "event-postcode.bin"}) {
    FixtureEventLog log = LoadFixtureEventLog(name);
    BootReference proposed = Propose(log.parsed, "all", {});
    Status valid = CheckBootReference(proposed);
    ASSERT_TRUE(valid.ok()) << name << ": " << valid.error().ToString();
    auto back = BootReferenceFromCbor(*cbor::Decode(cbor::Encode(BootReferenceToCbor(proposed))));
    ASSERT_TRUE(back.ok()) << name << ": " << back.error().ToString();
    BootAppraisal a = AppraiseBootLog(log.parsed, {kClass, {*back}}, kAllPcrs);
    EXPECT_TRUE(a.accepted()) << name << ":\n" << Joined(a);
    for (const auto& v : a.events) EXPECT_EQ(v.fragment, "all") << name << " event " << v.number;
  }
}

TEST(BootAppraisalTest, SecureBootReadsAsAVariableRule) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference proposed = Propose(log.parsed, "firmware", {7});
  const BootRule* secure_boot = nullptr;
  for (const auto& r : proposed.rules) {
    if (r.variable == "SecureBoot") secure_boot = &r;
  }
  ASSERT_NE(secure_boot, nullptr);
  EXPECT_EQ(secure_boot->vendor, "8be4df61-93ca-11d2-aa0d-00e098032b8c");
  EXPECT_EQ(secure_boot->event_type, 0x80000001u);
  EXPECT_TRUE(secure_boot->required);
  ASSERT_EQ(secure_boot->sha256.size(), 1u);
  auto var_data = Bytes{log.parsed.events.at(2).data.end() - 1, log.parsed.events.at(2).data.end()};
  Sha256Digest expected = Sha256(var_data);
  EXPECT_EQ(secure_boot->sha256[0], Bytes(expected.begin(), expected.end()));
}

// One boot component changed: refused, naming the event, PCR, type and digest.
TEST(BootAppraisalTest, AChangedBootComponentIsRefusedByName) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference reference = Propose(log.parsed, "all", {});
  EventLog updated = Parsed(testing::WithEventDigestChanged(log, 23));  // PCR 4, the boot loader
  BootAppraisal a = AppraiseBootLog(updated, {kClass, {reference}}, kAllPcrs);
  ASSERT_EQ(a.refusals.size(), 1u) << Joined(a);
  std::string digest = HexEncode(updated.events.at(22).digests.at(1).digest);
  EXPECT_EQ(a.refusals[0], "event 23: PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION: sha256 " + digest +
                               " matches no rule of platform class gce-ubuntu-2104");
  EXPECT_TRUE(VerdictOf(a, 23).fragment.empty());
  EXPECT_EQ(VerdictOf(a, 27).fragment, "all");
}

// The roll-out: old and new kernel both allowed; withdrawing the old one
// refuses a host still on it.
TEST(BootAppraisalTest, AnUpdateIsANewAllowedValueAndAWithdrawalRemovesTheOld) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  EventLog updated = Parsed(testing::WithEventDigestChanged(log, 23));
  BootReference firmware = Propose(log.parsed, "firmware", {0, 1, 2, 3, 5, 6, 7});
  BootReference old_kernel = Propose(log.parsed, "kernel-old", {4});
  BootReference new_kernel = Propose(updated, "kernel-new", {4});

  PlatformClass before{kClass, {firmware, old_kernel}};
  EXPECT_TRUE(AppraiseBootLog(log.parsed, before, kAllPcrs).accepted());
  EXPECT_FALSE(AppraiseBootLog(updated, before, kAllPcrs).accepted());

  PlatformClass rolling{kClass, {firmware, old_kernel, new_kernel}};
  BootAppraisal on_old = AppraiseBootLog(log.parsed, rolling, kAllPcrs);
  BootAppraisal on_new = AppraiseBootLog(updated, rolling, kAllPcrs);
  EXPECT_TRUE(on_old.accepted()) << Joined(on_old);
  EXPECT_TRUE(on_new.accepted()) << Joined(on_new);
  EXPECT_EQ(VerdictOf(on_new, 23).fragment, "kernel-new");
  EXPECT_EQ(VerdictOf(on_new, 3).fragment, "firmware");

  PlatformClass after{kClass, {firmware, new_kernel}};
  EXPECT_TRUE(AppraiseBootLog(updated, after, kAllPcrs).accepted());
  BootAppraisal stale = AppraiseBootLog(log.parsed, after, kAllPcrs);
  ASSERT_EQ(stale.refusals.size(), 1u) << Joined(stale);
  EXPECT_NE(stale.refusals[0].find("event 23: PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION"), std::string::npos);
}

// An attacker's log whose SecureBoot event shows the allowed data but whose
// digest (what the TPM measured) is of something else.
TEST(BootAppraisalTest, AVariableEventWhoseDigestIsNotOfItsDataProvesNothing) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference reference = Propose(log.parsed, "firmware", {7});
  EventLog forged = Parsed(testing::WithEventDigestChanged(log, 3));
  BootAppraisal a = AppraiseBootLog(forged, {kClass, {reference}}, kAllPcrs);
  ASSERT_EQ(a.refusals.size(), 1u) << Joined(a);
  EXPECT_EQ(a.refusals[0],
            "event 3: PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot: its digest is not the SHA-256 of its "
            "data, so its data proves nothing");
}

TEST(BootAppraisalTest, AVariableWithOtherDataIsRefusedNamingItsDataDigest) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference reference = Propose(log.parsed, "firmware", {7});
  for (BootRule& r : reference.rules) {
    if (r.variable == "SecureBoot") r.sha256 = {Bytes(32, 0xab)};  // a class that allows other data only
  }
  BootAppraisal a = AppraiseBootLog(log.parsed, {kClass, {reference}}, kAllPcrs);
  ASSERT_EQ(a.refusals.size(), 1u) << Joined(a);
  EXPECT_EQ(a.refusals[0], "event 3: PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot: data sha256 " +
                               HexEncode(VerdictOf(a, 3).variable_sha256) +
                               " matches no rule of platform class gce-ubuntu-2104");
}

TEST(BootAppraisalTest, EventsOnUngovernedPcrsAreNotJudged) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference pcr7 = Propose(log.parsed, "firmware", {7});
  EventLog updated = Parsed(testing::WithEventDigestChanged(log, 23));  // PCR 4
  BootAppraisal a = AppraiseBootLog(updated, {kClass, {pcr7}}, {7});
  EXPECT_TRUE(a.accepted()) << Joined(a);
  EXPECT_FALSE(VerdictOf(a, 23).governed);
}

TEST(BootAppraisalTest, AGovernedPcrOutsideTheQuoteIsRefused) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference reference = Propose(log.parsed, "boot", {4, 7});
  BootAppraisal a = AppraiseBootLog(log.parsed, {kClass, {reference}}, {0, 7});
  ASSERT_EQ(a.refusals.size(), 1u) << Joined(a);
  EXPECT_EQ(a.refusals[0], "platform class gce-ubuntu-2104 governs PCR 4, which the quote does not cover");
}

TEST(BootAppraisalTest, ARequiredEventTheLogLacksIsRefused) {
  FixtureEventLog log = LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  BootReference reference = Propose(log.parsed, "boot", {4});
  reference.rules.push_back({4, 0x80000004, "", "", {Bytes(32, 1)}, true});  // a boot services driver
  BootAppraisal a = AppraiseBootLog(log.parsed, {kClass, {reference}}, kAllPcrs);
  ASSERT_EQ(a.refusals.size(), 1u) << Joined(a);
  EXPECT_EQ(a.refusals[0],
            "platform class gce-ubuntu-2104 requires a PCR 4 EV_EFI_BOOT_SERVICES_DRIVER event (fragment boot); "
            "the log has none");
}

TEST(BootAppraisalTest, AClassWithNothingOnTheLedgerRefuses) {
  FixtureEventLog log = LoadFixtureEventLog("event-arch-linux.bin");
  BootAppraisal a = AppraiseBootLog(log.parsed, {kClass, {}}, kAllPcrs);
  ASSERT_FALSE(a.accepted());
  EXPECT_EQ(a.refusals[0], "platform class gce-ubuntu-2104 has no reference values on the ledger");
}

TEST(BootAppraisalTest, AProposalNamesWhatItCannotDo) {
  FixtureEventLog log = LoadFixtureEventLog("event-arch-linux.bin");
  auto no_events = ProposeBootReference(log.parsed, kClass, "x", {16});
  ASSERT_FALSE(no_events.ok());
  EXPECT_EQ(no_events.error().message(), "the event log extends no PCR 16");
  EXPECT_FALSE(ProposeBootReference(log.parsed, "Bad Class", "x", {}).ok());
  EXPECT_FALSE(ProposeBootReference(log.parsed, kClass, "x", {4, 4}).ok());
  FixtureEventLog sha1 = LoadFixtureEventLog("event-uefi-sha1-log.bin");
  auto no_sha256 = ProposeBootReference(sha1.parsed, kClass, "x", {});
  ASSERT_FALSE(no_sha256.ok());
  EXPECT_EQ(no_sha256.error().code(), Code::kMalformed);
}

}  // namespace
}  // namespace vouch
