// The event data of an EFI variable measurement (TCG PC Client PFP
// UEFI_VARIABLE_DATA): VariableName (EFI_GUID), UnicodeNameLength (u64,
// in UTF-16 code units), VariableDataLength (u64), UnicodeName (UTF-16LE),
// VariableData — all little-endian.
#ifndef VOUCH_MEASURE_EFI_VARIABLE_H_
#define VOUCH_MEASURE_EFI_VARIABLE_H_

#include <optional>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch {

struct EfiVariable {
  std::string vendor;  // the GUID, lowercase 8-4-4-4-12 as UEFI prints it
  std::string name;    // printable ASCII ("SecureBoot", "db")
  ByteView data;       // within the event data it was read from: valid while that is
};

// The variable `event_data` holds; nullopt when it is not exactly one
// UEFI_VARIABLE_DATA or its name is not 1..128 printable ASCII characters
// (every variable the PC Client profile measures has such a name). Builds
// no message: most events of a log are not variables.
std::optional<EfiVariable> ReadEfiVariable(ByteView event_data);

// As ReadEfiVariable, with kMalformed saying what was expected.
Result<EfiVariable> ParseEfiVariable(ByteView event_data);

// `data` views the event data: a temporary would leave it dangling.
std::optional<EfiVariable> ReadEfiVariable(const Bytes&& event_data) = delete;
Result<EfiVariable> ParseEfiVariable(const Bytes&& event_data) = delete;

}  // namespace vouch

#endif  // VOUCH_MEASURE_EFI_VARIABLE_H_
