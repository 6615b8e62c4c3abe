// HPKE (RFC 9180) in base mode over OpenSSL 3 EVP primitives.
//
// The KEM is fixed to DHKEM(X25519, HKDF-SHA256) (kem_id 0x0020) and the KDF
// to HKDF-SHA256 (kdf_id 0x0001); the AEAD is a parameter. vouch seals Shamir
// shares with suite A.1 of RFC 9180 — X25519, HKDF-SHA256, AES-128-GCM
// (HpkeAead::kAes128Gcm) — see DESIGN §3 "Shares". The share layer (fixed
// info prefix "vouch share v1", CBOR [enc, ct]) is built on top of this file;
// callers of that layer never pass info prefixes.
//
// Misuse resistance: callers never choose the ephemeral key, `enc` or
// nonces. SetupBaseS/HpkeSeal generate a fresh ephemeral key per call;
// contexts compute each nonce from their own sequence number (RFC 9180 §5.2).
// Plaintexts that come out of Open are SecretBytes.
//
// Error codes used throughout:
//   kInvalidArgument  the caller passed something unusable: a recipient
//                     public key that is not 32 bytes or is a low-order
//                     point, an unknown HpkeAead value, Seal/Open on the
//                     export-only AEAD, an Export length or context out of
//                     range, an input larger than OpenSSL's int sizes.
//   kCrypto           a message cannot be opened: enc not 32 bytes or a
//                     low-order point, wrong recipient key, different info
//                     or aad, a message opened out of order, a tampered or
//                     truncated ciphertext; also a context that reached its
//                     message limit.
//   kInternal         an OpenSSL call failed unexpectedly.
//
// Thread safety: X25519PrivateKey is immutable; const methods may be called
// concurrently. HpkeSenderContext / HpkeRecipientContext carry a sequence
// number and are not thread-safe (one context, one thread at a time).
#ifndef VOUCH_CORE_HPKE_H_
#define VOUCH_CORE_HPKE_H_

#include <cstddef>
#include <cstdint>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/core/ssl_ptr.h"

namespace vouch {

namespace internal {
struct HpkeAccess;  // defined in hpke.cc; gives hpke.cc and its testing hooks access
}  // namespace internal

// RFC 9180 §7.3 AEAD identifiers.
enum class HpkeAead : uint16_t {
  kAes128Gcm = 0x0001,
  kAes256Gcm = 0x0002,
  kChaCha20Poly1305 = 0x0003,
  kExportOnly = 0xFFFF,  // no Seal/Open; Export only
};

inline constexpr size_t kX25519KeySize = 32;     // Npk = Nsk
inline constexpr size_t kHpkeEncSize = 32;       // Nenc for DHKEM(X25519)
inline constexpr size_t kHpkeTagSize = 16;       // Nt for all three AEADs
inline constexpr size_t kHpkeMaxExportSize = 255 * 32;  // 255 * Nh (RFC 9180 §5.3)
// Longest exporter_context Export accepts. Early OpenSSL 3.0 releases cap
// HKDF's expand `info` at 1024 bytes (3.0.22: 32 KiB) and LabeledExpand adds
// 22 (I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ "sec"); vouch keeps the lower
// bound so behaviour does not depend on the OpenSSL build.
inline constexpr size_t kHpkeMaxExporterContextSize = 1024 - 22;
// A context seals or opens at most this many messages (RFC 9180 allows up to
// 2^96 - 1; vouch keeps a 64-bit counter and stops one short of its maximum).
inline constexpr uint64_t kHpkeMaxMessages = UINT64_MAX;

// An X25519 private key (RFC 7748) with its 32-byte public key: an HPKE
// recipient key (validator), or the ephemeral key E of DESIGN §3.
class X25519PrivateKey {
 public:
  // A fresh random key. Aborts only if OpenSSL cannot allocate or the RNG fails.
  static X25519PrivateKey Generate();
  // From the 32 raw private-key bytes (RFC 9180 §7.1.2 DeserializePrivateKey;
  // clamping happens when the key is used). kInvalidArgument unless 32 bytes.
  static Result<X25519PrivateKey> FromRaw(const SecretBytes& raw);
  // RFC 9180 §7.1.3 DeriveKeyPair for DHKEM(X25519, HKDF-SHA256):
  // sk = LabeledExpand(LabeledExtract("", "dkp_prk", ikm), "sk", "", 32).
  // The key is exactly as strong as `ikm`. kInvalidArgument if `ikm` is
  // shorter than 32 bytes (RFC 9180: SHOULD be at least Nsk bytes).
  static Result<X25519PrivateKey> DeriveKeyPair(const SecretBytes& ikm);

  X25519PrivateKey(X25519PrivateKey&&) noexcept = default;
  X25519PrivateKey& operator=(X25519PrivateKey&&) noexcept = default;

  // The 32-byte public key (SerializePublicKey). Lives as long as *this.
  const Bytes& public_key() const { return public_key_; }
  // The 32 private-key bytes as given to FromRaw or produced by
  // DeriveKeyPair, not clamped (the form RFC 9180 Appendix A lists as skRm;
  // X25519 clamps on use, so clamped and unclamped bytes are the same key).
  SecretBytes Serialize() const;

 private:
  friend struct internal::HpkeAccess;
  X25519PrivateKey(SslPtr<EVP_PKEY> key, Bytes public_key);
  SslPtr<EVP_PKEY> key_;
  Bytes public_key_;
};

// The sender side of an HPKE context (RFC 9180 §5.2 ContextS). Obtained from
// SetupBaseS. Move-only.
class HpkeSenderContext {
 public:
  HpkeSenderContext(HpkeSenderContext&&) noexcept = default;
  HpkeSenderContext& operator=(HpkeSenderContext&&) noexcept = default;

  HpkeAead aead() const { return aead_; }

  // Encrypts `plaintext` with `aad` under the next sequence number and
  // returns ct (ciphertext ‖ 16-byte tag). The recipient must Open messages
  // in the order they were sealed. kInvalidArgument for the export-only AEAD
  // or inputs over 2^31 - 17 bytes; kCrypto once kHpkeMaxMessages messages
  // were sealed (set up a new context).
  Result<Bytes> Seal(ByteView aad, ByteView plaintext);

  // RFC 9180 §5.3: LabeledExpand(exporter_secret, "sec", exporter_context, length).
  // Does not change the sequence number. kInvalidArgument unless
  // 1 <= length <= kHpkeMaxExportSize and
  // exporter_context.size() <= kHpkeMaxExporterContextSize.
  Result<SecretBytes> Export(ByteView exporter_context, size_t length) const;

 private:
  friend struct internal::HpkeAccess;
  HpkeSenderContext(HpkeAead aead, SecretBytes key, SecretBytes base_nonce,
                    SecretBytes exporter_secret);
  HpkeAead aead_;
  SecretBytes key_;
  SecretBytes base_nonce_;
  SecretBytes exporter_secret_;
  uint64_t seq_ = 0;
};

// The recipient side of an HPKE context (RFC 9180 §5.2 ContextR). Obtained
// from SetupBaseR. Move-only.
class HpkeRecipientContext {
 public:
  HpkeRecipientContext(HpkeRecipientContext&&) noexcept = default;
  HpkeRecipientContext& operator=(HpkeRecipientContext&&) noexcept = default;

  HpkeAead aead() const { return aead_; }

  // Decrypts the next message (sealed with `aad` under this context's next
  // sequence number) and returns its plaintext. kCrypto if it does not
  // authenticate (wrong key/info/aad, out of order, tampered, shorter than
  // the tag); a failed Open does not advance the sequence number, so the
  // right message can still be opened afterwards. kInvalidArgument for the
  // export-only AEAD; kCrypto once kHpkeMaxMessages messages were opened.
  Result<SecretBytes> Open(ByteView aad, ByteView ciphertext);

  // As HpkeSenderContext::Export; both sides export the same secrets.
  Result<SecretBytes> Export(ByteView exporter_context, size_t length) const;

 private:
  friend struct internal::HpkeAccess;
  HpkeRecipientContext(HpkeAead aead, SecretBytes key, SecretBytes base_nonce,
                       SecretBytes exporter_secret);
  HpkeAead aead_;
  SecretBytes key_;
  SecretBytes base_nonce_;
  SecretBytes exporter_secret_;
  uint64_t seq_ = 0;
};

// What SetupBaseS returns: `enc` (the 32-byte encapsulated ephemeral public
// key, to send along with the ciphertexts) and the sender context.
struct HpkeSenderSetup {
  Bytes enc;
  HpkeSenderContext context;
};

// RFC 9180 §5.1.1 SetupBaseS with a fresh ephemeral key. kInvalidArgument if
// `recipient_public_key` is not 32 bytes or is a low-order point (the X25519
// shared secret would be all zero), or `aead` is not an HpkeAead value.
Result<HpkeSenderSetup> SetupBaseS(ByteView recipient_public_key, ByteView info, HpkeAead aead);

// RFC 9180 §5.1.1 SetupBaseR. kCrypto if `enc` is not 32 bytes or is a
// low-order point; kInvalidArgument for an unknown `aead`. A wrong key or a
// different `info` is not detected here: the first Open fails (kCrypto) and
// Export returns different secrets.
Result<HpkeRecipientContext> SetupBaseR(ByteView enc, const X25519PrivateKey& recipient_key,
                                        ByteView info, HpkeAead aead);

// One message: enc and ct (ciphertext ‖ tag).
struct HpkeSealed {
  Bytes enc;
  Bytes ct;
};

// RFC 9180 §6.1 single-shot SealBase: SetupBaseS then one Seal. Errors as
// SetupBaseS and HpkeSenderContext::Seal (kInvalidArgument for kExportOnly).
Result<HpkeSealed> HpkeSeal(ByteView recipient_public_key, ByteView info, ByteView aad,
                            ByteView plaintext, HpkeAead aead);

// RFC 9180 §6.1 single-shot OpenBase: SetupBaseR then one Open. kCrypto with
// "HPKE open failed: …" if the message was not sealed to `recipient_key` with
// this `info`, `aad` and `aead`, or `enc`/`ct` were altered.
Result<SecretBytes> HpkeOpen(const X25519PrivateKey& recipient_key, ByteView enc, ByteView info,
                             ByteView aad, ByteView ct, HpkeAead aead);

}  // namespace vouch

#endif  // VOUCH_CORE_HPKE_H_
