#include "vouch/core/did_key.h"

#include <cstdint>
#include <optional>

#include "vouch/core/base58.h"

namespace vouch {
namespace {

constexpr std::string_view kPrefix = "did:key:";
constexpr char kBase58Btc = 'z';  // multibase prefix
constexpr uint64_t kEd25519Pub = 0xed;
constexpr uint8_t kEd25519PubVarint[] = {0xed, 0x01};
constexpr size_t kMaxVarintBytes = 9;  // multiformats unsigned-varint limit
constexpr size_t kQuoteMax = 24;       // characters of a refused DID shown in messages

// 'text' for messages: at most kQuoteMax characters, non-printable bytes and
// quotes as \xNN, "..." when cut.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kQuoteMax; ++i) {
    auto u = static_cast<uint8_t>(text[i]);
    if (u >= 0x20 && u <= 0x7e && u != '\'' && u != '\\') {
      out.push_back(text[i]);
    } else {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  if (text.size() > kQuoteMax) out += "...";
  out += "'";
  return out;
}

struct Codec {
  uint64_t code;
  const char* name;
  bool is_private;
};

// Key multicodecs (multiformats/multicodec table.csv) named in refusals.
constexpr Codec kKnownCodecs[] = {
    {0xe7, "secp256k1-pub", false},   {0xea, "bls12_381-g1-pub", false},
    {0xeb, "bls12_381-g2-pub", false}, {0xec, "x25519-pub", false},
    {0xed, "ed25519-pub", false},     {0xee, "bls12_381-g1g2-pub", false},
    {0xef, "sr25519-pub", false},     {0x1200, "p256-pub", false},
    {0x1201, "p384-pub", false},      {0x1202, "p521-pub", false},
    {0x1203, "ed448-pub", false},     {0x1204, "x448-pub", false},
    {0x1205, "rsa-pub", false},       {0x1206, "sm2-pub", false},
    {0x1300, "ed25519-priv", true},   {0x1301, "secp256k1-priv", true},
    {0x1302, "x25519-priv", true},    {0x1303, "sr25519-priv", true},
    {0x1305, "rsa-priv", true},       {0x1306, "p256-priv", true},
    {0x1307, "p384-priv", true},      {0x1308, "p521-priv", true},
};

const Codec* FindCodec(uint64_t code) {
  for (const Codec& c : kKnownCodecs) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

const char* MultibaseName(char prefix) {
  switch (prefix) {
    case 'f': return " (base16)";
    case 'b': return " (base32)";
    case 'm': return " (base64)";
    case 'u': return " (base64url)";
    case '1': return " (bare base58btc without its 'z' prefix?)";
    default: return "";
  }
}

struct Varint {
  uint64_t value;
  size_t length;
};

// Reads one unsigned LEB128 varint from the front of `data`; nullopt if it
// is cut off or longer than kMaxVarintBytes.
std::optional<Varint> ReadVarint(ByteView data) {
  uint64_t value = 0;
  for (size_t i = 0; i < data.size() && i < kMaxVarintBytes; ++i) {
    value |= static_cast<uint64_t>(data[i] & 0x7f) << (7 * i);
    if ((data[i] & 0x80) == 0) return Varint{value, i + 1};
  }
  return std::nullopt;
}

std::string Hex(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  if (digits.size() % 2 != 0) digits.insert(digits.begin(), '0');
  return "0x" + digits;
}

}  // namespace

Result<DidKey> DidKey::Parse(std::string_view did) {
  const std::string q = Quote(did);
  if (!did.starts_with(kPrefix)) {
    if (did.starts_with("did:")) {
      std::string_view method = did.substr(4, did.find(':', 4) - 4);
      return Error(Code::kMalformed, StrCat("DID ", q, " uses method ", Quote(method),
                                            "; vouch accepts only did:key"));
    }
    return Error(Code::kMalformed, StrCat(q, " is not a DID: expected it to start with \"did:key:\""));
  }
  std::string_view id = did.substr(kPrefix.size());
  if (size_t at = did.find_first_of("#?/"); at != std::string_view::npos) {
    return Error(Code::kMalformed,
                 StrCat("DID ", q, ": unexpected '", did[at], "' at offset ", at,
                        "; vouch accepts a plain did:key, not a DID URL with fragment, query or path"));
  }
  if (id.empty()) {
    return Error(Code::kMalformed,
                 StrCat("DID ", q, ": the method-specific identifier after \"did:key:\" is empty"));
  }
  if (id[0] != kBase58Btc) {
    return Error(Code::kMalformed, StrCat("DID ", q, ": expected multibase prefix 'z' (base58btc), got ",
                                          Quote(id.substr(0, 1)), MultibaseName(id[0])));
  }
  std::string_view text = id.substr(1);
  if (text.size() > kBase58MaxDecodeLength) {
    return Error(Code::kMalformed,
                 StrCat("DID ", q, ": ", did.size(), " characters is longer than any did:key vouch decodes (",
                        kPrefix.size() + 1 + kBase58MaxDecodeLength, "; an Ed25519 did:key has 56)"));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsBase58Char(text[i])) {
      return Error(Code::kMalformed,
                   StrCat("DID ", q, ": ", Quote(text.substr(i, 1)), " at offset ",
                          kPrefix.size() + 1 + i, " is not a base58btc character"));
    }
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, Base58Decode(text));

  std::optional<Varint> codec = ReadVarint(bytes);
  if (!codec) {
    return Error(Code::kMalformed,
                 StrCat("DID ", q, ": the ", bytes.size(),
                        " decoded bytes do not start with a complete multicodec varint"));
  }
  if (codec->value != kEd25519Pub) {
    const Codec* known = FindCodec(codec->value);
    if (known == nullptr) {
      // Most likely a damaged Ed25519 DID rather than another key type.
      return Error(Code::kMalformed,
                   StrCat("DID ", q, " does not decode to a key multicodec (got ", Hex(codec->value),
                          "); an Ed25519 did:key has 56 characters and starts \"did:key:z6Mk\", this one has ",
                          did.size()));
    }
    if (known->is_private) {
      // The identifier is a private key: do not repeat any of it.
      return Error(Code::kMalformed,
                   StrCat("did:key carries multicodec ", Hex(codec->value), " (", known->name,
                          "), a PRIVATE key (not shown); vouch accepts only ed25519-pub (0xed, varint bytes ed 01)"));
    }
    return Error(Code::kMalformed,
                 StrCat("DID ", q, " uses multicodec ", Hex(codec->value), " (", known->name,
                        "); vouch accepts only ed25519-pub (0xed, varint bytes ed 01)"));
  }
  if (codec->length != sizeof(kEd25519PubVarint)) {
    return Error(Code::kMalformed,
                 StrCat("DID ", q, ": multicodec ed25519-pub is encoded in ", codec->length,
                        " bytes, expected the minimal varint ed 01"));
  }
  ByteView raw = ByteView(bytes).subspan(codec->length);
  if (raw.size() != kEd25519PublicKeySize) {
    return Error(Code::kMalformed, StrCat("DID ", q, ": ed25519-pub key is ", raw.size(),
                                          " bytes, expected ", kEd25519PublicKeySize));
  }
  Result<Ed25519PublicKey> key = Ed25519PublicKey::FromRaw(raw);
  if (!key.ok()) {
    return Error(Code::kMalformed, StrCat("DID ", q, ": ", key.error().message()));
  }
  return DidKey(std::string(did), std::move(key).value());
}

DidKey DidKey::FromPublicKey(const Ed25519PublicKey& key) {
  Bytes multicodec = Concat({ByteView(kEd25519PubVarint), key.raw()});
  return DidKey(StrCat(kPrefix, kBase58Btc, Base58Encode(multicodec)), key);
}

}  // namespace vouch
