// "vouch.cose" (DESIGN §3 "JSON forms (W3C)", vc+cose): a signer's Ed25519
// signature on the application/vc+cose form of a host VC, carried in the
// unprotected header of the COSE object the same signer signed — the host
// VC for the host (the signature of its vc+cose COSE_Sign1), its
// countersignature for a validator (the signature of its RFC 9338
// countersignature on that COSE_Sign1):
//
//   "vouch.cose": bstr (64 bytes)
//
// Everything else of the vc+cose objects follows from the VC and the CBOR
// countersignature (w3c/cose_credential.h): the payload is the JCS of the
// VC's rendering, the headers are fixed or the CBOR countersignature's. Being
// unprotected, the label changes no COSE signature, and objects without it
// keep their bytes.
#ifndef VOUCH_CORE_CARRIED_COSE_H_
#define VOUCH_CORE_CARRIED_COSE_H_

#include <optional>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/errors.h"

namespace vouch {

inline constexpr std::string_view kCarriedCoseLabel = "vouch.cose";
// An Ed25519 signature, the only kind vouch's signers make.
inline constexpr size_t kCarriedCoseSignatureSize = 64;

// Reads the value of "vouch.cose" from `unprotected` (a COSE header map):
// nullopt if the label is absent. kMalformed, naming `object`, if its value
// is not a byte string of kCarriedCoseSignatureSize bytes. The signature is
// not verified here.
Result<std::optional<Bytes>> CarriedCoseSignatureIn(const cbor::Value& unprotected, std::string_view object);

}  // namespace vouch

#endif  // VOUCH_CORE_CARRIED_COSE_H_
