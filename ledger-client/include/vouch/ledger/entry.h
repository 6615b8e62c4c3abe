// One ledger entry (DESIGN §6): a COSE_Sign1 (EdDSA) by its author,
//
//   protected   {1: -8, 3: "application/vouch-ledger-entry+cbor", 4: author DID as bstr}
//   unprotected {} or {11: [+ COSE_Countersignature]}   (validator-register, revoke, checkpoint, reinstate, reference only)
//   payload     {"type": tstr, "index": uint, "prev": bstr(32), "at": int, "body": map}
//
// `prev` is the SHA-256 of the encoded entry index-1 (32 zero bytes for
// entry 0), `at` the author's clock in seconds, `body` the type-specific map
// of vouch/ledger/entry_body.h. The digest of an entry is the SHA-256 of its
// exact encoding, countersignatures included: once appended an entry never
// changes, so countersignatures are collected before it is appended.
//
// Countersignatures are RFC 9338 v2 (vouch/core/countersign.h) with
// protected {1: -8, 4: signer DID as bstr}: governance keys admitting a
// validator-register, joining a governance revoke, reinstate or reference (admit_quorum),
// validators cosigning a checkpoint. Each signer at most
// once, never the author.
//
// Parse checks everything an entry says about itself: strict deterministic
// CBOR, the header layout, the payload and body fields, the author's
// signature and every countersignature. Whether the author may write it,
// and whether it continues the chain, is ChainState's (chain_state.h).
//
// Entry is an immutable value type; const methods are thread-safe.
#ifndef VOUCH_LEDGER_ENTRY_H_
#define VOUCH_LEDGER_ENTRY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/entry_body.h"

namespace vouch::ledger {

inline constexpr std::string_view kEntryContentType = "application/vouch-ledger-entry+cbor";
// Largest encoded entry a reader accepts.
inline constexpr size_t kMaxEntrySize = 256 * 1024;
// The `prev` of entry 0.
inline constexpr Sha256Digest kGenesisPrev{};

class Entry {
 public:
  // Signs a new entry at `index` whose predecessor has digest `prev`, dated
  // `at`, with `body` (its type is the body's). kInvalidArgument if Parse
  // would refuse the result (a body breaking the rules of entry_body.h, an
  // index above 2^63-1, more than kMaxEntrySize bytes); the message says why.
  static Result<Entry> Sign(uint64_t index, const Sha256Digest& prev, int64_t at, EntryBody body,
                            const Ed25519PrivateKey& author);

  // Parses and verifies an encoded entry. kMalformed, naming the part, if it
  // is not a well-formed entry (see the file comment; also: larger than
  // kMaxEntrySize, an index above 2^63-1, countersignatures on a type that
  // carries none, a signer that countersigns twice or is the author);
  // kBadSignature if the author's signature or a countersignature does not
  // verify with the DID in its kid.
  static Result<Entry> Parse(ByteView encoded);

  // As Parse, but checks no signature. REQUIRES: `encoded` is pinned by a
  // digest the caller trusts (its own hash, or the hash chain up to a
  // trusted checkpoint); LedgerClient::OpenFromCheckpoint uses it for the
  // prefix a checkpoint vouches for.
  static Result<Entry> ParsePinned(ByteView encoded);

  // Returns this entry with `key`'s countersignature added. kInvalidArgument
  // if the type carries no countersignatures (only validator-register,
  // revoke and checkpoint do), or `key` is the author or has countersigned already.
  Result<Entry> Countersigned(const Ed25519PrivateKey& key) const;

  EntryType type() const { return TypeOf(body_); }
  uint64_t index() const { return index_; }
  const Sha256Digest& prev() const { return prev_; }
  int64_t at() const { return at_; }
  const EntryBody& body() const { return body_; }
  // The body as type T. REQUIRES: type() is T's type.
  template <typename T>
  const T& body_as() const { return std::get<T>(body_); }

  const DidKey& author() const { return author_; }
  // DIDs of the countersigners, in the order they appear.
  const std::vector<std::string>& countersigners() const { return countersigners_; }
  // Whether Parse (or Sign) checked the signatures; false after ParsePinned.
  bool signatures_verified() const { return signatures_verified_; }

  const CoseSign1& message() const { return message_; }
  // The exact encoding (what is stored) and its SHA-256.
  const Bytes& encoded() const { return encoded_; }
  const Sha256Digest& digest() const { return digest_; }

 private:
  Entry(CoseSign1 message, Bytes encoded, DidKey author, uint64_t index, Sha256Digest prev,
        int64_t at, EntryBody body, std::vector<std::string> countersigners, bool verified);
  static Result<Entry> ParseImpl(ByteView encoded, bool verify);

  CoseSign1 message_;
  Bytes encoded_;
  Sha256Digest digest_;
  DidKey author_;
  uint64_t index_;
  Sha256Digest prev_;
  int64_t at_;
  EntryBody body_;
  std::vector<std::string> countersigners_;
  bool signatures_verified_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_ENTRY_H_
