#include "vouch/measure/tpm.h"

#include <openssl/crypto.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <cstdio>
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

// TCG EK Credential Profile 2.x, template L-1: RSA 2048 endorsement key with
// the same attributes and policy A as L-2 (the key `tpm2_createek -G rsa`
// makes).
TPM2B_PUBLIC RsaEkTemplate() {
  TPM2B_PUBLIC t = EkTemplate();
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_RSA;
  p.parameters = TPMU_PUBLIC_PARMS{};
  TPMS_RSA_PARMS& r = p.parameters.rsaDetail;
  r.symmetric.algorithm = TPM2_ALG_AES;
  r.symmetric.keyBits.aes = 128;
  r.symmetric.mode.aes = TPM2_ALG_CFB;
  r.scheme.scheme = TPM2_ALG_NULL;
  r.keyBits = 2048;
  r.exponent = 0;
  p.unique = TPMU_PUBLIC_ID{};
  p.unique.rsa.size = 256;  // zeros
  return t;
}

// NV indices of EK certificates (TCG EK Credential Profile 2.x §2.2.1.5).
constexpr TPM2_HANDLE kRsaEkCertIndex = 0x01c00002;     // RSA 2048 (L-1)
constexpr TPM2_HANDLE kEccP256EkCertIndex = 0x01c0000a;  // ECC NIST P-256 (L-2)

// The length of the DER element at the start of `data` (tag, length octets
// and contents), or 0 if `data` does not start with a SEQUENCE that fits.
size_t DerSequenceLength(ByteView data) {
  if (data.size() < 2 || data[0] != 0x30) return 0;
  size_t header = 2;
  size_t length = data[1];
  if (length & 0x80) {
    size_t octets = length & 0x7f;
    if (octets == 0 || octets > 3 || data.size() < 2 + octets) return 0;
    length = 0;
    for (size_t i = 0; i < octets; ++i) length = (length << 8) | data[2 + i];
    header += octets;
  }
  return header + length <= data.size() ? header + length : 0;
}

// An ESYS_TR for a TPM entity that is not flushed (an NV index): closed on
// scope exit, the TPM keeps it.
class ClosedOnExit {
 public:
  ClosedOnExit(ESYS_CONTEXT* ctx, ESYS_TR handle) : ctx_(ctx), handle_(handle) {}
  ClosedOnExit(const ClosedOnExit&) = delete;
  ClosedOnExit& operator=(const ClosedOnExit&) = delete;
  ~ClosedOnExit() {
    if (handle_ != ESYS_TR_NONE) Esys_TR_Close(ctx_, &handle_);
  }
  ESYS_TR get() const { return handle_; }

 private:
  ESYS_CONTEXT* ctx_;
  ESYS_TR handle_;
};

// "0x01c00002": an NV index or a response code.
std::string Hex32(TPM2_HANDLE index) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", static_cast<unsigned>(index));
  return text;
}

// The base TPM response code, without the parameter/handle/session number.
TPM2_RC BaseRc(TSS2_RC rc) {
  return (rc & TPM2_RC_FMT1) ? (rc & (TPM2_RC_FMT1 | 0x3f)) : (rc & 0xfff);
}
bool IsTpmRc(TSS2_RC rc) { return (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER; }

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

  // A primary endorsement key from `tmpl`; its TPM2B_PUBLIC in *public_out
  // if not null.
  Result<TransientHandle> CreateEkFromTemplate(TPM2B_PUBLIC tmpl, std::string_view what,
                                               Bytes* public_out) {
    TPM2B_SENSITIVE_CREATE sensitive{};
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
      return CommandError(StrCat("TPM2_CreatePrimary (", what, " endorsement key)"), rc);
    }
    TransientHandle ek(ctx(), handle);
    if (public_out != nullptr) *public_out = Marshal(*pub, Tss2_MU_TPM2B_PUBLIC_Marshal);
    return ek;
  }

  Result<TransientHandle> CreateEk(Bytes* public_out) {
    return CreateEkFromTemplate(EkTemplate(), "ECC", public_out);
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

  // A primary endorsement key of `type` from its default template.
  Result<TransientHandle> CreateEkOfType(EkKeyType type) {
    if (type == EkKeyType::kEccP256) return CreateEk(nullptr);
    return CreateEkFromTemplate(RsaEkTemplate(), "RSA", nullptr);
  }

  // The contents of NV index `index`; kNotFound if it is not defined.
  Result<Bytes> ReadNv(TPM2_HANDLE index) {
    ESYS_TR raw = ESYS_TR_NONE;
    TSS2_RC rc = Esys_TR_FromTPMPublic(ctx(), index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &raw);
    if (rc != TSS2_RC_SUCCESS) {
      if (IsTpmRc(rc) && BaseRc(rc) == TPM2_RC_HANDLE) {
        return Error(Code::kNotFound,
                     StrCat("TPM at TCTI '", tcti, "': NV index ", Hex32(index),
                            " is not defined"));
      }
      return CommandError("TPM2_NV_ReadPublic", rc);
    }
    ClosedOnExit nv(ctx(), raw);
    TPM2B_NV_PUBLIC* nv_pub_raw = nullptr;
    TPM2B_NAME* nv_name_raw = nullptr;
    rc = Esys_NV_ReadPublic(ctx(), nv.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv_pub_raw,
                            &nv_name_raw);
    EsysPtr<TPM2B_NV_PUBLIC> nv_pub(nv_pub_raw);
    EsysPtr<TPM2B_NAME> nv_name(nv_name_raw);
    if (rc != TSS2_RC_SUCCESS) return CommandError("TPM2_NV_ReadPublic", rc);
    const TPMA_NV attrs = nv_pub->nvPublic.attributes;
    ESYS_TR auth = ESYS_TR_NONE;
    if (attrs & TPMA_NV_AUTHREAD) {
      auth = nv.get();
    } else if (attrs & TPMA_NV_OWNERREAD) {
      auth = ESYS_TR_RH_OWNER;
    } else if (attrs & TPMA_NV_PPREAD) {
      auth = ESYS_TR_RH_PLATFORM;
    } else {
      return Error(Code::kUnavailable,
                   StrCat("TPM at TCTI '", tcti, "': NV index allows neither auth, owner nor "
                                                 "platform reads"));
    }
    // TPM2_NV_Read returns at most TPM2_PT_NV_BUFFER_MAX bytes; 512 is below
    // every TPM's limit (swtpm: 2048).
    constexpr UINT16 kChunk = 512;
    const UINT16 size = nv_pub->nvPublic.dataSize;
    Bytes out;
    out.reserve(size);
    while (out.size() < size) {
      UINT16 n = static_cast<UINT16>(std::min<size_t>(kChunk, size - out.size()));
      TPM2B_MAX_NV_BUFFER* data_raw = nullptr;
      rc = Esys_NV_Read(ctx(), auth, nv.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n,
                        static_cast<UINT16>(out.size()), &data_raw);
      EsysPtr<TPM2B_MAX_NV_BUFFER> data(data_raw);
      if (rc != TSS2_RC_SUCCESS) return CommandError("TPM2_NV_Read", rc);
      if (data->size != n) {
        return Error(Code::kUnavailable,
                     StrCat("TPM at TCTI '", tcti, "': TPM2_NV_Read returned ", data->size,
                            " bytes, asked for ", n));
      }
      out.insert(out.end(), data->buffer, data->buffer + data->size);
    }
    return out;
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

Result<Bytes> Tpm::ReadEkCertificate() {
  for (TPM2_HANDLE index : {kRsaEkCertIndex, kEccP256EkCertIndex}) {
    auto nv = impl_->ReadNv(index);
    if (!nv.ok() && nv.error().code() == Code::kNotFound) continue;
    if (!nv.ok()) return nv.error();
    size_t length = DerSequenceLength(*nv);
    if (length == 0) {
      return Error(Code::kMalformed,
                   StrCat("EK certificate in NV index ", Hex32(index), " of TPM at TCTI '",
                          impl_->tcti, "': its ", nv->size(),
                          " bytes do not start with a DER SEQUENCE that fits in them"));
    }
    nv->resize(length);
    return std::move(nv).value();
  }
  return Error(Code::kNotFound,
               StrCat("TPM at TCTI '", impl_->tcti,
                      "' has no EK certificate (NV indices 0x01c00002 RSA and 0x01c0000a ECC "
                      "P-256 are not defined)"));
}

Result<SecretBytes> Tpm::ActivateCredential(const Ak& ak, ByteView id_object,
                                            ByteView encrypted_secret, EkKeyType ek_type) {
  TPM2B_ID_OBJECT blob{};
  size_t off = 0;
  if (id_object.size() < 3 || size_t{id_object[0]} * 256 + id_object[1] != id_object.size() - 2 ||
      Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(id_object.data(), id_object.size(), &off, &blob) != 0 ||
      off != id_object.size()) {
    return Error(Code::kInvalidArgument,
                 StrCat("credential id_object: expected one marshalled TPM2B_ID_OBJECT (2-byte "
                        "size, then 1 to ",
                        sizeof(blob.credential), " bytes), got ", id_object.size(), " bytes"));
  }
  TPM2B_ENCRYPTED_SECRET secret{};
  off = 0;
  if (encrypted_secret.size() < 3 ||
      size_t{encrypted_secret[0]} * 256 + encrypted_secret[1] != encrypted_secret.size() - 2 ||
      Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(encrypted_secret.data(), encrypted_secret.size(),
                                               &off, &secret) != 0 ||
      off != encrypted_secret.size()) {
    return Error(Code::kInvalidArgument,
                 StrCat("credential encrypted_secret: expected one marshalled "
                        "TPM2B_ENCRYPTED_SECRET (2-byte size, then 1 to ",
                        sizeof(secret.secret), " bytes), got ", encrypted_secret.size(),
                        " bytes"));
  }
  TPM2B_PUBLIC pub{};
  VOUCH_ASSIGN_OR_RETURN(TransientHandle key, impl_->LoadAk(ak, &pub));
  VOUCH_ASSIGN_OR_RETURN(TransientHandle ek, impl_->CreateEkOfType(ek_type));
  VOUCH_ASSIGN_OR_RETURN(TransientHandle session, impl_->EkPolicySession());
  TPM2B_DIGEST* cert_info_raw = nullptr;
  TSS2_RC rc = Esys_ActivateCredential(impl_->ctx(), key.get(), ek.get(), ESYS_TR_PASSWORD,
                                       session.get(), ESYS_TR_NONE, &blob, &secret,
                                       &cert_info_raw);
  EsysPtr<TPM2B_DIGEST> cert_info(cert_info_raw);
  if (rc != TSS2_RC_SUCCESS) {
    // A format-one error on parameter 1 or 2 (credentialBlob, secret): the
    // TPM ran the check and the credential failed it. libtpms 0.9 (swtpm)
    // answers TPM_RC_FAILURE when the RSA-OAEP decryption of the seed fails
    // (a seed for another EK, or tampered) yet keeps working: a TPM that
    // still answers TPM2_GetRandom afterwards is not in failure mode, so that
    // too is a refusal of the credential.
    bool refused = IsTpmRc(rc) && (rc & TPM2_RC_FMT1) && (rc & TPM2_RC_P);
    if (IsTpmRc(rc) && BaseRc(rc) == TPM2_RC_FAILURE) {
      TPM2B_DIGEST* random_raw = nullptr;
      TSS2_RC probe = Esys_GetRandom(impl_->ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 1,
                                     &random_raw);
      EsysPtr<TPM2B_DIGEST> random(random_raw);
      refused = probe == TSS2_RC_SUCCESS;
    }
    if (refused) {
      return Error(Code::kBadSignature,
                   StrCat("credential for AK ", HexEncode(ak.name()), ": TPM at TCTI '",
                          impl_->tcti,
                          "' refuses to activate it (made for another AK name or another "
                          "endorsement key, or tampered): ",
                          internal::TssErrorText(rc), " (response code ", Hex32(rc), ")"));
    }
    return impl_->CommandError("TPM2_ActivateCredential", rc);
  }
  SecretBytes out(ByteView(cert_info->buffer, std::min<size_t>(cert_info->size,
                                                               sizeof(cert_info->buffer))));
  OPENSSL_cleanse(cert_info->buffer, sizeof(cert_info->buffer));
  return out;
}

}  // namespace vouch
