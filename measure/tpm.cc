#include "vouch/measure/tpm.h"

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <cstdlib>

#include "internal/esys_handles.h"
#include "vouch/core/digest.h"
#include "vouch/measure/quote_attest.h"

namespace vouch {

using internal::EsysContextPtr;
using internal::EsysPtr;
using internal::TctiPtr;
using internal::TpmCommandError;
using internal::TransientHandle;

namespace internal {

std::string TssErrorText(TSS2_RC rc) {
  const char* text = Tss2_RC_Decode(rc);
  return text != nullptr ? std::string(text) : "unknown response code";
}

Error TpmCommandError(std::string_view tcti, std::string_view command, TSS2_RC rc) {
  return Error(Code::kUnavailable,
               StrCat("TPM at TCTI '", tcti, "': ", command, " failed: ", TssErrorText(rc)));
}

}  // namespace internal

namespace {

constexpr int kQuoteAttempts = 3;

// TCG EK Credential Profile 2.x, template L-2: ECC NIST P-256 endorsement key,
// authPolicy = PolicySecret(TPM_RH_ENDORSEMENT) ("policy A").
TPM2B_PUBLIC EkTemplate() {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_ECC;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                       TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  static constexpr uint8_t kPolicyA[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8,
                                           0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
                                           0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64,
                                           0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};
  p.authPolicy.size = sizeof(kPolicyA);
  std::copy(std::begin(kPolicyA), std::end(kPolicyA), p.authPolicy.buffer);
  TPMS_ECC_PARMS& e = p.parameters.eccDetail;
  e.symmetric.algorithm = TPM2_ALG_AES;
  e.symmetric.keyBits.aes = 128;
  e.symmetric.mode.aes = TPM2_ALG_CFB;
  e.scheme.scheme = TPM2_ALG_NULL;
  e.curveID = TPM2_ECC_NIST_P256;
  e.kdf.scheme = TPM2_ALG_NULL;
  p.unique.ecc.x.size = 32;  // zeros
  p.unique.ecc.y.size = 32;
  return t;
}

// The AK template of `tpm2_createak -G ecc -g sha256 -s ecdsa`.
TPM2B_PUBLIC AkTemplate() {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_ECC;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                       TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
  TPMS_ECC_PARMS& e = p.parameters.eccDetail;
  e.symmetric.algorithm = TPM2_ALG_NULL;
  e.scheme.scheme = TPM2_ALG_ECDSA;
  e.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
  e.curveID = TPM2_ECC_NIST_P256;
  e.kdf.scheme = TPM2_ALG_NULL;
  return t;
}

// kInvalidArgument for an index out of range or a duplicate.
Result<TPML_PCR_SELECTION> Sha256Selection(const std::vector<uint32_t>& pcrs) {
  TPML_PCR_SELECTION sel{};
  sel.count = 1;
  sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
  sel.pcrSelections[0].sizeofSelect = 3;
  for (uint32_t pcr : pcrs) {
    if (pcr >= kTpmPcrCount) {
      return Error(Code::kInvalidArgument,
                   StrCat("PCR index ", pcr, " is out of range 0-", kTpmPcrCount - 1));
    }
    uint8_t& byte = sel.pcrSelections[0].pcrSelect[pcr / 8];
    if (byte & (1u << (pcr % 8))) {
      return Error(Code::kInvalidArgument, StrCat("PCR index ", pcr, " is listed twice"));
    }
    byte = static_cast<uint8_t>(byte | (1u << (pcr % 8)));
  }
  return sel;
}

std::vector<uint32_t> SelectedPcrs(const TPMS_PCR_SELECTION& s) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < std::min<uint32_t>(s.sizeofSelect, TPM2_PCR_SELECT_MAX) * 8u; ++i) {
    if (s.pcrSelect[i / 8] & (1u << (i % 8))) out.push_back(i);
  }
  return out;
}

template <typename T, typename MarshalFn>
Bytes Marshal(const T& value, MarshalFn fn) {
  Bytes buf(sizeof(T) + 16);
  size_t off = 0;
  TSS2_RC rc = fn(&value, buf.data(), buf.size(), &off);
  if (rc != TSS2_RC_SUCCESS) std::abort();  // a TPM-made structure always fits its own size
  buf.resize(off);
  return buf;
}

}  // namespace

class Tpm::Impl {
 public:
  std::string tcti;
  TpmFacts facts;
  TctiPtr tcti_ctx;  // destroyed after esys (members go in reverse order)
  EsysContextPtr esys;

  ESYS_CONTEXT* ctx() const { return esys.get(); }
  Error CommandError(std::string_view command, TSS2_RC rc) const {
    return TpmCommandError(tcti, command, rc);
  }

  // Asynchronous so that a TPM that never answers is reported instead of
  // waited for.
  Status ReadFacts(std::chrono::milliseconds timeout) {
    constexpr UINT32 kFirst = TPM2_PT_MANUFACTURER;
    constexpr UINT32 kLast = TPM2_PT_FIRMWARE_VERSION_2;
    constexpr std::string_view kCommand = "TPM2_GetCapability(TPM_PROPERTIES)";
    TSS2_RC rc = Esys_GetCapability_Async(ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                          TPM2_CAP_TPM_PROPERTIES, kFirst, kLast - kFirst + 1);
    if (rc != TSS2_RC_SUCCESS) return CommandError(kCommand, rc);
    TPMI_YES_NO more = TPM2_NO;
    TPMS_CAPABILITY_DATA* raw = nullptr;
    Esys_SetTimeout(ctx(), static_cast<int32_t>(timeout.count()));
    rc = Esys_GetCapability_Finish(ctx(), &more, &raw);
    Esys_SetTimeout(ctx(), TSS2_TCTI_TIMEOUT_BLOCK);
    EsysPtr<TPMS_CAPABILITY_DATA> data(raw);
    if (rc == TSS2_ESYS_RC_TRY_AGAIN || rc == TSS2_TCTI_RC_TRY_AGAIN) {
      return Error(Code::kUnavailable,
                   StrCat("TPM at TCTI '", tcti, "' did not answer within ", timeout.count(),
                          " ms (hung, or held by another client)"));
    }
    if (rc != TSS2_RC_SUCCESS) return CommandError(kCommand, rc);
    uint32_t manufacturer = 0, fw1 = 0, fw2 = 0;
    const TPML_TAGGED_TPM_PROPERTY& props = data->data.tpmProperties;
    for (UINT32 i = 0; i < std::min<UINT32>(props.count, TPM2_MAX_TPM_PROPERTIES); ++i) {
      const TPMS_TAGGED_PROPERTY& p = props.tpmProperty[i];
      if (p.property == TPM2_PT_MANUFACTURER) manufacturer = p.value;
      if (p.property == TPM2_PT_FIRMWARE_VERSION_1) fw1 = p.value;
      if (p.property == TPM2_PT_FIRMWARE_VERSION_2) fw2 = p.value;
    }
    facts.manufacturer = FormatTpmManufacturer(manufacturer);
    facts.firmware_version = (uint64_t{fw1} << 32) | fw2;
    facts.firmware = FormatTpmFirmwareVersion(facts.firmware_version);
    return Ok();
  }

  Result<std::map<uint32_t, Bytes>> ReadPcrs(const std::vector<uint32_t>& pcrs) {
    VOUCH_ASSIGN_OR_RETURN(TPML_PCR_SELECTION want, Sha256Selection(pcrs));
    std::map<uint32_t, Bytes> out;
    // TPM2_PCR_Read returns at most 8 digests; ask again for the rest.
    while (!SelectedPcrs(want.pcrSelections[0]).empty()) {
      UINT32 counter = 0;
      TPML_PCR_SELECTION* sel_raw = nullptr;
      TPML_DIGEST* values_raw = nullptr;
      TSS2_RC rc = Esys_PCR_Read(ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &want, &counter,
                                 &sel_raw, &values_raw);
      EsysPtr<TPML_PCR_SELECTION> sel(sel_raw);
      EsysPtr<TPML_DIGEST> values(values_raw);
      if (rc != TSS2_RC_SUCCESS) return CommandError("TPM2_PCR_Read", rc);
      std::vector<uint32_t> got;
      for (UINT32 b = 0; b < std::min<UINT32>(sel->count, TPM2_NUM_PCR_BANKS); ++b) {
        if (sel->pcrSelections[b].hash != TPM2_ALG_SHA256) continue;
        std::vector<uint32_t> bank = SelectedPcrs(sel->pcrSelections[b]);
        got.insert(got.end(), bank.begin(), bank.end());
      }
      if (got.empty()) {
        std::string missing;
        for (uint32_t i : SelectedPcrs(want.pcrSelections[0])) {
          missing += StrCat(missing.empty() ? "" : ",", i);
        }
        return Error(Code::kUnavailable,
                     StrCat("TPM at TCTI '", tcti, "': TPM2_PCR_Read returned no SHA-256 value ",
                            "for PCRs ", missing,
                            " (the SHA-256 bank is not active, or those PCRs do not exist)"));
      }
      if (got.size() != values->count) {
        return Error(Code::kUnavailable,
                     StrCat("TPM at TCTI '", tcti, "': TPM2_PCR_Read selected ", got.size(),
                            " PCRs but returned ", values->count, " values"));
      }
      for (size_t i = 0; i < got.size(); ++i) {
        const TPM2B_DIGEST& d = values->digests[i];
        uint8_t& byte = want.pcrSelections[0].pcrSelect[got[i] / 8];
        if (d.size != 32 || !(byte & (1u << (got[i] % 8)))) {
          return Error(Code::kUnavailable, StrCat("TPM at TCTI '", tcti,
                                                  "': TPM2_PCR_Read returned an unexpected value "
                                                  "for PCR ",
                                                  got[i]));
        }
        byte = static_cast<uint8_t>(byte & ~(1u << (got[i] % 8)));
        out[got[i]] = Bytes(d.buffer, d.buffer + d.size);
      }
    }
    return out;
  }

  Result<TransientHandle> CreateEk(Bytes* public_out) {
    TPM2B_SENSITIVE_CREATE sensitive{};
    TPM2B_PUBLIC tmpl = EkTemplate();
    TPM2B_DATA outside{};
    TPML_PCR_SELECTION creation_pcr{};
    ESYS_TR handle = ESYS_TR_NONE;
    TPM2B_PUBLIC* pub_raw = nullptr;
    TPM2B_CREATION_DATA* cdata_raw = nullptr;
    TPM2B_DIGEST* chash_raw = nullptr;
    TPMT_TK_CREATION* ticket_raw = nullptr;
    TSS2_RC rc = Esys_CreatePrimary(ctx(), ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                    ESYS_TR_NONE, &sensitive, &tmpl, &outside, &creation_pcr,
                                    &handle, &pub_raw, &cdata_raw, &chash_raw, &ticket_raw);
    EsysPtr<TPM2B_PUBLIC> pub(pub_raw);
    EsysPtr<TPM2B_CREATION_DATA> cdata(cdata_raw);
    EsysPtr<TPM2B_DIGEST> chash(chash_raw);
    EsysPtr<TPMT_TK_CREATION> ticket(ticket_raw);
    if (rc != TSS2_RC_SUCCESS) {
      return CommandError("TPM2_CreatePrimary (ECC endorsement key)", rc);
    }
    TransientHandle ek(ctx(), handle);
    if (public_out != nullptr) *public_out = Marshal(*pub, Tss2_MU_TPM2B_PUBLIC_Marshal);
    return ek;
  }

  // A policy session satisfying the EK's policy A (PolicySecret on the
  // endorsement hierarchy, empty endorsement auth), to use the EK as parent.
  Result<TransientHandle> EkPolicySession() {
    TPMT_SYM_DEF sym{};
    sym.algorithm = TPM2_ALG_NULL;
    ESYS_TR handle = ESYS_TR_NONE;
    TSS2_RC rc = Esys_StartAuthSession(ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                       ESYS_TR_NONE, ESYS_TR_NONE, nullptr, TPM2_SE_POLICY, &sym,
                                       TPM2_ALG_SHA256, &handle);
    if (rc != TSS2_RC_SUCCESS) return CommandError("TPM2_StartAuthSession (policy)", rc);
    TransientHandle session(ctx(), handle);
    // Keep the session after use so that ESAPI never drops a handle we flush.
    rc = Esys_TRSess_SetAttributes(ctx(), handle, TPMA_SESSION_CONTINUESESSION, 0xff);
    if (rc != TSS2_RC_SUCCESS) return CommandError("session attributes", rc);
    TPM2B_NONCE nonce_tpm{};
    TPM2B_DIGEST cp_hash{};
    TPM2B_NONCE policy_ref{};
    TPM2B_TIMEOUT* timeout_raw = nullptr;
    TPMT_TK_AUTH* ticket_raw = nullptr;
    rc = Esys_PolicySecret(ctx(), ESYS_TR_RH_ENDORSEMENT, handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                           ESYS_TR_NONE, &nonce_tpm, &cp_hash, &policy_ref, 0, &timeout_raw,
                           &ticket_raw);
    EsysPtr<TPM2B_TIMEOUT> timeout(timeout_raw);
    EsysPtr<TPMT_TK_AUTH> ticket(ticket_raw);
    if (rc != TSS2_RC_SUCCESS) return CommandError("TPM2_PolicySecret (endorsement)", rc);
    return session;
  }

  Result<TransientHandle> LoadAk(const Ak& ak, TPM2B_PUBLIC* pub) {
    TPM2B_PRIVATE priv{};
    size_t off = 0;
    if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(ak.public_area().bytes().data(),
                                       ak.public_area().bytes().size(), &off, pub) != 0 ||
        off != ak.public_area().bytes().size()) {
      return Error(Code::kInvalidArgument, StrCat("AK ", HexEncode(ak.name()),
                                                  ": tpm2-tss cannot unmarshal its TPM2B_PUBLIC"));
    }
    off = 0;
    if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(ak.private_blob().data(), ak.private_blob().size(), &off,
                                        &priv) != 0 ||
        off != ak.private_blob().size()) {
      return Error(Code::kInvalidArgument, StrCat("AK ", HexEncode(ak.name()),
                                                  ": tpm2-tss cannot unmarshal its TPM2B_PRIVATE"));
    }
    VOUCH_ASSIGN_OR_RETURN(TransientHandle ek, CreateEk(nullptr));
    VOUCH_ASSIGN_OR_RETURN(TransientHandle session, EkPolicySession());
    ESYS_TR handle = ESYS_TR_NONE;
    TSS2_RC rc =
        Esys_Load(ctx(), ek.get(), session.get(), ESYS_TR_NONE, ESYS_TR_NONE, &priv, pub, &handle);
    if (rc != TSS2_RC_SUCCESS) {
      if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER) {
        return Error(Code::kInvalidArgument,
                     StrCat("AK ", HexEncode(ak.name()), ": TPM at TCTI '", tcti,
                            "' refuses to load it under its endorsement key (made by another "
                            "TPM, or the TPM was cleared): ",
                            internal::TssErrorText(rc)));
      }
      return CommandError("TPM2_Load (AK)", rc);
    }
    return TransientHandle(ctx(), handle);
  }
};

Tpm::Tpm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tpm::~Tpm() = default;

Result<std::unique_ptr<Tpm>> Tpm::Open(const std::string& tcti,
                                       std::chrono::milliseconds answer_timeout) {
  auto impl = std::make_unique<Impl>();
  impl->tcti = tcti;
  std::string shown = tcti.empty() ? "(tpm2-tss default)" : tcti;
  TSS2_TCTI_CONTEXT* tcti_raw = nullptr;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.empty() ? nullptr : tcti.c_str(), &tcti_raw);
  if (rc != TSS2_RC_SUCCESS) {
    return Error(
        Code::kUnavailable,
        StrCat("TPM at TCTI '", shown, "' is not available (absent, connection refused or busy): ",
               internal::TssErrorText(rc)));
  }
  impl->tcti_ctx.reset(tcti_raw);
  ESYS_CONTEXT* esys_raw = nullptr;
  rc = Esys_Initialize(&esys_raw, tcti_raw, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    return Error(Code::kUnavailable,
                 StrCat("TPM at TCTI '", shown,
                        "': ESAPI initialization failed: ", internal::TssErrorText(rc)));
  }
  impl->esys.reset(esys_raw);
  VOUCH_RETURN_IF_ERROR(impl->ReadFacts(answer_timeout));
  return std::unique_ptr<Tpm>(new Tpm(std::move(impl)));
}

const std::string& Tpm::tcti() const { return impl_->tcti; }
const TpmFacts& Tpm::facts() const { return impl_->facts; }

Result<std::map<uint32_t, Bytes>> Tpm::ReadPcrs(const std::vector<uint32_t>& pcrs) {
  return impl_->ReadPcrs(pcrs);
}

Result<Bytes> Tpm::EndorsementKeyPublic() {
  Bytes pub;
  VOUCH_ASSIGN_OR_RETURN(TransientHandle ek, impl_->CreateEk(&pub));
  return pub;
}

Result<Ak> Tpm::CreateAk() {
  VOUCH_ASSIGN_OR_RETURN(TransientHandle ek, impl_->CreateEk(nullptr));
  VOUCH_ASSIGN_OR_RETURN(TransientHandle session, impl_->EkPolicySession());
  TPM2B_SENSITIVE_CREATE sensitive{};
  TPM2B_PUBLIC tmpl = AkTemplate();
  TPM2B_DATA outside{};
  TPML_PCR_SELECTION creation_pcr{};
  TPM2B_PRIVATE* priv_raw = nullptr;
  TPM2B_PUBLIC* pub_raw = nullptr;
  TPM2B_CREATION_DATA* cdata_raw = nullptr;
  TPM2B_DIGEST* chash_raw = nullptr;
  TPMT_TK_CREATION* ticket_raw = nullptr;
  TSS2_RC rc = Esys_Create(impl_->ctx(), ek.get(), session.get(), ESYS_TR_NONE, ESYS_TR_NONE,
                           &sensitive, &tmpl, &outside, &creation_pcr, &priv_raw, &pub_raw,
                           &cdata_raw, &chash_raw, &ticket_raw);
  EsysPtr<TPM2B_PRIVATE> priv(priv_raw);
  EsysPtr<TPM2B_PUBLIC> pub(pub_raw);
  EsysPtr<TPM2B_CREATION_DATA> cdata(cdata_raw);
  EsysPtr<TPM2B_DIGEST> chash(chash_raw);
  EsysPtr<TPMT_TK_CREATION> ticket(ticket_raw);
  if (rc != TSS2_RC_SUCCESS) return impl_->CommandError("TPM2_Create (AK)", rc);
  auto ak = Ak::FromBlobs(Marshal(*pub, Tss2_MU_TPM2B_PUBLIC_Marshal),
                          Marshal(*priv, Tss2_MU_TPM2B_PRIVATE_Marshal));
  if (!ak.ok()) {
    return Error(Code::kUnavailable,
                 StrCat("TPM at TCTI '", impl_->tcti,
                        "': TPM2_Create returned an unusable AK: ", ak.error().message()));
  }
  return ak;
}

Result<TpmQuote> Tpm::Quote(const Ak& ak, const std::vector<uint32_t>& pcrs, ByteView extra_data) {
  if (extra_data.size() > kMaxQuoteExtraData) {
    return Error(Code::kInvalidArgument,
                 StrCat("quote extraData: expected at most ", kMaxQuoteExtraData, " bytes, got ",
                        extra_data.size()));
  }
  VOUCH_ASSIGN_OR_RETURN(TPML_PCR_SELECTION selection, Sha256Selection(pcrs));
  TPM2B_PUBLIC pub{};
  VOUCH_ASSIGN_OR_RETURN(TransientHandle key, impl_->LoadAk(ak, &pub));
  TPM2B_DATA qualifying{};
  qualifying.size = static_cast<UINT16>(extra_data.size());
  std::copy(extra_data.begin(), extra_data.end(), qualifying.buffer);
  TPMT_SIG_SCHEME scheme{};
  scheme.scheme = TPM2_ALG_NULL;  // the key's own: ECDSA-SHA256

  for (int attempt = 0; attempt < kQuoteAttempts; ++attempt) {
    TPM2B_ATTEST* quoted_raw = nullptr;
    TPMT_SIGNATURE* sig_raw = nullptr;
    TSS2_RC rc = Esys_Quote(impl_->ctx(), key.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                            &qualifying, &scheme, &selection, &quoted_raw, &sig_raw);
    EsysPtr<TPM2B_ATTEST> quoted(quoted_raw);
    EsysPtr<TPMT_SIGNATURE> sig(sig_raw);
    if (rc != TSS2_RC_SUCCESS) return impl_->CommandError("TPM2_Quote", rc);
    TpmQuote out;
    out.attest.assign(
        quoted->attestationData,
        quoted->attestationData + std::min<size_t>(quoted->size, sizeof(quoted->attestationData)));
    out.signature = Marshal(*sig, Tss2_MU_TPMT_SIGNATURE_Marshal);
    VOUCH_ASSIGN_OR_RETURN(out.pcr_values, impl_->ReadPcrs(pcrs));

    // The PCRs may have been extended between the quote and the read.
    auto attest = ParseQuoteAttest(out.attest);
    if (!attest.ok()) {
      return Error(Code::kUnavailable,
                   StrCat("TPM at TCTI '", impl_->tcti,
                          "': TPM2_Quote returned an unusable quote: ", attest.error().message()));
    }
    Bytes concatenated;
    for (const auto& [index, value] : out.pcr_values) {
      concatenated.insert(concatenated.end(), value.begin(), value.end());
    }
    Sha256Digest digest = Sha256(concatenated);
    if (std::equal(digest.begin(), digest.end(), attest->pcr_digest.begin(),
                   attest->pcr_digest.end())) {
      return out;
    }
  }
  return Error(Code::kUnavailable, StrCat("TPM at TCTI '", impl_->tcti,
                                          "': PCR values changed between TPM2_Quote "
                                          "and TPM2_PCR_Read ",
                                          kQuoteAttempts, " times in a row"));
}

}  // namespace vouch
