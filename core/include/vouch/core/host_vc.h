// The host verifiable credential (DESIGN §3 "Host VC"): a CWT/EAT claims set
// about one host at one moment — its DID, the domain, hypervisor versions,
// TPM quote and PCRs, boot hash, runtime configuration and the ephemeral key
// E that released shares are sealed to — signed by the host's DID key as a
// COSE_Sign1 with protected {1: -8, 3: "application/vouch-vc+cbor", 4: DID}.
#ifndef VOUCH_CORE_HOST_VC_H_
#define VOUCH_CORE_HOST_VC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/carried_cose.h"
#include "vouch/core/carried_proof.h"
#include "vouch/core/cbor.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/did_key.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/typed_digest.h"

namespace vouch {

inline constexpr std::string_view kHostVcContentType = "application/vouch-vc+cbor";
inline constexpr size_t kCtiSize = 16;
// Largest firmware event log a host sends beside its VC (the VC's
// "vouch.evlog" claim holds its SHA-256): a real 30–60-event crypto-agile
// log is 15–35 KiB (the tpm2-tools fixtures in measure/testdata/eventlog),
// within vouchd's 256 KiB body limit with a reattest request's three VCs.
inline constexpr size_t kMaxVcEventLogSize = 64 * 1024;

struct HypervisorFacts {
  std::string libvirt, qemu, kernel, machine;
  bool operator==(const HypervisorFacts&) const = default;
};

struct TpmEvidence {
  bool present = false;
  std::string manufacturer, firmware;
  Bytes quote;      // TPMS_ATTEST as the TPM marshalled it
  Bytes signature;  // TPMT_SIGNATURE
  std::map<uint32_t, Bytes> pcrs;  // SHA-256 bank
  bool operator==(const TpmEvidence&) const = default;
};

// The guest's vTPM evidence in a re-attestation (DESIGN §2 "Run"): a quote
// by the guest AK over the policy's guest PCRs with extraData =
// GuestQuoteExtraData(eat_nonce) (vouch/core/quote_binding.h).
struct GuestEvidence {
  Bytes quote, signature;
  Bytes log;  // SHA-256 of the guest's firmware event log (32 bytes)
  std::map<uint32_t, Bytes> pcrs;
  Bytes ak;   // the guest AK's TPM2B_PUBLIC; validators pin it at the first report
  bool operator==(const GuestEvidence&) const = default;
};

struct HostVcClaims {
  std::string issuer;        // 1 iss: host DID
  std::string domain_uuid;   // 2 sub
  int64_t issued_at = 0;     // 6 iat, seconds
  int64_t expires_at = 0;    // 4 exp
  Bytes cti;                 // 7: 16 random bytes, the replay id
  std::vector<Bytes> nonces; // 10 eat_nonce: the validators' challenges
  Bytes ephemeral_public_key;// 8 cnf: X25519 public key of E
  std::string type = "launch";  // "launch" | "reattest"
  HypervisorFacts hypervisor;
  TpmEvidence tpm;
  Bytes boot_hash;           // SHA-256 over the quoted PCR values in index order
  // "vouch.dom": the canonical domain config (DESIGN §5), its encoding as
  // the host computed it; a validator decodes it (qemu::DomainConfigFromCanonical),
  // checks that its SHA-256 is config_digest and appraises the launch policy on it.
  Bytes domain_config;
  Bytes config_digest;       // "vouch.cfg": SHA-256 of domain_config, in the quote's extraData
  Bytes policy_digest;       // SHA-256 of the owner policy COSE_Sign1
  std::optional<GuestEvidence> guest;  // reattest only
  // "vouch.launch" (reattest only): the cti of the launch VC this round
  // re-attests, so guest evidence and its baseline belong to one launch.
  Bytes launch_cti;
  // "vouch.evlog" (optional): the SHA-256 of the host's TCG firmware event
  // log (binary_bios_measurements), which travels beside the VC in the
  // attest or reattest request, so signatures and digests over the VC do not
  // cover 30 KiB of log; validators check the log against it, then replay it
  // against the quote. Empty = no claim (encoded only when set).
  Bytes event_log_digest;
  bool operator==(const HostVcClaims&) const = default;
};

// SHA-256 over the PCR values in index order (the "vouch.boot" claim).
Bytes BootHash(const std::map<uint32_t, Bytes>& pcrs);

// The claims as the CBOR map of DESIGN §3.
cbor::Value HostVcClaimsToCbor(const HostVcClaims& claims);
// Strict reading: every required claim present with its type and size,
// nothing unknown; "vouch.evlog", when present, 32 bytes. kMalformed naming
// the claim otherwise.
Result<HostVcClaims> HostVcClaimsFromCbor(const cbor::Value& map);

// A host VC that has passed signature verification against its issuer DID.
class HostVc {
 public:
  // Signs `claims` with `host_key`. kInvalidArgument if claims.issuer is not
  // the did:key of `host_key`.
  static Result<HostVc> Issue(const HostVcClaims& claims, const Ed25519PrivateKey& host_key);

  // Parses an encoded host VC (with or without countersignatures) and
  // verifies its signature against the DID in its kid header, which must
  // equal the iss claim. kMalformed for structure, including an unprotected
  // header label other than 11 (countersignatures), "vouch.di" (the
  // host's W3C proof, carried_proof.h) and "vouch.cose" (the host's vc+cose
  // signature, carried_cose.h), or a malformed "vouch.di" or "vouch.cose";
  // kBadSignature for the signature. Does not check time, nonces,
  // countersignatures or the W3C proof and signature.
  static Result<HostVc> Parse(ByteView encoded);

  // As Parse, but the issuer's DID is resolved by `resolve` (a validator's
  // cache of parsed DIDs, so a host's key is imported once, not per VC).
  // REQUIRES: `resolve` returns what DidKey::Parse(did) would.
  using DidResolver = std::function<Result<DidKey>(std::string_view did)>;
  static Result<HostVc> Parse(ByteView encoded, const DidResolver& resolve);

  const HostVcClaims& claims() const { return claims_; }
  const DidKey& issuer() const { return issuer_; }
  const CoseSign1& message() const { return message_; }
  CoseSign1& mutable_message() { return message_; }

  // The host's W3C proof carried in unprotected "vouch.di", or nullopt for
  // a VC without one. Not verified (w3c/endorsed_credential.h does that).
  std::optional<CarriedProof> carried_proof() const;
  // Carries `proof` in unprotected "vouch.di", replacing any there. The
  // signature and the claims are unchanged; Digest() and Encode() change.
  void CarryProof(const CarriedProof& proof);

  // The signature of the host's vc+cose form carried in unprotected
  // "vouch.cose", or nullopt for a VC without one. Not verified
  // (w3c/cose_credential.h does that).
  std::optional<Bytes> carried_cose_signature() const;
  // Carries `signature` in unprotected "vouch.cose", replacing any there.
  // The signature and the claims are unchanged; Digest() and Encode()
  // change. REQUIRES: signature.size() == kCarriedCoseSignatureSize.
  void CarryCoseSignature(const Bytes& signature);

  // SHA-256 of the VC without countersignatures (unprotected label 11
  // removed): what validators bind re-sealed shares to.
  VcDigest Digest() const;

 private:
  HostVc(HostVcClaims claims, DidKey issuer, CoseSign1 message)
      : claims_(std::move(claims)), issuer_(std::move(issuer)), message_(std::move(message)) {}
  HostVcClaims claims_;
  DidKey issuer_;
  CoseSign1 message_;
};

}  // namespace vouch

#endif  // VOUCH_CORE_HOST_VC_H_
