// vouch-hook as libvirt calls it (DESIGN §2 "Start"; libvirt's hook
// contract): argv "NAME OP SUBOP EXTRA", the domain XML on stdin, exit 0 to
// go on, non-zero with one stderr line to abort a start.
//   prepare begin   a domain whose disk names a secret vouch defined for
//                   another domain: refused. A protected domain: release
//                   its key and define the libvirt secret; an unprotected
//                   one: exit 0 at once.
//   started begin   undefine the secrets defined at prepare.
//   release end     the same, in case the start failed after prepare; and
//   stopped end     under a policy with a lease (`grace`), a stop notice
//                   to the validators (EndLaunchLeases).
//
// `vouch start DOMAIN` (no call-back into libvirt from a hook) runs the same
// release before asking libvirt to start the domain, and leaves a mark that
// the prepare hook takes as "already released" (DESIGN §5) only if the
// domain libvirt is starting has the config digest that was attested; a
// domain redefined in between is attested again.
#ifndef VOUCH_HOST_HOOK_RUN_H_
#define VOUCH_HOST_HOOK_RUN_H_

#include <string>
#include <string_view>

#include "vouch/core/errors.h"
#include "vouch/core/typed_digest.h"
#include "vouch/host/hook_config.h"

namespace vouch::host {

// Handles one invocation at `now` (unix seconds). `config_path` is read
// once; a file that is absent or does not parse matters only to a protected
// domain's release (unprotected domains never depend on vouch's
// configuration, and cleaning up after a stop runs on the defaults).
// Returns the message for stderr on failure (already prefixed with the
// domain); Ok otherwise.
Status RunHook(const std::string& config_path, std::string_view domain_name, std::string_view op,
               std::string_view sub_op, std::string_view domain_xml, int64_t now);

// How long a `vouch start` release mark is honoured by the prepare hook.
inline constexpr long long kFreshReleaseSeconds = 120;

// DESIGN §2 steps 2–7 for one domain at `now`: a protected domain's key
// released by the validators and defined as its disks' libvirt secrets
// (listed in the state dir for CleanupSecrets). `config` is hook.conf as
// read (LoadHookConfig; kNotFound if absent): a domain is protected by the
// bundle in its metadata or in bundle_dir (the defaults' if the file is
// absent), and then needs it. True if a key was released, false (having
// done nothing) for an unprotected domain. Errors as RunHook's.
Result<bool> ReleaseKey(const Result<HookConfig>& config, std::string_view domain_name,
                        std::string_view domain_xml, int64_t now);

// Marks domain `domain_uuid`'s key as released by the caller at `now` for
// the domain config with `digest` (in the state dir, 0600), so that its
// next prepare hook within kFreshReleaseSeconds, for XML with that digest,
// exits 0 without attesting again. kIo.
Status MarkFreshRelease(const HookConfig& config, std::string_view domain_uuid, const ConfigDigest& digest,
                        int64_t now);

// kConfig if a disk of `domain_xml` names a libvirt secret that vouch
// defined for another domain (listed in the state dir): its key was released
// for that domain's attested configuration, not for this one.
Status RefuseForeignSecrets(const HookConfig& config, std::string_view domain_name, std::string_view domain_xml);

// Undefines the secrets ReleaseKey defined for the domain of `domain_xml`
// and drops its release mark. Ok if there are none.
Status CleanupSecrets(const HookConfig& config, std::string_view domain_xml);

// For a domain released under a policy with `grace`: the host's signed stop
// notice to the policy's validators, so that they end their leases of its
// launch instead of reporting it as missed (lease_end.h). Once per launch
// (the mark ReleaseKey left in the state dir is consumed); Ok if there is
// none. An error names the validators that did not end theirs; the audit
// dir's stops.log gets one line either way. `now` dates the notice.
Status EndLaunchLeases(const HookConfig& config, std::string_view domain_name, std::string_view domain_xml,
                       int64_t now);

}  // namespace vouch::host

#endif  // VOUCH_HOST_HOOK_RUN_H_
