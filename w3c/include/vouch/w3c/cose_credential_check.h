// Verifying an application/vc+cose credential (`vouch vc verify`, DESIGN §3
// "JSON forms (W3C)"): one vouch exported (w3c/cose_credential.h), or one
// any issuer with a did:key made, countersigned or not.
#ifndef VOUCH_W3C_COSE_CREDENTIAL_CHECK_H_
#define VOUCH_W3C_COSE_CREDENTIAL_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::w3c {

// One COSE signature's verification.
struct CoseSignatureCheck {
  std::string signer;  // the DID it is checked against; "" if its kid is unreadable
  // Ok, kMalformed (a countersignature whose protected kid (4) is not a
  // did:key, as bstr or tstr) or kBadSignature (it does not verify).
  Status status;
};

struct CoseCredentialCheck {
  std::string id;                       // the credential's id, "" if none
  std::string issuer;                   // its issuer's id (a did:key)
  std::string valid_from, valid_until;  // as written; "" if absent
  CoseSignatureCheck signature;         // the COSE_Sign1's, by the issuer
  std::vector<CoseSignatureCheck> countersignatures;  // label 11, in order
  nlohmann::json credential;            // the payload, parsed (for credentialStatus checks)
  // For a VouchHostCredential: the host VC embedded as evidence, verified,
  // whose rendering the payload equals.
  std::optional<HostVc> host_vc;
  // Ok if everything below holds, else the first failure:
  //  1. the COSE_Sign1 verifies with the issuer's key (kBadSignature);
  //  2. every countersignature verifies on its own over the COSE_Sign1
  //     (RFC 9338 version 2) with the key of the did:key in its kid;
  //  3. a VouchHostCredential's payload is the JCS (RFC 8785) of its JSON,
  //     embeds its bare host VC as evidence, the evidence's sha256 matches
  //     it, its signature verifies and its rendering equals the JSON
  //     (kMalformed naming the first member that differs, kBadSignature for
  //     the VC's signature);
  //  4. validFrom <= now <= validUntil where present (kInvalidArgument
  //     naming the bound and both times).
  Status status;
};

// Checks the encoded vc+cose `encoded` at `now` (seconds). Returns
// kMalformed, naming what is wrong, if it is not one: not a tagged,
// deterministically encoded COSE_Sign1 (core/cose_sign1.h); protected typ
// (16) not "application/vc+cose"; a content type (3) other than
// "application/vc"; an unprotected label other than 11 or unreadable
// countersignatures; a payload that is not I-JSON (core/jcs.h) or not a VC
// 2.0 credential (an object, @context starting with the credentials v2
// context, type VerifiableCredential, a did:key issuer, dateTimeStamp
// validFrom/validUntil); a kid (4) that names another DID than the issuer.
// Otherwise the CoseCredentialCheck above. Thread-safe.
Result<CoseCredentialCheck> CheckCoseCredential(ByteView encoded, int64_t now);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_COSE_CREDENTIAL_CHECK_H_
