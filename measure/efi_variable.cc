#include "vouch/measure/efi_variable.h"

#include <cstdint>
#include <cstdio>
#include <optional>

namespace vouch {
namespace {

uint64_t Le(ByteView b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

// EFI_GUID {u32, u16, u16, u8[8]}: the first three fields little-endian.
std::string GuidText(ByteView g) {
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                static_cast<unsigned>(Le(g, 0, 4)), static_cast<unsigned>(Le(g, 4, 2)),
                static_cast<unsigned>(Le(g, 6, 2)), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
  return buf;
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
  ByteView data = event_data.subspan(kHeader + 2 * name_units);
  var.data.assign(data.begin(), data.end());
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
