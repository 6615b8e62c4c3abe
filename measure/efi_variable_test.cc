#include "vouch/measure/efi_variable.h"

#include <gtest/gtest.h>

#include "measure/testing/fixture_event_log.h"

namespace vouch {
namespace {

// UEFI_VARIABLE_DATA for EFI_GLOBAL_VARIABLE `name` holding `data`.
Bytes VariableData(const std::string& name, const Bytes& data, uint64_t name_units_override = 0) {
  const uint8_t guid[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
                            0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c};
  Bytes out(guid, guid + 16);
  auto put = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  put(name_units_override != 0 ? name_units_override : name.size());
  put(data.size());
  for (char c : name) {
    out.push_back(static_cast<uint8_t>(c));
    out.push_back(0);
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

TEST(EfiVariableTest, ReadsTheSecureBootStateOfARealLog) {
  testing::FixtureEventLog log = testing::LoadFixtureEventLog("event-gce-ubuntu-2104-log.bin");
  const LoggedEvent& e = log.parsed.events.at(2);  // event 3: PCR 7, the first variable
  ASSERT_EQ(e.number, 3u);
  auto var = ParseEfiVariable(e.data);
  ASSERT_TRUE(var.ok()) << var.error().ToString();
  EXPECT_EQ(var->vendor, "8be4df61-93ca-11d2-aa0d-00e098032b8c");  // EFI_GLOBAL_VARIABLE
  EXPECT_EQ(var->name, "SecureBoot");
  EXPECT_EQ(var->data.size(), 1u);
}

TEST(EfiVariableTest, ReadsWhatItWasGiven) {
  Bytes event_data = VariableData("db", Bytes{1, 2, 3});
  auto var = ParseEfiVariable(event_data);
  ASSERT_TRUE(var.ok()) << var.error().ToString();
  EXPECT_EQ(var->name, "db");
  EXPECT_EQ(Bytes(var->data.begin(), var->data.end()), (Bytes{1, 2, 3}));
}

TEST(EfiVariableTest, RefusesWhatDoesNotAddUp) {
  Bytes good = VariableData("SecureBoot", Bytes{1});
  Bytes longer = good;
  longer.push_back(0);
  Bytes wide = VariableData("SecureBoot", Bytes{1});
  wide[32 + 1] = 0x01;  // the 'S' becomes U+0153
  const std::pair<const char*, Bytes> cases[] = {
      {"short header", Bytes(31, 0)},
      {"trailing byte", longer},
      {"cut data", Bytes(good.begin(), good.end() - 1)},
      {"no name", VariableData("", Bytes{1})},
      {"name too long", VariableData("SecureBoot", Bytes{1}, 129)},
      {"huge name length", VariableData("SecureBoot", Bytes{1}, uint64_t{1} << 62)},
      {"not ASCII", wide},
  };
  for (const auto& [what, bytes] : cases) {
    auto var = ParseEfiVariable(bytes);
    ASSERT_FALSE(var.ok()) << what;
    EXPECT_EQ(var.error().code(), Code::kMalformed) << what;
  }
}

}  // namespace
}  // namespace vouch
