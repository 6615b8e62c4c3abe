// An owner's proof that it owns a launch (DESIGN §6 "Owners"). Owners are
// not registered on the ledger, so when an owner revokes its own domain's
// launch credential the entry carries the two signed documents that tie the
// owner to it: the launch VC (signed by the host: this host launched this
// domain as this credential under the policy with this digest) and the owner
// policy (signed by the owner, with that digest). Neither can be forged by
// someone else: another key's policy has another digest, and only the host
// signs its VCs.
//
// Encoding: CBOR [launch VC COSE_Sign1 (bstr), owner policy COSE_Sign1 (bstr)];
// the launch VC may carry its countersignatures (they are not checked).
#ifndef VOUCH_LEDGER_OWNER_PROOF_H_
#define VOUCH_LEDGER_OWNER_PROOF_H_

#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::ledger {

// What a verified proof shows.
struct LaunchOwnership {
  std::string owner;   // did:key that signed the policy
  std::string host;    // did:key that signed the launch VC
  std::string domain;  // the launch's domain UUID
  std::string launch;  // "cti:<hex>" of the launch VC
};

Bytes EncodeOwnerProof(ByteView launch_vc, ByteView policy);

// Parses `proof`, verifies both signatures and that the launch VC is a
// "launch" VC whose policy digest is the policy's. kMalformed for the shape,
// kBadSignature for a signature, kInvalidArgument for a policy that is not
// the launch's; each message says which.
Result<LaunchOwnership> VerifyOwnerProof(ByteView proof);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_OWNER_PROOF_H_
