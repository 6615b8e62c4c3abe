#include "vouch/core/boot_reference.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"

namespace vouch {
namespace {

using cbor::Value;

constexpr const char* kEfiGlobal = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

Bytes Filled(uint8_t b) { return Bytes(32, b); }

BootReference Sample() {
  BootReference r;
  r.platform_class = "debian12-ovmf-2022.11";
  r.name = "kernel-6.1.0-28";
  r.pcrs = {4, 7};
  r.rules.push_back({4, 0x80000003, "", "", {Filled(1), Filled(2)}, true});
  r.rules.push_back({7, 0x80000001, kEfiGlobal, "SecureBoot", {Filled(3)}, true});
  r.rules.push_back({7, 0x00000004, "", "", {Filled(4)}, false});
  return r;
}

Result<BootReference> RoundTrip(const BootReference& r) {
  VOUCH_RETURN_IF_ERROR(CheckBootReference(r));
  auto decoded = cbor::Decode(cbor::Encode(BootReferenceToCbor(r)));
  if (!decoded.ok()) return decoded.error();
  return BootReferenceFromCbor(*decoded);
}

// The encoded map with `key` of the first rule set to `v` (or removed).
Value WithRuleField(const BootReference& r, const char* key, std::optional<Value> v) {
  Value m = BootReferenceToCbor(r);
  Value rules = *m.Find("rules");
  Value rule = rules.array()[0];
  cbor::MapEntries kept;
  for (const auto& [k, e] : rule.map()) {
    if (!(k == Value(key))) kept.emplace_back(k, e);
  }
  if (v) kept.emplace_back(key, *v);
  rules.mutable_array()[0] = Value::Map(std::move(kept));
  m.Set("rules", rules);
  return m;
}

TEST(BootReferenceTest, RoundTripsThroughDeterministicCbor) {
  auto back = RoundTrip(Sample());
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, Sample());
}

TEST(BootReferenceTest, AWithdrawnFragmentHasNoRules) {
  BootReference w{"debian12-ovmf-2022.11", "kernel-6.1.0-26", {}, {}, true};
  auto back = RoundTrip(w);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(back->withdrawn);

  w.pcrs = {4};
  Status refused = CheckBootReference(w);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("withdrawn fragment has no pcrs"), std::string::npos);
}

TEST(BootReferenceTest, WhatCannotBeReadBackIsNotWritten) {
  struct Case {
    const char* what;
    void (*mutate)(BootReference&);
    const char* says;
  };
  const Case cases[] = {
      {"bad class", [](BootReference& r) { r.platform_class = "Debian 12"; }, "platform class 'Debian 12'"},
      {"empty name", [](BootReference& r) { r.name = ""; }, "fragment name ''"},
      {"rule off its PCRs", [](BootReference& r) { r.pcrs = {4}; }, "rule PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot is on a PCR"},
      {"unsorted PCRs", [](BootReference& r) { r.pcrs = {7, 4}; }, "ascending and distinct"},
      {"PCR 24", [](BootReference& r) { r.pcrs = {4, 7, 24}; }, "PCR 24 is not 0..23"},
      {"twice a value", [](BootReference& r) { r.rules[0].sha256 = {Filled(1), Filled(1)}; }, "twice"},
      {"short value", [](BootReference& r) { r.rules[0].sha256 = {Bytes(20, 1)}; }, "not 32 bytes"},
      {"no values", [](BootReference& r) { r.rules[0].sha256.clear(); }, "must allow 1.."},
      {"same kind twice", [](BootReference& r) { r.rules.push_back(r.rules[0]); r.rules.back().sha256 = {Filled(9)}; },
       "two rules for PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION"},
      {"GUID case", [](BootReference& r) { r.rules[1].vendor = "8BE4DF61-93CA-11D2-AA0D-00E098032B8C"; }, "lowercase GUID"},
      {"vendor alone", [](BootReference& r) { r.rules[1].variable.clear(); }, "go together"},
      {"no rules", [](BootReference& r) { r.rules.clear(); }, "at least one rule"},
  };
  for (const Case& c : cases) {
    BootReference r = Sample();
    c.mutate(r);
    Status encoded = CheckBootReference(r);
    ASSERT_FALSE(encoded.ok()) << c.what;
    EXPECT_EQ(encoded.error().code(), Code::kInvalidArgument) << c.what;
    EXPECT_NE(encoded.error().message().find(c.says), std::string::npos) << c.what << ": " << encoded.error().message();
  }
}

TEST(BootReferenceTest, DecodingIsStrict) {
  BootReference r = Sample();
  struct Case {
    const char* what;
    Value map;
    const char* says;
  };
  Value unknown = BootReferenceToCbor(r);
  unknown.Set("note", "hi");
  Value not_withdrawn = BootReferenceToCbor(r);
  not_withdrawn.Set("withdrawn", false);
  Value no_pcrs = BootReferenceToCbor(r);
  no_pcrs.Set("pcrs", Value(cbor::Array{}));
  const Case cases[] = {
      {"unknown field", unknown, "unknown field \"note\""},
      {"withdrawn false", not_withdrawn, "'withdrawn' is written only when true"},
      {"required false", WithRuleField(r, "required", Value(false)), "'required' is written only when true"},
      {"rule field unknown", WithRuleField(r, "digest", Value(Filled(1))), "unknown field \"digest\""},
      {"type missing", WithRuleField(r, "type", std::nullopt), "'type' is missing"},
      {"type too wide", WithRuleField(r, "type", Value(uint64_t{1} << 32)), "'type' must fit 32 bits"},
      {"values not bytes", WithRuleField(r, "sha256", Value(cbor::Array{Value("x")})), "must hold byte strings"},
      {"no pcrs", no_pcrs, "at least one PCR"},
      {"not a map", Value("x"), "not a CBOR map"},
  };
  for (const Case& c : cases) {
    auto decoded = BootReferenceFromCbor(c.map);
    ASSERT_FALSE(decoded.ok()) << c.what;
    EXPECT_EQ(decoded.error().code(), Code::kMalformed) << c.what;
    EXPECT_NE(decoded.error().message().find(c.says), std::string::npos) << c.what << ": " << decoded.error().message();
  }
}

TEST(BootReferenceTest, EventTypeNamesRoundTrip) {
  for (uint32_t type : {0x00000004u, 0x0000000du, 0x80000003u, 0x800000e0u}) {
    auto back = EventTypeFromName(EventTypeName(type));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, type);
  }
  EXPECT_EQ(EventTypeName(0x80000001), "EV_EFI_VARIABLE_DRIVER_CONFIG");
  EXPECT_EQ(EventTypeName(0x12345678), "0x12345678");
  EXPECT_EQ(*EventTypeFromName("0x12345678"), 0x12345678u);
  EXPECT_FALSE(EventTypeFromName("EV_NOPE").ok());
  EXPECT_FALSE(EventTypeFromName("0x123456789").ok());
  EXPECT_FALSE(EventTypeFromName("0x").ok());
}

TEST(BootReferenceTest, RuleKindsNameWhatTheyAreAbout) {
  EXPECT_EQ(BootRuleKind(Sample().rules[0]), "PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION");
  EXPECT_EQ(BootRuleKind(Sample().rules[1]), "PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot");
}

}  // namespace
}  // namespace vouch
