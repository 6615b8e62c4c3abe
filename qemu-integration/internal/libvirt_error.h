// libvirt's errors as vouch Errors (internal to qemu-integration): one rule
// for every file that calls the libvirt C API, so each reports the same code
// for the same libvirt error and none lets libvirt print to stderr.
#ifndef VOUCH_QEMU_INTERNAL_LIBVIRT_ERROR_H_
#define VOUCH_QEMU_INTERNAL_LIBVIRT_ERROR_H_

#include <string_view>

#include "vouch/core/errors.h"

namespace vouch::qemu::internal {

// Installs a no-op libvirt error handler for the whole process (once), so
// libvirt never prints to stderr: the hook's stderr is the single line
// virsh shows. Call before the first libvirt call that can fail.
void QuietLibvirtErrors();

// The calling thread's libvirt error as "`what`: <message>" with the code
// libvirt.h documents (kNotFound, kTimeout, kUnavailable, kInvalidArgument,
// else kInternal); resets it.
Error LastLibvirtError(std::string_view what);

}  // namespace vouch::qemu::internal

#endif  // VOUCH_QEMU_INTERNAL_LIBVIRT_ERROR_H_
