// What the appraisal needs to know about hosts (DESIGN §4: "host DID active
// on the ledger, its AK certified (certify_quorum), not revoked"; and which
// validators certified it: each validator appraises only an AK it certified
// itself), behind an
// interface so the appraisal does not care where it comes from: the ledger
// in production (LedgerHostDirectory, once ledger-client/ is wired), a
// static table in tests (StaticHostDirectory).
#ifndef VOUCH_VALIDATOR_HOST_DIRECTORY_H_
#define VOUCH_VALIDATOR_HOST_DIRECTORY_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "vouch/core/boot_reference.h"
#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::validator {

struct HostRecord {
  std::string did;         // did:key of the host
  Bytes ak_public;         // TPM2B_PUBLIC of its registered AK
  bool certified = false;  // AK certified by at least certify_quorum validators
  // The admitted, unrevoked validators (DIDs) that certified this AK.
  std::set<std::string> certified_by;
  bool revoked = false;
  std::string revoked_reason;  // a sentence, when revoked
  bool operator==(const HostRecord&) const = default;
};

// Implementations are thread-safe: the server appraises requests in parallel.
class HostDirectory {
 public:
  virtual ~HostDirectory() = default;

  // The record of `did`. kUnknownHost if no such host is registered;
  // kUnavailable if the directory cannot be read right now.
  virtual Result<HostRecord> Lookup(std::string_view did) = 0;

  // Whether `subject` — a DID, or a VC's cti as "cti:" + 32 lower-case hex
  // digits (the ledger's revoke subject) — is revoked.
  // Returns true also when the directory cannot tell (fail closed).
  virtual bool IsRevoked(std::string_view subject) = 0;

  // Why `host` may not launch domain `domain` (a UUID): a launch credential
  // of that host and domain was revoked, so it is quarantined for it
  // (DESIGN §2 "Revoke"). nullopt if it may.
  virtual std::optional<std::string> QuarantineOf(std::string_view host, std::string_view domain) = 0;

  // The digest of the ledger head this directory reflects (the verdict's
  // "ledger"), 32 bytes; 32 zero bytes when there is no ledger.
  virtual Bytes LedgerHead() = 0;

  // The boot reference fragments of platform class `name` in effect (none:
  // the class allows nothing).
  virtual PlatformClass PlatformClassOf(std::string_view name) = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_HOST_DIRECTORY_H_
