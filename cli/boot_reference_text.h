// How `vouch reference` and `vouch ledger show --references` print a boot
// reference fragment (vouch/core/boot_reference.h): one line for the
// fragment, one per rule, or one JSON object.
#ifndef VOUCH_CLI_BOOT_REFERENCE_TEXT_H_
#define VOUCH_CLI_BOOT_REFERENCE_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "vouch/core/boot_reference.h"

namespace vouch::cli {

// "debian12-ovmf/kernel-6.1: PCRs 4,7; 5 rules" (or "… withdrawn").
std::string BootReferenceHeadline(const BootReference& reference);
// The headline, then per rule
// "  PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot (8be4…, required): data sha256 HEX[, HEX…]".
void PrintBootReference(const BootReference& reference);
// {"class", "name", "pcrs", "rules": [{"pcr", "type", "type_name", "vendor"?, "var"?,
//  "sha256": [hex], "required"}], "withdrawn"}
nlohmann::json BootReferenceJson(const BootReference& reference);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_BOOT_REFERENCE_TEXT_H_
