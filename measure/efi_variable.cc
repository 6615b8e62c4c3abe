#include "vouch/measure/efi_variable.h"

#include <cstdint>
#include <optional>

namespace vouch {
namespace {

uint64_t Le(ByteView b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

// EFI_GUID {u32, u16, u16, u8[8]}: the first three fields little-endian.
// By hand rather than snprintf: it runs for every variable event appraised.
std::string GuidText(ByteView g) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    uint8_t b = g[kOrder[i]];
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

}  // namespace

std::optional<EfiVariable> ReadEfiVariable(ByteView event_data) {
  constexpr size_t kHeader = 16 + 8 + 8;
  if (event_data.size() < kHeader) return std::nullopt;
  uint64_t name_units = Le(event_data, 16, 8);
  uint64_t data_size = Le(event_data, 24, 8);
  if (name_units == 0 || name_units > 128) return std::nullopt;
  if (data_size > event_data.size() || kHeader + 2 * name_units + data_size != event_data.size()) {
    return std::nullopt;
  }
  EfiVariable var;
  for (uint64_t i = 0; i < name_units; ++i) {
    uint64_t unit = Le(event_data, kHeader + 2 * i, 2);
    if (unit < 0x20 || unit >= 0x7f) return std::nullopt;
    var.name.push_back(static_cast<char>(unit));
  }
  var.vendor = GuidText(event_data.subspan(0, 16));
  var.data = event_data.subspan(kHeader + 2 * name_units);
  return var;
}

Result<EfiVariable> ParseEfiVariable(ByteView event_data) {
  std::optional<EfiVariable> var = ReadEfiVariable(event_data);
  if (!var) {
    return Error(Code::kMalformed,
                 StrCat("EFI variable event: ", event_data.size(),
                        " bytes that are not one UEFI_VARIABLE_DATA with a 1..128-character printable ASCII name"));
  }
  return std::move(*var);
}

}  // namespace vouch
