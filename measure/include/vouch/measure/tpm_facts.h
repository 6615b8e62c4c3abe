// What a TPM says about itself (TPM2_GetCapability, TPM_PROPERTIES), for the
// "vouch.tpm" claim of a host VC (DESIGN §3).
#ifndef VOUCH_MEASURE_TPM_FACTS_H_
#define VOUCH_MEASURE_TPM_FACTS_H_

#include <cstdint>
#include <string>

namespace vouch {

struct TpmFacts {
  // TPM_PT_MANUFACTURER as text: its 4 bytes in order with NULs and spaces
  // trimmed ("IBM" for swtpm, "INTC", "IFX", "STM", "NTC" …).
  std::string manufacturer;
  // TPM_PT_FIRMWARE_VERSION_1 << 32 | TPM_PT_FIRMWARE_VERSION_2: the same
  // number a quote carries in TPMS_ATTEST.firmwareVersion.
  uint64_t firmware_version = 0;
  // FormatTpmFirmwareVersion(firmware_version): the "fw" string of the claim.
  std::string firmware;
};

// Returns the manufacturer text of a TPM_PT_MANUFACTURER value (big-endian
// characters, NULs and spaces trimmed at both ends; other non-printable
// bytes become '?').
std::string FormatTpmManufacturer(uint32_t value);

// Returns the firmware version as four dotted 16-bit numbers, most significant
// first ("8217.4131.22.13878" for swtpm 0.7), the layout TPM vendors use for
// major.minor.revision.build. Validators compare it with VerifiedQuote's
// firmware_version through this same function.
std::string FormatTpmFirmwareVersion(uint64_t value);

}  // namespace vouch

#endif  // VOUCH_MEASURE_TPM_FACTS_H_
