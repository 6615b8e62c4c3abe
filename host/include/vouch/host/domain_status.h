// What the host knows about one protected domain (`vouch status`, DESIGN §5):
// libvirt's state, the launch and the latest re-attestation as the audit
// store keeps them with each validator's verified endorsement, the last
// round's verdict (reattest.log), the lease deadline the policy sets, and
// what the ledger says about the launch credential and the host.
#ifndef VOUCH_HOST_DOMAIN_STATUS_H_
#define VOUCH_HOST_DOMAIN_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::host {

struct ValidatorVerdict {
  std::string did;
  bool ok = false;   // its countersignature verifies and its verdict is ok
  int64_t at = 0;    // when it judged (its verdict's time)
  std::string error;  // why not, if !ok
};

struct EndorsedVcSummary {
  std::string cti;     // hex
  std::string issuer;  // the host's DID
  int64_t issued_at = 0;
  std::vector<ValidatorVerdict> endorsements;
};

struct RevocationStatus {
  std::string subject;  // "cti:<hex>" or the host DID
  bool revoked = false;
  std::string reason;                    // if revoked
  std::vector<std::string> reported_by;  // reports not (yet) effective
};

// The host barred from launching the domain (a launch of it was revoked).
struct QuarantineStatus {
  std::string host;
  std::string launch;  // the revoked "cti:<hex>"
  std::string reason;
  uint64_t index = 0;  // the ledger entry
  std::string owner;   // the owner who may lift it besides governance; "" if only governance
};

struct DomainStatus {
  std::string name;
  std::string uuid;
  std::string state;  // libvirt's
  size_t threshold = 0;
  size_t validators = 0;
  uint64_t reattest_s = 0;
  std::optional<uint32_t> grace;
  std::optional<EndorsedVcSummary> launch;         // the newest launch in the audit store
  std::optional<EndorsedVcSummary> last_endorsed;  // the newest endorsed re-attestation of that launch
  std::string last_round;                          // reattest.log's last line for the domain, "" if none
  // With a lease: about when the validators' lease runs out (the last
  // endorsed round, or the launch, + reattest_s × grace).
  std::optional<int64_t> deadline;
  std::optional<RevocationStatus> launch_revocation;  // with a ledger and a launch
  std::optional<RevocationStatus> host_revocation;
  std::optional<QuarantineStatus> quarantine;  // of the launch's host for this domain
  std::string ledger_error;  // the ledger could not be read: "" otherwise
};

// Collects the status of `domain_name` under the hook configuration at
// `config_path`. Errors: the config's; kNotFound for no such domain;
// kInvalidArgument for a domain vouch does not protect. An unreadable ledger
// is not an error: it is reported in ledger_error.
Result<DomainStatus> ReadDomainStatus(const std::string& config_path, std::string_view domain_name);

}  // namespace vouch::host

#endif  // VOUCH_HOST_DOMAIN_STATUS_H_
