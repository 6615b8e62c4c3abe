#include "did_resolution.h"

#include <string>

#include "vouch/core/did_document.h"
#include "vouch/measure/ak_public.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::json;

Json AttestationKeyOf(const ledger::DidDocument& doc) {
  Json out = {{"tpm2bPublic", Base64UrlEncode(doc.ak_public)}};
  if (auto ak = AkPublic::Parse(doc.ak_public); ak.ok()) out["tpmName"] = HexEncode(ak->name());
  return out;
}

Json CertificationOf(const ledger::DidDocument& doc, const ledger::ChainState& state) {
  Json by = Json::array();
  for (const auto& [validator, record] : doc.certifications) {
    Result<std::string> at = w3c::FormatDateTime(record.at);
    by.push_back({{"validator", validator},
                  {"entry", record.index},
                  {"at", at.ok() ? *at : std::string()},
                  {"active", state.IsActiveValidator(validator)}});
  }
  return {{"certified", doc.certified}, {"registeredEntry", doc.registered_index}, {"certifiedBy", by}};
}

Json StatusOf(const std::string& did, const ledger::ChainState& state) {
  if (const ledger::Revocation* r = state.FindRevocation(did)) {
    return {{"state", "revoked"}, {"revocation", {{"reason", r->reason}, {"entry", r->index}}}};
  }
  Json quarantines = Json::array();
  for (const ledger::Quarantine& q : state.QuarantinesOf(did)) {
    std::string launch = q.launch.substr(q.launch.find(':') + 1);
    quarantines.push_back({{"domain", q.domain},
                           {"launchCredential", StrCat("urn:vouch:vc:", launch)},
                           {"reason", q.reason},
                           {"entry", q.index}});
  }
  if (quarantines.empty()) return {{"state", "active"}};
  return {{"state", "quarantined"}, {"quarantines", quarantines}};
}

}  // namespace

Json LedgerDidResolution(const DidKey& did, const ledger::ChainState& state) {
  Json document = DidKeyDocument(did);
  if (const ledger::DidDocument* host = state.FindHost(did.did())) {
    document["@context"].push_back(w3c::kVouchContextV1);
    document["attestationKey"] = AttestationKeyOf(*host);
    document["certification"] = CertificationOf(*host, state);
    document["hostStatus"] = StatusOf(did.did(), state);
  }
  Json metadata = Json::object();
  if (state.IsRevoked(did.did())) metadata["deactivated"] = true;
  return {{"didDocument", std::move(document)},
          {"didDocumentMetadata", std::move(metadata)},
          {"didResolutionMetadata", {{"contentType", "application/did+ld+json"}}}};
}

}  // namespace vouch::cli
