// The owner policy and the protection bundle (DESIGN §2 "Seal", §3 "Owner
// policy"). The policy is a COSE_Sign1 by the owner's Ed25519 key (kid = the
// owner's did:key) over a CBOR map that says which validators hold shares,
// how many must agree (t), what host state they must see, and commitments
// that let the host check each released share. Sealed shares are bound to
// the policy's digest, so nobody can swap the policy under them.
#ifndef VOUCH_CORE_OWNER_POLICY_H_
#define VOUCH_CORE_OWNER_POLICY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vouch/core/cbor.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/did_key.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/core/typed_digest.h"

namespace vouch {

inline constexpr std::string_view kPolicyContentType = "application/vouch-policy+cbor";
// How many platform classes a policy may name.
inline constexpr size_t kMaxPolicyPlatforms = 16;

struct PolicyValidator {
  std::string did;       // did:key of the validator's Ed25519 key
  Bytes hpke_public_key; // X25519, 32 bytes
  std::string endpoint;  // e.g. "http://127.0.0.1:7401"
  bool operator==(const PolicyValidator&) const = default;
};

// One allowed boot configuration: the <os> fields that decide what the
// guest boots (paths and the kernel command line, verbatim).
struct PolicyBoot {
  std::string firmware, loader, nvram_template, kernel, initrd, cmdline;
  bool operator==(const PolicyBoot&) const = default;
};

// What the domain may be (DESIGN §3 "Owner policy" rt), as the launch policy
// evaluator (vouch/qemu/launch_policy.h) reads it. The facts are the strings
// that evaluator names; `vouch seal` pins every optional field to the
// domain it seals.
struct RuntimeLimits {
  uint64_t memory_kib_max = 0;
  uint64_t vcpus_max = 0;
  std::vector<std::string> nets_allowed;     // network/bridge names
  std::optional<std::vector<std::string>> devices_allowed;  // a multiset; absent: any
  std::optional<std::vector<std::string>> disks_allowed;    // a multiset; absent: any
  std::optional<std::vector<PolicyBoot>> boot_allowed;      // one must match; absent: any
  std::optional<std::vector<std::string>> emulators_allowed;  // absent: any
  std::vector<std::string> qemu_args;         // exactly these, in order (none by default)
  std::vector<std::string> qemu_passthrough;  // exactly these, sorted (none by default)
  bool operator==(const RuntimeLimits&) const = default;
};

// What the guest shim proves at each re-attestation (DESIGN §3 "guest").
struct GuestPolicy {
  std::vector<uint32_t> pcrs;                        // guest vTPM PCRs to quote (SHA-256)
  std::map<uint32_t, std::vector<Bytes>> reference;  // pinned values; empty: first report is the baseline
  uint64_t boot_s = 300;          // the first guest report is due this long after the launch
  std::string action = "poweroff";  // the shim's action past the grace: poweroff | reboot | none | exec:/PATH
  bool operator==(const GuestPolicy&) const = default;
};

struct OwnerPolicy {
  std::string domain_uuid;
  uint32_t threshold = 0;                   // "t"
  std::vector<PolicyValidator> validators;  // share i belongs to validators[i]
  std::vector<uint32_t> pcrs;               // PCR selection to quote (SHA-256 bank)
  std::vector<Bytes> reference_boot;        // accepted boot hashes (empty: any)
  std::map<uint32_t, std::vector<Bytes>> reference_pcrs;  // accepted values per PCR
  // Platform classes whose boot reference values (on the ledger) the host's
  // event log must meet, one of them; empty: none (DESIGN §4 step 9).
  std::vector<std::string> platforms;
  std::map<std::string, std::string> hv_min;              // "libvirt"/"qemu"/"kernel" → min version
  RuntimeLimits rt;
  uint64_t vc_ttl = 120;                    // seconds
  uint64_t reattest_s = 60;
  std::string on_drift = "alert";           // "pause" | "destroy" | "alert"
  std::optional<std::vector<std::string>> hosts;  // absent = "any"
  // Leases: each endorsing validator expects a re-attestation of the launch
  // within reattest_s × grace seconds of the last one. Absent: no lease.
  std::optional<uint32_t> grace;
  std::optional<GuestPolicy> guest;         // absent: no guest evidence expected
  std::vector<Bytes> commit;                // SHA-256(x ‖ share) per share, x one byte
  Bytes kcv;                                // HMAC-SHA-256(K, "vouch kcv")
  bool operator==(const OwnerPolicy&) const = default;
};

cbor::Value OwnerPolicyToCbor(const OwnerPolicy& policy);
// Strict: every field with its type, t ≤ n, one commitment per validator,
// nothing unknown. kMalformed naming the field.
Result<OwnerPolicy> OwnerPolicyFromCbor(const cbor::Value& map);

// SHA-256(x ‖ share): the commitment to share x (its last byte is x).
Bytes ShareCommitment(const SecretBytes& share);
// HMAC-SHA-256(key, "vouch kcv").
Bytes KeyCheckValue(const SecretBytes& key);

// A policy whose owner signature has been verified.
class SignedPolicy {
 public:
  static Result<SignedPolicy> Sign(const OwnerPolicy& policy, const Ed25519PrivateKey& owner);
  // Parses and verifies against the owner DID in kid. kMalformed /
  // kBadSignature.
  static Result<SignedPolicy> Parse(ByteView encoded);

  const OwnerPolicy& policy() const { return policy_; }
  const std::string& owner_did() const { return owner_did_; }
  const Bytes& encoded() const { return encoded_; }
  PolicyDigest digest() const { return PolicyDigest::Of(encoded_); }
  // Index of `did` in the validator list, or nullopt.
  std::optional<size_t> IndexOf(std::string_view validator_did) const;

 private:
  SignedPolicy(OwnerPolicy p, std::string owner, Bytes encoded)
      : policy_(std::move(p)), owner_did_(std::move(owner)), encoded_(std::move(encoded)) {}
  OwnerPolicy policy_;
  std::string owner_did_;
  Bytes encoded_;
};

// What `vouch seal` attaches to a domain: the signed policy and one sealed
// share per validator, in the policy's order. CBOR:
//   {"v": 1, "policy": bstr, "shares": [bstr]}
struct ProtectionBundle {
  Bytes policy;
  std::vector<Bytes> sealed_shares;
};

Bytes EncodeBundle(const ProtectionBundle& bundle);
// kMalformed unless the structure above with as many shares as validators
// (the policy itself is checked by SignedPolicy::Parse).
Result<ProtectionBundle> DecodeBundle(ByteView encoded);
// The owner's signed policy in an encoded bundle (DecodeBundle, then
// SignedPolicy::Parse): what every step after the release reads of it.
Result<SignedPolicy> PolicyOfBundle(ByteView encoded);


// Compares dotted versions numerically ("9.10.0" > "9.9"); non-numeric
// parts compare as text. Returns <0, 0, >0.
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace vouch

#endif  // VOUCH_CORE_OWNER_POLICY_H_
