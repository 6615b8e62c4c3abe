// vouch vectors DIR (DESIGN §3 "Vectors").
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/flags.h"
#include "vouch/core/hpke.h"
#include "vouch/core/random.h"
#include "vouch/core/sealed_share.h"
#include "vouch/core/shamir.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/endorsed_credential.h"

namespace vouch::cli {
namespace {

Status Write(const std::string& dir, const std::string& name, ByteView data) {
  return WriteFile(dir + "/" + name, data, 0644);
}

// A launch VC with well-formed claims. Its "quote" and "sig" are random
// bytes of realistic size: the vectors exercise the CBOR/COSE/HPKE/Shamir
// formats, which independent libraries must read, not TPM verification
// (measure/ has real quotes and their tests).
HostVcClaims VectorClaims(const Ed25519PrivateKey& host, ByteView ephemeral_pk,
                          const PolicyDigest& policy) {
  HostVcClaims c;
  c.issuer = DidKey::FromPublicKey(host.public_key()).did();
  c.domain_uuid = "7d6b1f0e-2f1c-4c55-9a55-3f0f6c1d2e3a";
  c.issued_at = time(nullptr);
  c.expires_at = c.issued_at + 120;
  c.cti = RandomBytes(kCtiSize);
  c.nonces = {RandomBytes(32), RandomBytes(32), RandomBytes(32)};
  c.ephemeral_public_key = Bytes(ephemeral_pk.begin(), ephemeral_pk.end());
  c.hypervisor = {"9.0.0", "7.2.0", "6.1.0", "pc-i440fx-7.2"};
  c.tpm.present = true;
  c.tpm.manufacturer = "IBM";
  c.tpm.firmware = "1.38";
  c.tpm.quote = RandomBytes(129);
  c.tpm.signature = RandomBytes(72);
  for (uint32_t i = 0; i < 8; ++i) c.tpm.pcrs[i] = ToBytes(Sha256(Bytes{static_cast<uint8_t>(i)}));
  c.boot_hash = BootHash(c.tpm.pcrs);
  qemu::DomainConfig domain;
  domain.type = "kvm";
  domain.memory_kib = 262144;
  domain.vcpus = 1;
  c.domain_config = qemu::CanonicalConfigBytes(domain);
  c.config_digest = ToBytes(Sha256(c.domain_config));
  c.policy_digest = ToBytes(policy.value);
  return c;
}

Status WriteVectors(const std::string& dir) {
  nlohmann::json items = nlohmann::json::array();
  PolicyDigest policy = PolicyDigest::Of(AsBytes("vouch vectors: stand-in policy"));

  // Host VC.
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  X25519PrivateKey ephemeral = X25519PrivateKey::Generate();
  VOUCH_ASSIGN_OR_RETURN(HostVc vc,
                         HostVc::Issue(VectorClaims(host, ephemeral.public_key(), policy), host));
  // With the host's W3C proof, as hosts issue them (DESIGN §3 "JSON forms (W3C)").
  VOUCH_RETURN_IF_ERROR(w3c::ProveHostVc(vc, host));
  VOUCH_RETURN_IF_ERROR(w3c::SignVcCose(vc, host));
  VOUCH_RETURN_IF_ERROR(Write(dir, "host-vc.cbor", vc.message().Encode()));
  items.push_back({{"kind", "host-vc"}, {"file", "host-vc.cbor"}, {"did", vc.issuer().did()}});

  // The same VC endorsed by three validators.
  nlohmann::json validator_dids = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) {
    Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
    Verdict verdict{true, vc.claims().issued_at + 1, ToBytes(Sha256(AsBytes("ledger head"))),
                    ToBytes(policy.value)};
    VOUCH_ASSIGN_OR_RETURN(Endorsement e, Endorse(vc, validator, verdict));
    VOUCH_RETURN_IF_ERROR(w3c::CarryEndorsementProof(vc, validator, e));
    VOUCH_RETURN_IF_ERROR(w3c::CarryEndorsementCose(vc, validator, e));
    VOUCH_RETURN_IF_ERROR(AttachEndorsement(vc, e));
    validator_dids.push_back(e.validator_did);
  }
  VOUCH_RETURN_IF_ERROR(Write(dir, "endorsed-vc.cbor", vc.message().Encode()));
  items.push_back({{"kind", "endorsed-vc"},
                   {"file", "endorsed-vc.cbor"},
                   {"host_did", vc.issuer().did()},
                   {"validator_dids", validator_dids}});

  // Its W3C VC 2.0 form: the host's proof and the validators' chained to it.
  VOUCH_ASSIGN_OR_RETURN(nlohmann::json di, w3c::ExportDataIntegrity(vc));
  VOUCH_RETURN_IF_ERROR(Write(dir, "endorsed-vc.di.json", AsBytes(di.dump(2) + "\n")));
  items.push_back({{"kind", "di-vc"},
                   {"file", "endorsed-vc.di.json"},
                   {"host_did", vc.issuer().did()},
                   {"validator_dids", validator_dids}});

  // And as application/vc+cose: the host's COSE_Sign1 over the same JSON,
  // the validators' RFC 9338 countersignatures on it.
  VOUCH_ASSIGN_OR_RETURN(Bytes vc_cose, w3c::ExportVcCose(vc));
  VOUCH_RETURN_IF_ERROR(Write(dir, "endorsed-vc.vc-cose.cbor", vc_cose));
  items.push_back({{"kind", "vc-cose"},
                   {"file", "endorsed-vc.vc-cose.cbor"},
                   {"host_did", vc.issuer().did()},
                   {"validator_dids", validator_dids}});

  // Shamir split of a 32-byte image key, 3 of 5.
  SecretBytes key = RandomSecret(32);
  VOUCH_ASSIGN_OR_RETURN(std::vector<SecretBytes> shares, ShamirSplit(key, 3, 5));
  nlohmann::json shares_hex = nlohmann::json::array();
  for (const auto& s : shares) shares_hex.push_back(HexEncode(s.Expose()));
  items.push_back({{"kind", "shamir"},
                   {"t", 3},
                   {"secret_hex", HexEncode(key.Expose())},
                   {"shares_hex", shares_hex}});

  // Share 1 sealed to a validator's HPKE key (RFC 9180 A.1 suite).
  X25519PrivateKey recipient = X25519PrivateKey::Generate();
  const std::string& domain = vc.claims().domain_uuid;
  VOUCH_ASSIGN_OR_RETURN(Bytes sealed,
                         SealShareForValidator(recipient.public_key(), domain, policy, shares[0]));
  VOUCH_RETURN_IF_ERROR(Write(dir, "sealed-share.cbor", sealed));
  items.push_back({{"kind", "hpke"},
                   {"file", "sealed-share.cbor"},
                   {"recipient_sk_hex", HexEncode(recipient.Serialize().Expose())},
                   {"info_hex", HexEncode(Concat({AsBytes(kShareInfoPrefix), AsBytes(domain)}))},
                   {"aad_hex", HexEncode(policy.bytes())},
                   {"plaintext_hex", HexEncode(shares[0].Expose())}});

  nlohmann::json manifest = {{"version", 1}, {"items", items}};
  std::string text = manifest.dump(2) + "\n";
  return Write(dir, "manifest.json", AsBytes(text));
}

}  // namespace

namespace {
constexpr const char* kUsage =
    "usage: vouch vectors DIR\n"
    "  writes a set of test vectors (host VC, endorsed VC and its W3C VC 2.0 form, sealed\n"
    "  share, Shamir split)\n"
    "  and manifest.json into DIR (created if missing)\n";
}  // namespace

int VectorsCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {});
  if (!flags.ok() || flags->positional().size() != 1) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& dir = flags->positional()[0];
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "vouch: cannot create directory '%s': %s\n", dir.c_str(),
                 std::strerror(errno));
    return 1;
  }
  Status s = WriteVectors(dir);
  if (!s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  std::printf("wrote test vectors to %s (manifest.json + 5 files)\n", dir.c_str());
  return 0;
}

}  // namespace vouch::cli
