#include "vouch/w3c/host_credential.h"

#include <utility>

#include "vouch/core/cose_sign1.h"
#include "vouch/core/digest.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/revocation_list.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;

Json PcrsToJson(const std::map<uint32_t, Bytes>& pcrs) {
  Json out = Json::object();
  for (const auto& [index, value] : pcrs) out[std::to_string(index)] = HexEncode(value);
  return out;
}

Json SubjectOf(const HostVcClaims& c) {
  Json subject = {
      {"id", StrCat("urn:uuid:", c.domain_uuid)},
      {"attestation", c.type},
      {"hypervisor",
       {{"libvirt", c.hypervisor.libvirt},
        {"qemu", c.hypervisor.qemu},
        {"kernel", c.hypervisor.kernel},
        {"machine", c.hypervisor.machine}}},
      {"tpm",
       {{"present", c.tpm.present},
        {"manufacturer", c.tpm.manufacturer},
        {"firmware", c.tpm.firmware},
        {"pcrs", PcrsToJson(c.tpm.pcrs)}}},
      {"bootHash", HexEncode(c.boot_hash)},
      {"domainConfig", Base64UrlEncode(c.domain_config)},
      {"configDigest", HexEncode(c.config_digest)},
      {"policyDigest", HexEncode(c.policy_digest)},
  };
  if (!c.launch_cti.empty()) subject["launchCredential"] = CredentialIdOfCti(c.launch_cti);
  if (c.guest.has_value()) {
    subject["guest"] = {{"pcrs", PcrsToJson(c.guest->pcrs)}, {"eventLogDigest", HexEncode(c.guest->log)}};
  }
  return subject;
}

}  // namespace

Bytes BareHostVc(const HostVc& vc) {
  const CoseSign1& m = vc.message();
  return cbor::Encode(cbor::Value::Tag(
      cose::kTagSign1, cbor::Array{cbor::Value(m.protected_bytes()), cbor::Value::Map({}),
                                   cbor::Value(m.payload()), cbor::Value(m.signature())}));
}

std::string CredentialIdOfCti(ByteView cti) { return StrCat("urn:vouch:vc:", HexEncode(cti)); }

Result<Json> RenderHostVc(const HostVc& vc) {
  const HostVcClaims& c = vc.claims();
  VOUCH_ASSIGN_OR_RETURN(std::string valid_from, FormatDateTime(c.issued_at));
  VOUCH_ASSIGN_OR_RETURN(std::string valid_until, FormatDateTime(c.expires_at));
  const Bytes bare = BareHostVc(vc);
  return Json{
      {"@context", Json::array({kCredentialsContextV2, kVouchContextV1})},
      {"id", CredentialIdOfCti(c.cti)},
      {"type", Json::array({"VerifiableCredential", kHostCredentialType})},
      {"issuer", vc.issuer().did()},
      {"validFrom", std::move(valid_from)},
      {"validUntil", std::move(valid_until)},
      {"credentialSubject", SubjectOf(c)},
      {"credentialStatus", CredentialStatusOf(vc)},
      {"evidence", Json::array({{{"type", Json::array({kHostVcEvidenceType})},
                                 {"coseSign1", Base64UrlEncode(bare)},
                                 {"sha256", HexEncode(ToBytes(Sha256(bare)))}}})},
  };
}

}  // namespace vouch::w3c
