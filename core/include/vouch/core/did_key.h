// did:key identifiers for Ed25519 keys (W3C CCG "The did:key Method",
// DESIGN §3 DIDs):
//
//   did:key:z<base58btc(0xed 0x01 ‖ 32-byte Ed25519 public key)>
//
// where 0xed 0x01 is the unsigned-varint form of multicodec ed25519-pub
// (0xed). An Ed25519 did:key is always 56 characters and starts "did:key:z6Mk".
// vouch uses plain DIDs only: DID URLs (fragment, query, path) and keys of
// other types are refused. The DID document is built elsewhere (ledger).
#ifndef VOUCH_CORE_DID_KEY_H_
#define VOUCH_CORE_DID_KEY_H_

#include <string>
#include <string_view>

#include "vouch/core/base58.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch {

// A parsed, valid Ed25519 did:key. Immutable; copies are cheap and safe to
// share between threads.
class DidKey {
 public:
  // Parses `did`. On success did() equals `did` exactly (the encoding is
  // canonical). Returns kMalformed, with a sentence naming the reason, if
  // `did`:
  //   - does not start with "did:key:" (another DID method is named);
  //   - has a multibase prefix other than 'z' (base58btc);
  //   - is a DID URL: has a fragment ('#'), query ('?') or path ('/');
  //   - has a character outside the base58btc alphabet after the 'z';
  //   - is longer than any did:key vouch decodes (9 + kBase58MaxDecodeLength);
  //   - carries a multicodec other than ed25519-pub (the code is named, e.g.
  //     0x1200 p256-pub or 0xec x25519-pub), or a non-minimal varint;
  //   - carries a key that is not 32 bytes or that OpenSSL refuses.
  // The message quotes at most the first characters of `did`, and none of it
  // when the multicodec says the DID holds a private key.
  static Result<DidKey> Parse(std::string_view did);

  // Returns the did:key of `key`.
  static DidKey FromPublicKey(const Ed25519PublicKey& key);

  // "did:key:z6Mk…", 56 characters.
  const std::string& did() const { return did_; }
  const Ed25519PublicKey& public_key() const { return public_key_; }

  bool operator==(const DidKey& other) const { return did_ == other.did_; }

 private:
  DidKey(std::string did, Ed25519PublicKey public_key)
      : did_(std::move(did)), public_key_(std::move(public_key)) {}
  std::string did_;
  Ed25519PublicKey public_key_;
};

}  // namespace vouch

#endif  // VOUCH_CORE_DID_KEY_H_
