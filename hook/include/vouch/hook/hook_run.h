// vouch-hook as libvirt calls it (DESIGN §2 "Start"; libvirt's hook
// contract): argv "NAME OP SUBOP EXTRA", the domain XML on stdin, exit 0 to
// go on, non-zero with one stderr line to abort a start.
//   prepare begin   a protected domain: release its key and define the
//                   libvirt secret; an unprotected one: exit 0 at once.
//   started begin   undefine the secrets defined at prepare.
//   release end     the same, in case the start failed after prepare.
#ifndef VOUCH_HOOK_HOOK_RUN_H_
#define VOUCH_HOOK_HOOK_RUN_H_

#include <string>
#include <string_view>

#include "vouch/core/errors.h"
#include "vouch/hook/hook_config.h"

namespace vouch::hook {

// Handles one invocation. `config_path` is read only when the domain is
// protected, so unprotected domains never depend on vouch's configuration.
// Returns the message for stderr on failure (already prefixed with the
// domain); Ok otherwise.
Status RunHook(const std::string& config_path, std::string_view domain_name, std::string_view op,
               std::string_view sub_op, std::string_view domain_xml);

}  // namespace vouch::hook

#endif  // VOUCH_HOOK_HOOK_RUN_H_
