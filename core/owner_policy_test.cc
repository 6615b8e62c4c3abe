#include "vouch/core/owner_policy.h"

#include <gtest/gtest.h>

#include "vouch/core/hpke.h"
#include "vouch/core/random.h"
#include "vouch/core/shamir.h"

namespace vouch {
namespace {

OwnerPolicy SamplePolicy(size_t n = 5, uint32_t t = 3) {
  OwnerPolicy p;
  p.domain_uuid = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  p.threshold = t;
  for (size_t i = 0; i < n; ++i) {
    p.validators.push_back({DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did(),
                            X25519PrivateKey::Generate().public_key(),
                            StrCat("http://127.0.0.1:", 7400 + i)});
    p.commit.push_back(RandomBytes(32));
  }
  p.pcrs = {0, 1, 7};
  p.reference_boot = {RandomBytes(32)};
  p.reference_pcrs[7] = {RandomBytes(32), RandomBytes(32)};
  p.hv_min = {{"libvirt", "9.0.0"}, {"qemu", "7.2"}};
  p.rt.memory_kib_max = 524288;
  p.rt.vcpus_max = 2;
  p.rt.nets_allowed = {"default"};
  p.rt.devices_allowed = std::vector<std::string>{"tpm"};
  p.rt.disks_allowed = std::vector<std::string>{"disk:vda:luks:/var/lib/vouch/web1.luks"};
  PolicyBoot boot;
  boot.kernel = "/boot/vmlinuz";
  boot.cmdline = "console=ttyS0";
  p.rt.boot_allowed = std::vector<PolicyBoot>{boot};
  p.rt.emulators_allowed = std::vector<std::string>{"/usr/bin/qemu-system-x86_64"};
  p.rt.qemu_args = {"-s", "-S"};
  p.rt.qemu_passthrough = {"env:A=b"};
  p.hosts = std::vector<std::string>{DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did()};
  p.kcv = RandomBytes(32);
  p.grace = 3;
  GuestPolicy guest;
  guest.pcrs = {0, 9};
  guest.reference[9] = {RandomBytes(32)};
  guest.boot_s = 120;
  guest.action = "exec:/sbin/vouch-guest-action";
  p.guest = guest;
  return p;
}

TEST(OwnerPolicy, SignedPolicyParsesBackAndNamesItsOwner) {
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate();
  OwnerPolicy p = SamplePolicy();
  auto signed_policy = SignedPolicy::Sign(p, owner);
  ASSERT_TRUE(signed_policy.ok()) << signed_policy.error().ToString();
  auto back = SignedPolicy::Parse(signed_policy->encoded());
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->policy(), p);
  EXPECT_EQ(back->owner_did(), DidKey::FromPublicKey(owner.public_key()).did());
  EXPECT_EQ(back->digest(), PolicyDigest::Of(signed_policy->encoded()));
  EXPECT_EQ(back->IndexOf(p.validators[3].did), 3u);
  EXPECT_FALSE(back->IndexOf("did:key:z6MkNotThere").has_value());
}

TEST(OwnerPolicy, AnyHostsAndNoDeviceListRoundTrip) {
  OwnerPolicy p = SamplePolicy(3, 2);
  p.hosts.reset();
  p.rt.devices_allowed.reset();
  auto back = OwnerPolicyFromCbor(OwnerPolicyToCbor(p));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, p);
}

TEST(OwnerPolicy, PolicyWithoutLeaseOrGuestRoundTripsAndEncodesNeither) {
  OwnerPolicy p = SamplePolicy(3, 2);
  p.grace.reset();
  p.guest.reset();
  cbor::Value encoded = OwnerPolicyToCbor(p);
  EXPECT_EQ(encoded.Find("grace"), nullptr);
  EXPECT_EQ(encoded.Find("guest"), nullptr);
  auto back = OwnerPolicyFromCbor(encoded);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, p);
}

TEST(OwnerPolicy, PlatformClassesRoundTripAndAreAbsentWhenNone) {
  OwnerPolicy p = SamplePolicy(3, 2);
  EXPECT_EQ(OwnerPolicyToCbor(p).Find("platforms"), nullptr);
  p.platforms = {"debian12-ovmf", "gce-ubuntu-2104"};
  auto back = OwnerPolicyFromCbor(OwnerPolicyToCbor(p));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->platforms, p.platforms);
}

TEST(OwnerPolicy, PlatformClassesAreReadStrictly) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"Debian 12"}, "platform class 'Debian 12' must be 1..64"},
      {{"a", "a"}, "platform class 'a' is named twice"},
      {std::vector<std::string>(17, "x"), "more than 16 platform classes"},
  };
  for (const auto& [platforms, says] : cases) {
    OwnerPolicy p = SamplePolicy(3, 2);
    p.platforms = platforms;
    auto back = OwnerPolicyFromCbor(OwnerPolicyToCbor(p));
    ASSERT_FALSE(back.ok()) << says;
    EXPECT_NE(back.error().message().find(says), std::string::npos) << back.error().message();
  }
  cbor::Value empty = OwnerPolicyToCbor(SamplePolicy(3, 2));
  empty.Set("platforms", cbor::Value(cbor::Array{}));
  auto back = OwnerPolicyFromCbor(empty);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message().find("'platforms' is written only when it names a class"), std::string::npos);
}

TEST(OwnerPolicy, GuestSectionIsReadStrictly) {
  cbor::MapEntries guest = {{"pcrs", cbor::Value(cbor::Array{cbor::Value(uint64_t{9})})},
                            {"reference", cbor::Value::Map({})},
                            {"boot_s", uint64_t{60}},
                            {"action", "none"},
                            {"extra", uint64_t{1}}};
  OwnerPolicy p = SamplePolicy(3, 2);
  cbor::MapEntries m = OwnerPolicyToCbor(p).map();
  for (auto& [k, v] : m) {
    if (k.is_text() && k.text() == "guest") v = cbor::Value::Map(guest);
  }
  auto back = OwnerPolicyFromCbor(cbor::Value::Map(m));
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message().find("extra"), std::string::npos) << back.error().message();
}

TEST(OwnerPolicy, TamperedPolicyIsRefused) {
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate();
  Bytes encoded = SignedPolicy::Sign(SamplePolicy(), owner)->encoded();
  for (size_t i = 0; i < encoded.size(); i += 7) {
    Bytes t = encoded;
    t[i] ^= 0x10;
    EXPECT_FALSE(SignedPolicy::Parse(t).ok()) << "byte " << i;
  }
}

TEST(OwnerPolicy, SignRefusesInconsistentPolicies) {
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate();
  struct Case {
    void (*mutate)(OwnerPolicy&);
    const char* expect;
  } cases[] = {
      {[](OwnerPolicy& p) { p.threshold = 6; }, "threshold t=6 must be between 2 and n=5"},
      {[](OwnerPolicy& p) { p.threshold = 1; }, "threshold t=1"},
      {[](OwnerPolicy& p) { p.commit.pop_back(); }, "4 share commitments for 5 validators"},
      {[](OwnerPolicy& p) { p.validators[4].did = p.validators[0].did; }, "is listed twice"},
      {[](OwnerPolicy& p) { p.validators[2].did = "did:web:example.com"; }, "validator 2"},
      {[](OwnerPolicy& p) { p.validators[1].hpke_public_key.pop_back(); }, "'hpke_pk' must be 32 bytes"},
      {[](OwnerPolicy& p) { p.on_drift = "reboot"; }, "on_drift must be pause, destroy or alert"},
      {[](OwnerPolicy& p) { p.hv_min["bios"] = "1"; }, "unknown component 'bios'"},
      {[](OwnerPolicy& p) { p.kcv.resize(16); }, "'kcv' must be 32 bytes"},
      {[](OwnerPolicy& p) { p.grace = 0; }, "'grace' must be 1..100"},
      {[](OwnerPolicy& p) { p.grace.reset(); }, "a 'guest' section needs 'grace'"},
      {[](OwnerPolicy& p) { p.guest->pcrs.clear(); }, "guest.pcrs must name at least one PCR"},
      {[](OwnerPolicy& p) { p.guest->pcrs = {9, 9}; }, "guest.pcrs lists PCR 9 twice"},
      {[](OwnerPolicy& p) { p.guest->pcrs = {24}; }, "'pcrs' must hold PCR indexes 0..23"},
      {[](OwnerPolicy& p) { p.guest->reference[4] = {RandomBytes(32)}; }, "pins PCR 4, which guest.pcrs"},
      {[](OwnerPolicy& p) { p.guest->reference[9] = {RandomBytes(31)}; }, "'reference/9' must hold 32-byte"},
      {[](OwnerPolicy& p) { p.guest->boot_s = 0; }, "guest.boot_s must be 1..3600"},
      {[](OwnerPolicy& p) { p.guest->action = "explode"; }, "guest.action must be poweroff, reboot, none"},
      {[](OwnerPolicy& p) { p.guest->action = "exec:relative"; }, "got 'exec:relative'"},
  };
  for (const auto& c : cases) {
    OwnerPolicy p = SamplePolicy();
    c.mutate(p);
    auto s = SignedPolicy::Sign(p, owner);
    ASSERT_FALSE(s.ok()) << c.expect;
    EXPECT_NE(s.error().message().find(c.expect), std::string::npos) << s.error().message();
  }
}

TEST(OwnerPolicy, CommitmentsAndKeyCheckValueBindSharesAndKey) {
  SecretBytes key = RandomSecret(32);
  auto shares = ShamirSplit(key, 2, 3).value();
  Bytes c1 = ShareCommitment(shares[0]);
  Bytes expected = ToBytes(Sha256(Concat({Bytes{1}, shares[0].Expose()})));
  EXPECT_EQ(c1, expected);
  EXPECT_NE(ShareCommitment(shares[1]), c1);
  EXPECT_EQ(KeyCheckValue(key), ToBytes(HmacSha256(key.Expose(), AsBytes("vouch kcv"))));
  EXPECT_NE(KeyCheckValue(RandomSecret(32)), KeyCheckValue(key));
}

TEST(ProtectionBundle, RoundTripsAndRefusesMalformed) {
  ProtectionBundle b{RandomBytes(300), {RandomBytes(86), RandomBytes(86), RandomBytes(86)}};
  auto back = DecodeBundle(EncodeBundle(b));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->policy, b.policy);
  EXPECT_EQ(back->sealed_shares, b.sealed_shares);
  auto one = DecodeBundle(EncodeBundle({b.policy, {b.sealed_shares[0]}}));
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().message().find("1 sealed shares"), std::string::npos);
  EXPECT_FALSE(DecodeBundle(AsBytes("not cbor at all")).ok());
}

TEST(ProtectionBundle, PolicyOfBundleIsTheVerifiedSignedPolicy) {
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate();
  OwnerPolicy p = SamplePolicy(3, 2);
  SignedPolicy signed_policy = SignedPolicy::Sign(p, owner).value();
  ProtectionBundle b{signed_policy.encoded(), {RandomBytes(86), RandomBytes(86), RandomBytes(86)}};
  auto policy = PolicyOfBundle(EncodeBundle(b));
  ASSERT_TRUE(policy.ok()) << policy.error().ToString();
  EXPECT_EQ(policy->policy(), p);
  b.policy.back() ^= 0x01;  // the owner's signature
  auto tampered = PolicyOfBundle(EncodeBundle(b));
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code(), Code::kBadSignature) << tampered.error().ToString();
  EXPECT_FALSE(PolicyOfBundle(AsBytes("not cbor at all")).ok());
}

// The launch-policy fields a policy sealed before them lacks: absent means
// "any" for the optional ones and "none" for QEMU pass-through.
TEST(RuntimeLimits, FieldsAbsentFromAnOlderPolicyReadAsAnyAndNone) {
  OwnerPolicy p = SamplePolicy();
  p.rt.disks_allowed.reset();
  p.rt.boot_allowed.reset();
  p.rt.emulators_allowed.reset();
  p.rt.qemu_args.clear();
  p.rt.qemu_passthrough.clear();
  cbor::Value encoded = OwnerPolicyToCbor(p);
  const cbor::Value* rt = encoded.Find("rt");
  ASSERT_NE(rt, nullptr);
  EXPECT_EQ(rt->map().size(), 4u);  // memory, vcpus, nets, devices: the original four
  auto back = OwnerPolicyFromCbor(encoded);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->rt, p.rt);
}

TEST(RuntimeLimits, BootEntriesAreReadStrictly) {
  cbor::Value encoded = OwnerPolicyToCbor(SamplePolicy());
  cbor::MapEntries rt = encoded.Find("rt")->map();
  for (auto& [k, v] : rt) {
    if (k.is_text() && k.text() == "boot_allowed") v = cbor::Value(cbor::Array{cbor::Value::Map({{"kernel", "/k"}})});
  }
  cbor::MapEntries top = encoded.map();
  for (auto& [k, v] : top) {
    if (k.is_text() && k.text() == "rt") v = cbor::Value::Map(rt);
  }
  auto back = OwnerPolicyFromCbor(cbor::Value::Map(top));
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message().find("'boot_allowed' 0: field 'firmware' is missing"), std::string::npos)
      << back.error().message();
}

TEST(Versions, CompareNumericallyPartByPart) {
  EXPECT_LT(CompareVersions("9.0.0", "9.10.0"), 0);
  EXPECT_GT(CompareVersions("10.0", "9.99.99"), 0);
  EXPECT_EQ(CompareVersions("7.2.0", "7.2.0"), 0);
  EXPECT_LT(CompareVersions("7.2", "7.2.1"), 0);
  EXPECT_GT(CompareVersions("6.1.0-56-amd64", "6.1.0"), 0);
  EXPECT_EQ(CompareVersions("007.2", "7.2"), 0);
}

}  // namespace
}  // namespace vouch
