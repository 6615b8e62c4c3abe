// RFC 9180 base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AEAD as given.
// Section numbers in comments refer to RFC 9180.
#include "vouch/core/hpke.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "vouch/core/internal/hpke_testing.h"

namespace vouch {
namespace {

constexpr uint16_t kKemId = 0x0020;  // DHKEM(X25519, HKDF-SHA256)
constexpr uint16_t kKdfId = 0x0001;  // HKDF-SHA256
constexpr size_t kNh = 32;           // HKDF-SHA256 output size
constexpr size_t kNsecret = 32;      // DHKEM(X25519) shared secret size
constexpr uint8_t kModeBase = 0x00;
constexpr std::string_view kHpkeVersion = "HPKE-v1";
constexpr size_t kMaxAeadInput = static_cast<size_t>(INT_MAX) - kHpkeTagSize;

struct AeadParams {
  const EVP_CIPHER* (*cipher)();  // null for export-only
  size_t nk;
  size_t nn;
};

Result<AeadParams> ParamsFor(HpkeAead aead) {
  switch (aead) {
    case HpkeAead::kAes128Gcm:
      return AeadParams{EVP_aes_128_gcm, 16, 12};
    case HpkeAead::kAes256Gcm:
      return AeadParams{EVP_aes_256_gcm, 32, 12};
    case HpkeAead::kChaCha20Poly1305:
      return AeadParams{EVP_chacha20_poly1305, 32, 12};
    case HpkeAead::kExportOnly:
      return AeadParams{nullptr, 0, 0};
  }
  uint16_t id = static_cast<uint16_t>(aead);
  uint8_t be[2] = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id & 0xff)};
  return Error(Code::kInvalidArgument,
               StrCat("HPKE AEAD id: expected 0x0001, 0x0002, 0x0003 or 0xffff, got 0x",
                      HexEncode(be)));
}

void AppendU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void Append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

// §4.1: suite_id = "KEM" ‖ I2OSP(kem_id, 2).
Bytes KemSuiteId() {
  Bytes id = ToBytes("KEM");
  AppendU16(id, kKemId);
  return id;
}

// §5.1: suite_id = "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2).
Bytes HpkeSuiteId(HpkeAead aead) {
  Bytes id = ToBytes("HPKE");
  AppendU16(id, kKemId);
  AppendU16(id, kKdfId);
  AppendU16(id, static_cast<uint16_t>(aead));
  return id;
}

// OSSL_PARAM octet strings take a non-const pointer but are only read here.
OSSL_PARAM OctetParam(const char* key, ByteView data) {
  return OSSL_PARAM_construct_octet_string(key, const_cast<uint8_t*>(data.data()), data.size());
}

// One EVP_KDF "HKDF" (SHA-256) call in `mode` (extract-only or expand-only).
Result<SecretBytes> Hkdf(int mode, ByteView key, ByteView salt, ByteView info, size_t length) {
  SslPtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return Error(Code::kInternal, StrCat("cannot fetch HKDF: ", SslErrorString()));
  SslPtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return Error(Code::kInternal, StrCat("cannot create HKDF context: ", SslErrorString()));
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OctetParam(OSSL_KDF_PARAM_KEY, key);
  // HKDF with no salt = HMAC keyed with the empty string = HashLen zeros (RFC 5869 §2.2).
  if (!salt.empty()) params[n++] = OctetParam(OSSL_KDF_PARAM_SALT, salt);
  if (!info.empty()) params[n++] = OctetParam(OSSL_KDF_PARAM_INFO, info);
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.ExposeMutable().data(), length, params) != 1) {
    return Error(Code::kInternal, StrCat("HKDF-SHA256 failed: ", SslErrorString()));
  }
  return out;
}

// §4: LabeledExtract(salt, label, ikm) =
//   Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).
Result<SecretBytes> LabeledExtract(ByteView suite_id, ByteView salt, std::string_view label,
                                   ByteView ikm) {
  Bytes labeled_ikm;
  labeled_ikm.reserve(kHpkeVersion.size() + suite_id.size() + label.size() + ikm.size());
  Append(labeled_ikm, AsBytes(kHpkeVersion));
  Append(labeled_ikm, suite_id);
  Append(labeled_ikm, AsBytes(label));
  Append(labeled_ikm, ikm);
  SecretBytes secret_ikm = SecretBytes::Adopt(std::move(labeled_ikm));  // ikm may be a secret
  return Hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, secret_ikm.Expose(), salt, {}, kNh);
}

// §4: LabeledExpand(prk, label, info, L) =
//   Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L).
Result<SecretBytes> LabeledExpand(ByteView suite_id, const SecretBytes& prk, std::string_view label,
                                  ByteView info, size_t length) {
  Bytes labeled_info;
  AppendU16(labeled_info, static_cast<uint16_t>(length));
  Append(labeled_info, AsBytes(kHpkeVersion));
  Append(labeled_info, suite_id);
  Append(labeled_info, AsBytes(label));
  Append(labeled_info, info);
  return Hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk.Expose(), {}, labeled_info, length);
}

bool IsAllZero(ByteView b) {
  uint8_t acc = 0;
  for (uint8_t x : b) acc |= x;
  return acc == 0;
}

Result<Bytes> RawPublicKey(EVP_PKEY* key) {
  Bytes pub(kX25519KeySize);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key, pub.data(), &len) != 1 || len != kX25519KeySize) {
    return Error(Code::kInternal, StrCat("cannot read X25519 public key: ", SslErrorString()));
  }
  return pub;
}

// §5.2: nonce = base_nonce XOR I2OSP(seq, Nn).
Bytes ComputeNonce(const SecretBytes& base_nonce, uint64_t seq) {
  Bytes nonce(base_nonce.Expose().begin(), base_nonce.Expose().end());
  for (size_t i = 0; i < 8 && i < nonce.size(); ++i) {
    nonce[nonce.size() - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  }
  return nonce;
}

Result<Bytes> AeadSeal(const AeadParams& p, const SecretBytes& key, ByteView nonce, ByteView aad,
                       ByteView pt) {
  if (pt.size() > kMaxAeadInput || aad.size() > kMaxAeadInput) {
    return Error(Code::kInvalidArgument,
                 StrCat("HPKE seal: plaintext and aad must be at most ", kMaxAeadInput,
                        " bytes, got ", pt.size(), " and ", aad.size()));
  }
  SslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  Bytes ct(pt.size() + kHpkeTagSize);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), p.cipher(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN,
                                static_cast<int>(nonce.size()), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.Expose().data(), nonce.data()) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  size_t written = 0;
  if (ok && !pt.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), ct.data(), &len, pt.data(), static_cast<int>(pt.size())) == 1;
    written = static_cast<size_t>(len);
  }
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), ct.data() + written, &len) == 1;
  written += static_cast<size_t>(len);
  ok = ok && written == pt.size() &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kHpkeTagSize),
                           ct.data() + pt.size()) == 1;
  if (!ok) return Error(Code::kInternal, StrCat("HPKE AEAD seal failed: ", SslErrorString()));
  return ct;
}

constexpr std::string_view kOpenFailed =
    "HPKE open failed: wrong recipient key, different info or aad, message out of order, or "
    "tampered ciphertext";

Result<SecretBytes> AeadOpen(const AeadParams& p, const SecretBytes& key, ByteView nonce,
                             ByteView aad, ByteView ct) {
  if (ct.size() < kHpkeTagSize) {
    return Error(Code::kCrypto, StrCat("HPKE ciphertext: expected at least ", kHpkeTagSize,
                                       " bytes (the tag), got ", ct.size()));
  }
  if (ct.size() > static_cast<size_t>(INT_MAX) || aad.size() > kMaxAeadInput) {
    return Error(Code::kInvalidArgument,
                 StrCat("HPKE open: ciphertext and aad must be at most ", INT_MAX, " and ",
                        kMaxAeadInput, " bytes, got ", ct.size(), " and ", aad.size()));
  }
  size_t pt_size = ct.size() - kHpkeTagSize;
  SslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  SecretBytes pt(pt_size);
  // The tag is copied because the ctrl takes a non-const pointer.
  uint8_t tag[kHpkeTagSize];
  std::copy(ct.end() - kHpkeTagSize, ct.end(), tag);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), p.cipher(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN,
                                static_cast<int>(nonce.size()), nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.Expose().data(), nonce.data()) == 1;
  if (!ok) return Error(Code::kInternal, StrCat("HPKE AEAD init failed: ", SslErrorString()));
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return Error(Code::kInternal, StrCat("HPKE AEAD aad failed: ", SslErrorString()));
  }
  size_t written = 0;
  if (pt_size > 0) {
    if (EVP_DecryptUpdate(ctx.get(), pt.ExposeMutable().data(), &len, ct.data(),
                          static_cast<int>(pt_size)) != 1) {
      return Error(Code::kInternal, StrCat("HPKE AEAD decrypt failed: ", SslErrorString()));
    }
    written = static_cast<size_t>(len);
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kHpkeTagSize), tag) !=
      1) {
    return Error(Code::kInternal, StrCat("HPKE AEAD set tag failed: ", SslErrorString()));
  }
  // An empty SecretBytes has no storage: give EVP_DecryptFinal_ex a scratch byte.
  uint8_t scratch = 0;
  uint8_t* tail = pt_size > 0 ? pt.ExposeMutable().data() + written : &scratch;
  int rc = EVP_DecryptFinal_ex(ctx.get(), tail, &len);
  ERR_clear_error();
  if (rc != 1) return Error(Code::kCrypto, std::string(kOpenFailed));
  return pt;
}

Status CheckExport(ByteView exporter_context, size_t length) {
  if (length == 0 || length > kHpkeMaxExportSize) {
    return Error(Code::kInvalidArgument, StrCat("HPKE export length: expected 1 to ",
                                                kHpkeMaxExportSize, " bytes, got ", length));
  }
  if (exporter_context.size() > kHpkeMaxExporterContextSize) {
    return Error(Code::kInvalidArgument,
                 StrCat("HPKE exporter context: expected at most ", kHpkeMaxExporterContextSize,
                        " bytes, got ", exporter_context.size()));
  }
  return Ok();
}

}  // namespace

namespace internal {

// The one friend of the classes in hpke.h: the KEM, the key schedule and
// the testing hooks reach private members through it.
struct HpkeAccess {
  static X25519PrivateKey MakeKey(SslPtr<EVP_PKEY> key, Bytes pub) {
    return X25519PrivateKey(std::move(key), std::move(pub));
  }

  // DH(sk, pk) = X25519(sk, pk), refusing the all-zero output (§7.1.4).
  // Errors carry `code` and name `what` (the peer key's role).
  static Result<SecretBytes> Dh(const X25519PrivateKey& sk, ByteView peer, Code code,
                                std::string_view what) {
    if (peer.size() != kX25519KeySize) {
      return Error(code, StrCat(what, ": expected ", kX25519KeySize, " bytes, got ", peer.size()));
    }
    SslPtr<EVP_PKEY> peer_key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
    if (!peer_key) {
      return Error(code, StrCat(what, ": rejected as an X25519 public key: ", SslErrorString()));
    }
    SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, sk.key_.get(), nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1) {
      return Error(Code::kInternal, StrCat("X25519 derive setup failed: ", SslErrorString()));
    }
    SecretBytes dh(kX25519KeySize);
    size_t len = dh.size();
    int rc = EVP_PKEY_derive(ctx.get(), dh.ExposeMutable().data(), &len);
    ERR_clear_error();
    // OpenSSL refuses an all-zero result itself; the explicit check keeps the
    // RFC's MUST visible and independent of the OpenSSL version.
    if (rc != 1 || len != kX25519KeySize || IsAllZero(dh.Expose())) {
      return Error(code, StrCat(what, ": low-order X25519 point (the shared secret is all zero)"));
    }
    return dh;
  }

  // §4.1: ExtractAndExpand(dh, kem_context).
  static Result<SecretBytes> ExtractAndExpand(const SecretBytes& dh, ByteView kem_context) {
    Bytes suite = KemSuiteId();
    VOUCH_ASSIGN_OR_RETURN(SecretBytes eae_prk, LabeledExtract(suite, {}, "eae_prk", dh.Expose()));
    return LabeledExpand(suite, eae_prk, "shared_secret", kem_context, kNsecret);
  }

  // §4.1 Encap with the given ephemeral key.
  static Result<DhkemEncapsulationForTesting> Encap(ByteView pk_r, const X25519PrivateKey& sk_e) {
    VOUCH_ASSIGN_OR_RETURN(
        SecretBytes dh, Dh(sk_e, pk_r, Code::kInvalidArgument, "HPKE recipient public key"));
    Bytes enc = sk_e.public_key();
    Bytes kem_context = Concat({enc, pk_r});
    VOUCH_ASSIGN_OR_RETURN(SecretBytes shared_secret, ExtractAndExpand(dh, kem_context));
    return DhkemEncapsulationForTesting{std::move(enc), std::move(shared_secret)};
  }

  // §4.1 Decap.
  static Result<SecretBytes> Decap(ByteView enc, const X25519PrivateKey& sk_r) {
    VOUCH_ASSIGN_OR_RETURN(SecretBytes dh, Dh(sk_r, enc, Code::kCrypto, "HPKE enc"));
    Bytes kem_context = Concat({enc, sk_r.public_key()});
    return ExtractAndExpand(dh, kem_context);
  }

  // §5.1 KeySchedule<ROLE>(mode_base, shared_secret, info, "", "").
  static Result<HpkeKeyScheduleForTesting> KeySchedule(HpkeAead aead,
                                                       const SecretBytes& shared_secret,
                                                       ByteView info) {
    VOUCH_ASSIGN_OR_RETURN(AeadParams p, ParamsFor(aead));
    Bytes suite = HpkeSuiteId(aead);
    VOUCH_ASSIGN_OR_RETURN(SecretBytes psk_id_hash, LabeledExtract(suite, {}, "psk_id_hash", {}));
    VOUCH_ASSIGN_OR_RETURN(SecretBytes info_hash, LabeledExtract(suite, {}, "info_hash", info));
    Bytes key_schedule_context = Concat({ByteView(&kModeBase, 1), psk_id_hash.Expose(),
                                         info_hash.Expose()});
    // secret = LabeledExtract(shared_secret, "secret", psk) with psk = "".
    VOUCH_ASSIGN_OR_RETURN(SecretBytes secret,
                           LabeledExtract(suite, shared_secret.Expose(), "secret", {}));
    HpkeKeyScheduleForTesting out;
    if (p.nk > 0) {  // the export-only AEAD has Nk = Nn = 0: no key, no nonce
      VOUCH_ASSIGN_OR_RETURN(out.key,
                             LabeledExpand(suite, secret, "key", key_schedule_context, p.nk));
      VOUCH_ASSIGN_OR_RETURN(out.base_nonce, LabeledExpand(suite, secret, "base_nonce",
                                                           key_schedule_context, p.nn));
    }
    VOUCH_ASSIGN_OR_RETURN(out.exporter_secret,
                           LabeledExpand(suite, secret, "exp", key_schedule_context, kNh));
    return out;
  }

  static Result<HpkeSenderSetup> SetupS(ByteView pk_r, ByteView info, HpkeAead aead,
                                        const X25519PrivateKey& sk_e) {
    VOUCH_RETURN_IF_ERROR(ParamsFor(aead));
    VOUCH_ASSIGN_OR_RETURN(DhkemEncapsulationForTesting encap, Encap(pk_r, sk_e));
    VOUCH_ASSIGN_OR_RETURN(HpkeKeyScheduleForTesting ks,
                           KeySchedule(aead, encap.shared_secret, info));
    return HpkeSenderSetup{std::move(encap.enc),
                           HpkeSenderContext(aead, std::move(ks.key), std::move(ks.base_nonce),
                                             std::move(ks.exporter_secret))};
  }

  static Result<HpkeRecipientContext> SetupR(ByteView enc, const X25519PrivateKey& sk_r,
                                             ByteView info, HpkeAead aead) {
    VOUCH_RETURN_IF_ERROR(ParamsFor(aead));
    VOUCH_ASSIGN_OR_RETURN(SecretBytes shared_secret, Decap(enc, sk_r));
    VOUCH_ASSIGN_OR_RETURN(HpkeKeyScheduleForTesting ks, KeySchedule(aead, shared_secret, info));
    return HpkeRecipientContext(aead, std::move(ks.key), std::move(ks.base_nonce),
                                std::move(ks.exporter_secret));
  }

  static void SetSeq(HpkeSenderContext& c, uint64_t seq) { c.seq_ = seq; }
  static void SetSeq(HpkeRecipientContext& c, uint64_t seq) { c.seq_ = seq; }
};

Result<DhkemEncapsulationForTesting> DhkemEncapWithEphemeralKeyForTesting(
    ByteView recipient_public_key, const X25519PrivateKey& ephemeral) {
  return HpkeAccess::Encap(recipient_public_key, ephemeral);
}

Result<SecretBytes> DhkemDecapForTesting(ByteView enc, const X25519PrivateKey& recipient_key) {
  return HpkeAccess::Decap(enc, recipient_key);
}

Result<HpkeKeyScheduleForTesting> KeyScheduleBaseForTesting(HpkeAead aead,
                                                            const SecretBytes& shared_secret,
                                                            ByteView info) {
  return HpkeAccess::KeySchedule(aead, shared_secret, info);
}

Result<HpkeSenderSetup> SetupBaseSWithEphemeralKeyForTesting(ByteView recipient_public_key,
                                                             ByteView info, HpkeAead aead,
                                                             const X25519PrivateKey& ephemeral) {
  return HpkeAccess::SetupS(recipient_public_key, info, aead, ephemeral);
}

void SetSequenceNumberForTesting(HpkeSenderContext& context, uint64_t seq) {
  HpkeAccess::SetSeq(context, seq);
}
void SetSequenceNumberForTesting(HpkeRecipientContext& context, uint64_t seq) {
  HpkeAccess::SetSeq(context, seq);
}

}  // namespace internal

using internal::HpkeAccess;

// ---- X25519PrivateKey ----

X25519PrivateKey::X25519PrivateKey(SslPtr<EVP_PKEY> key, Bytes public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}

X25519PrivateKey X25519PrivateKey::Generate() {
  SslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  if (!key) std::abort();
  auto pub = RawPublicKey(key.get());
  if (!pub.ok()) std::abort();
  return HpkeAccess::MakeKey(std::move(key), std::move(pub).value());
}

Result<X25519PrivateKey> X25519PrivateKey::FromRaw(const SecretBytes& raw) {
  if (raw.size() != kX25519KeySize) {
    return Error(Code::kInvalidArgument, StrCat("X25519 private key: expected ", kX25519KeySize,
                                                " bytes, got ", raw.size()));
  }
  SslPtr<EVP_PKEY> key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr,
                                                    raw.Expose().data(), raw.size()));
  if (!key) {
    return Error(Code::kInternal,
                 StrCat("X25519 private key rejected by OpenSSL: ", SslErrorString()));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes pub, RawPublicKey(key.get()));
  return HpkeAccess::MakeKey(std::move(key), std::move(pub));
}

Result<X25519PrivateKey> X25519PrivateKey::DeriveKeyPair(const SecretBytes& ikm) {
  if (ikm.size() < kX25519KeySize) {
    return Error(Code::kInvalidArgument, StrCat("X25519 DeriveKeyPair ikm: expected at least ",
                                                kX25519KeySize, " bytes, got ", ikm.size()));
  }
  // §7.1.3, with the KEM's suite_id.
  Bytes suite = KemSuiteId();
  VOUCH_ASSIGN_OR_RETURN(SecretBytes dkp_prk, LabeledExtract(suite, {}, "dkp_prk", ikm.Expose()));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes sk, LabeledExpand(suite, dkp_prk, "sk", {}, kX25519KeySize));
  return FromRaw(sk);
}

SecretBytes X25519PrivateKey::Serialize() const {
  SecretBytes raw(kX25519KeySize);
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), raw.ExposeMutable().data(), &len) != 1 ||
      len != kX25519KeySize) {
    std::abort();  // cannot fail for a key built by this class
  }
  return raw;
}

// ---- Contexts ----

HpkeSenderContext::HpkeSenderContext(HpkeAead aead, SecretBytes key, SecretBytes base_nonce,
                                     SecretBytes exporter_secret)
    : aead_(aead),
      key_(std::move(key)),
      base_nonce_(std::move(base_nonce)),
      exporter_secret_(std::move(exporter_secret)) {}

HpkeRecipientContext::HpkeRecipientContext(HpkeAead aead, SecretBytes key, SecretBytes base_nonce,
                                           SecretBytes exporter_secret)
    : aead_(aead),
      key_(std::move(key)),
      base_nonce_(std::move(base_nonce)),
      exporter_secret_(std::move(exporter_secret)) {}

namespace {

Status CheckCanEncrypt(HpkeAead aead, uint64_t seq, std::string_view op) {
  if (aead == HpkeAead::kExportOnly) {
    return Error(Code::kInvalidArgument,
                 StrCat("HPKE context: the export-only AEAD (0xffff) cannot ", op, "; use Export"));
  }
  // §5.2 IncrementSeq: fail rather than reuse a nonce.
  if (seq == kHpkeMaxMessages) {
    return Error(Code::kCrypto, StrCat("HPKE context: message limit of ", kHpkeMaxMessages,
                                       " reached; set up a new context"));
  }
  return Ok();
}

Result<SecretBytes> ExportFrom(HpkeAead aead, const SecretBytes& exporter_secret,
                               ByteView exporter_context, size_t length) {
  VOUCH_RETURN_IF_ERROR(CheckExport(exporter_context, length));
  return LabeledExpand(HpkeSuiteId(aead), exporter_secret, "sec", exporter_context, length);
}

}  // namespace

Result<Bytes> HpkeSenderContext::Seal(ByteView aad, ByteView plaintext) {
  VOUCH_RETURN_IF_ERROR(CheckCanEncrypt(aead_, seq_, "seal"));
  VOUCH_ASSIGN_OR_RETURN(AeadParams p, ParamsFor(aead_));
  VOUCH_ASSIGN_OR_RETURN(Bytes ct, AeadSeal(p, key_, ComputeNonce(base_nonce_, seq_), aad,
                                            plaintext));
  ++seq_;
  return ct;
}

Result<SecretBytes> HpkeSenderContext::Export(ByteView exporter_context, size_t length) const {
  return ExportFrom(aead_, exporter_secret_, exporter_context, length);
}

Result<SecretBytes> HpkeRecipientContext::Open(ByteView aad, ByteView ciphertext) {
  VOUCH_RETURN_IF_ERROR(CheckCanEncrypt(aead_, seq_, "open"));
  VOUCH_ASSIGN_OR_RETURN(AeadParams p, ParamsFor(aead_));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes pt, AeadOpen(p, key_, ComputeNonce(base_nonce_, seq_), aad,
                                                  ciphertext));
  ++seq_;  // only after success (§5.2 ContextR.Open)
  return pt;
}

Result<SecretBytes> HpkeRecipientContext::Export(ByteView exporter_context, size_t length) const {
  return ExportFrom(aead_, exporter_secret_, exporter_context, length);
}

// ---- Setup and single-shot ----

Result<HpkeSenderSetup> SetupBaseS(ByteView recipient_public_key, ByteView info, HpkeAead aead) {
  X25519PrivateKey ephemeral = X25519PrivateKey::Generate();
  return HpkeAccess::SetupS(recipient_public_key, info, aead, ephemeral);
}

Result<HpkeRecipientContext> SetupBaseR(ByteView enc, const X25519PrivateKey& recipient_key,
                                        ByteView info, HpkeAead aead) {
  return HpkeAccess::SetupR(enc, recipient_key, info, aead);
}

Result<HpkeSealed> HpkeSeal(ByteView recipient_public_key, ByteView info, ByteView aad,
                            ByteView plaintext, HpkeAead aead) {
  VOUCH_ASSIGN_OR_RETURN(HpkeSenderSetup setup, SetupBaseS(recipient_public_key, info, aead));
  VOUCH_ASSIGN_OR_RETURN(Bytes ct, setup.context.Seal(aad, plaintext));
  return HpkeSealed{std::move(setup.enc), std::move(ct)};
}

Result<SecretBytes> HpkeOpen(const X25519PrivateKey& recipient_key, ByteView enc, ByteView info,
                             ByteView aad, ByteView ct, HpkeAead aead) {
  VOUCH_ASSIGN_OR_RETURN(HpkeRecipientContext context,
                         SetupBaseR(enc, recipient_key, info, aead));
  return context.Open(aad, ct);
}

}  // namespace vouch
