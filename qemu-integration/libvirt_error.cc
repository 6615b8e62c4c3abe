#include "internal/libvirt_error.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>

#include "internal/text.h"

namespace vouch::qemu::internal {
namespace {

void IgnoreLibvirtError(void*, virErrorPtr) {}

Code CodeFor(int vir_code) {
  switch (vir_code) {
    case VIR_ERR_NO_SECRET:
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_DOMAIN_METADATA:
      return Code::kNotFound;
    case VIR_ERR_OPERATION_TIMEOUT:
      return Code::kTimeout;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
    case VIR_ERR_INVALID_CONN:
      return Code::kUnavailable;
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_INVALID_ARG:
    case VIR_ERR_INVALID_SECRET:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_OPERATION_INVALID:
    case VIR_ERR_OPERATION_DENIED:
    case VIR_ERR_OPERATION_UNSUPPORTED:
      return Code::kInvalidArgument;
    default:
      return Code::kInternal;
  }
}

}  // namespace

void QuietLibvirtErrors() {
  static std::once_flag quiet;
  std::call_once(quiet, [] { virSetErrorFunc(nullptr, &IgnoreLibvirtError); });
}

Error LastLibvirtError(std::string_view what) {
  virErrorPtr e = virGetLastError();
  if (e == nullptr) return Error(Code::kInternal, StrCat(what, ": libvirt reported no error"));
  Error err(CodeFor(e->code), StrCat(what, ": ", e->message != nullptr ? OneLine(e->message)
                                                                      : "unknown libvirt error"));
  virResetLastError();
  return err;
}

}  // namespace vouch::qemu::internal
