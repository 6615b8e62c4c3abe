// COSE_Sign1 (RFC 9052 §4.2) on vouch's deterministic CBOR (DESIGN §3 "Host
// VC", "Owner policy"):
//
//   COSE_Sign1 = #6.18([protected: bstr .cbor header_map,
//                       unprotected: header_map,
//                       payload: bstr,
//                       signature: bstr])
//   Sig_structure = ["Signature1", body_protected, external_aad, payload]
//
// ToBeSigned is the deterministic encoding of Sig_structure. Algorithms:
// EdDSA (-8) with Ed25519 keys and ES256 (-7) with P-256 keys (signature =
// raw r ‖ s, 64 bytes). The alg is always the protected header 1 and is set
// by Sign() from the key; callers never pass it.
//
// What vouch accepts (Parse), stricter than RFC 9052 on purpose:
//   - the whole message and the protected header are deterministically
//     encoded CBOR (RFC 8949 §4.2.1), so Encode() of a parsed message
//     returns exactly the input bytes;
//   - the message is tagged 18; an untagged COSE_Sign1 is refused (vouch
//     always writes the tag);
//   - the payload is embedded (a detached, nil payload is refused);
//   - the protected header is a map holding alg (label 1, an integer);
//   - no crit (label 2) in either header: vouch understands no critical
//     header parameters, so a message that marks any as critical is refused;
//   - header labels are integers or text strings, no label is in both the
//     protected and the unprotected header, and alg is never unprotected.
// Parse does not judge the alg value; Verify does (unsupported alg →
// kMalformed; alg of another key type → kBadSignature).
//
// Countersignatures (RFC 9338) live in the unprotected header label 11; see
// vouch/core/countersign.h. They are not covered by the COSE_Sign1
// signature, so adding one leaves the message verifiable as before. Parse
// does not look inside label 11; Countersignatures() does.
//
// CoseSign1 is a value type; const methods are thread-safe.
#ifndef VOUCH_CORE_COSE_SIGN1_H_
#define VOUCH_CORE_COSE_SIGN1_H_

#include <cstdint>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/core/p256.h"

namespace vouch {

namespace cose {
// CBOR tag of COSE_Sign1 (RFC 9052 §2).
inline constexpr uint64_t kTagSign1 = 18;
// Header labels (RFC 9052 §3.1, RFC 9338 §2).
inline constexpr int64_t kHeaderAlg = 1;
inline constexpr int64_t kHeaderCrit = 2;
inline constexpr int64_t kHeaderContentType = 3;
inline constexpr int64_t kHeaderKid = 4;
inline constexpr int64_t kHeaderCountersignatureV2 = 11;
// Algorithms (RFC 9053 §2.1, §2.2).
inline constexpr int64_t kAlgEdDSA = -8;
inline constexpr int64_t kAlgES256 = -7;

// Returns the Sig_structure for a COSE_Sign1 (RFC 9052 §4.4), encoded:
// ["Signature1", body_protected, external_aad, payload].
Bytes Sign1ToBeSigned(ByteView body_protected, ByteView external_aad, ByteView payload);
}  // namespace cose

class Countersignature;

class CoseSign1 {
 public:
  // Parses an encoded, tagged COSE_Sign1 under the rules above. Returns
  // kMalformed with a sentence naming what is wrong: not deterministic CBOR
  // or over `limits`, missing or wrong tag, not a 4-element array, a field of
  // the wrong type, a protected header that is not a deterministic map, no
  // alg or a non-integer alg, crit present, alg unprotected, a label in both
  // headers, a label that is neither integer nor text.
  static Result<CoseSign1> Parse(ByteView encoded, const cbor::DecodeLimits& limits = {});

  // Signs `payload`. The protected header is `protected_extra` plus
  // {1: alg}, alg taken from the key (EdDSA -8 / ES256 -7).
  // `protected_extra` and `unprotected` must be maps (use
  // cbor::Value::Map({}) for none) whose labels are integers or text, that
  // share no label, and hold neither alg (1) nor crit (2); `unprotected`
  // must not hold label 11 (countersignatures are added afterwards with
  // AddCountersignature). kInvalidArgument otherwise.
  static Result<CoseSign1> Sign(const cbor::Value& protected_extra, const cbor::Value& unprotected,
                                ByteView payload, const Ed25519PrivateKey& key,
                                ByteView external_aad = {});
  static Result<CoseSign1> Sign(const cbor::Value& protected_extra, const cbor::Value& unprotected,
                                ByteView payload, const P256PrivateKey& key,
                                ByteView external_aad = {});

  // Ok if the message is signed with EdDSA (protected alg -8) by `key` over
  // `external_aad`. kMalformed if the protected alg is not one vouch
  // supports; kBadSignature if it is ES256 (another key type), or if the
  // signature does not verify (wrong key, altered message or aad).
  Status Verify(const Ed25519PublicKey& key, ByteView external_aad = {}) const;
  // The same for ES256 (protected alg -7) and a P-256 key.
  Status Verify(const P256PublicKey& key, ByteView external_aad = {}) const;

  // The protected header map (includes alg) and its exact encoded bytes.
  const cbor::Value& protected_headers() const { return protected_; }
  ByteView protected_bytes() const { return protected_bytes_; }
  // The unprotected header map (countersignatures in label 11).
  const cbor::Value& unprotected() const { return unprotected_; }
  const Bytes& payload() const { return payload_; }
  const Bytes& signature() const { return signature_; }
  // The protected alg (-8 or -7 for messages vouch can verify).
  int64_t alg() const { return alg_; }

  // Sets unprotected header `label` to `value` (replacing it if present).
  // The signature stays valid: unprotected headers are not signed. Returns
  // kInvalidArgument if `label` is neither an integer nor text, is alg (1),
  // crit (2) or countersignatures (11; see AddCountersignature), or is a
  // protected label.
  Status SetUnprotectedHeader(const cbor::Value& label, cbor::Value value);

  // The encoded Sig_structure this message's signature covers.
  Bytes ToBeSigned(ByteView external_aad = {}) const;

  // The deterministic encoding, tagged 18. For a parsed message (and no
  // countersignature added since) these are exactly the parsed bytes.
  Bytes Encode() const;

 private:
  friend Status AddCountersignature(CoseSign1& target, const Countersignature& countersignature);

  CoseSign1() = default;
  // The two Sign overloads: `alg` is the one that goes with Key.
  template <typename Key>
  static Result<CoseSign1> SignWith(const cbor::Value& protected_extra,
                                    const cbor::Value& unprotected, ByteView payload,
                                    const Key& key, int64_t alg, ByteView external_aad);

  Bytes protected_bytes_;
  cbor::Value protected_;
  cbor::Value unprotected_;
  Bytes payload_;
  Bytes signature_;
  int64_t alg_ = 0;
};

}  // namespace vouch

#endif  // VOUCH_CORE_COSE_SIGN1_H_
