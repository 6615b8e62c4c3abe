// A host's signed notice that a protected domain stopped (DESIGN §4
// "Leases"), so that the validators holding a lease of its launch end it
// instead of reporting a missed deadline:
//
//   {"did": tstr, "launch": bstr .size 16, "at": int, "sig": bstr .size 64}
//
// `launch` is the cti of the domain's launch VC, `at` the host's clock
// (seconds) when the domain stopped, `sig` Ed25519 by the did:key over the
// deterministic CBOR of ["vouch-stop-v1", did, launch, at]. Only the host
// that holds a launch can end its lease; a host that lies about a stop only
// escapes the validators' deadline report: the guest's shim still runs its
// action past the grace (DESIGN §5 "Guest shim").
//
// Value type; functions are thread-safe.
#ifndef VOUCH_CORE_STOP_NOTICE_H_
#define VOUCH_CORE_STOP_NOTICE_H_

#include <cstdint>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch {

struct StopNotice {
  std::string did;  // the host
  Bytes launch;     // the launch VC's cti
  int64_t at = 0;
  Bytes signature;
};

// The notice of `host_key`'s DID that the domain launched as `launch` stopped at `at`, signed.
StopNotice SignStopNotice(const Ed25519PrivateKey& host_key, ByteView launch, int64_t at);

Bytes EncodeStopNotice(const StopNotice& notice);

// Parses a body: exactly its keys, a did:key, a 16-byte launch, a 64-byte
// signature. kMalformed naming what is wrong. Does not check the signature.
Result<StopNotice> DecodeStopNotice(ByteView body);

// Ok if `notice.signature` is its DID key's; kBadSignature otherwise.
Status VerifyStopNotice(const StopNotice& notice);

}  // namespace vouch

#endif  // VOUCH_CORE_STOP_NOTICE_H_
