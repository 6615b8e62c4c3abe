// cose_tool: drives vouch's COSE_Sign1 and RFC 9338 countersignature code
// for tests/interop/cose_interop.mjs. All byte arguments and outputs are hex.
//
//   cose_tool sign-eddsa SEED PAYLOAD PROTECTED_EXTRA UNPROTECTED [AAD]
//       PROTECTED_EXTRA and UNPROTECTED are encoded CBOR maps ("a0" = none);
//       prints the tagged COSE_Sign1
//   cose_tool sign-es256 PAYLOAD PROTECTED_EXTRA UNPROTECTED [AAD]
//       signs with a fresh P-256 key; prints the COSE_Sign1, then the key's
//       x and y on a second line separated by a space
//   cose_tool verify-eddsa PUB MESSAGE [AAD]          prints "ok"
//   cose_tool verify-es256 X Y MESSAGE [AAD]          prints "ok"
//   cose_tool countersign SEED MESSAGE PROTECTED_EXTRA
//       prints MESSAGE with the countersignature appended in label 11
//   cose_tool verify-countersignatures MESSAGE PUB...
//       countersignature i must verify with PUB i and their counts must
//       match; prints "ok N"
//   cose_tool tobesign MESSAGE [AAD]                  prints the Sig_structure
//
// On a vouch error it prints "<code-name>: <message>" on stderr and exits 1;
// on a usage error it exits 2. Test-only: takes private keys on the command line.
#include <cstdio>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/cbor.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/countersign.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/p256.h"
#include "vouch/core/secret_bytes.h"

namespace {

using vouch::Bytes;
using vouch::Error;

int Usage() {
  std::fprintf(stderr,
               "usage: cose_tool sign-eddsa SEED PAYLOAD PROTECTED_EXTRA UNPROTECTED [AAD]\n"
               "       cose_tool sign-es256 PAYLOAD PROTECTED_EXTRA UNPROTECTED [AAD]\n"
               "       cose_tool verify-eddsa PUB MESSAGE [AAD]\n"
               "       cose_tool verify-es256 X Y MESSAGE [AAD]\n"
               "       cose_tool countersign SEED MESSAGE PROTECTED_EXTRA\n"
               "       cose_tool verify-countersignatures MESSAGE PUB...\n"
               "       cose_tool tobesign MESSAGE [AAD]\n");
  return 2;
}

int Fail(const Error& error) {
  std::fprintf(stderr, "%s\n", error.ToString().c_str());
  return 1;
}

// Decodes hex argument `index` of argv, naming it on error.
vouch::Result<Bytes> Arg(char** argv, int index, const char* name) {
  auto bytes = vouch::HexDecode(argv[index]);
  if (!bytes.ok()) return bytes.error().WithContext(name);
  return bytes;
}

vouch::Result<vouch::cbor::Value> CborArg(char** argv, int index, const char* name) {
  auto bytes = Arg(argv, index, name);
  if (!bytes.ok()) return bytes.error();
  auto value = vouch::cbor::Decode(*bytes);
  if (!value.ok()) return value.error().WithContext(name);
  return value;
}

vouch::Result<vouch::Ed25519PrivateKey> SeedArg(char** argv, int index) {
  auto seed = Arg(argv, index, "SEED");
  if (!seed.ok()) return seed.error();
  return vouch::Ed25519PrivateKey::FromSeed(vouch::SecretBytes::Adopt(std::move(seed).value()));
}

int Print(const Bytes& bytes) {
  std::printf("%s\n", vouch::HexEncode(bytes).c_str());
  return 0;
}

int SignEdDsa(int argc, char** argv) {
  if (argc != 6 && argc != 7) return Usage();
  auto key = SeedArg(argv, 2);
  if (!key.ok()) return Fail(key.error());
  auto payload = Arg(argv, 3, "PAYLOAD");
  if (!payload.ok()) return Fail(payload.error());
  auto protected_extra = CborArg(argv, 4, "PROTECTED_EXTRA");
  if (!protected_extra.ok()) return Fail(protected_extra.error());
  auto unprotected = CborArg(argv, 5, "UNPROTECTED");
  if (!unprotected.ok()) return Fail(unprotected.error());
  Bytes aad;
  if (argc == 7) {
    auto a = Arg(argv, 6, "AAD");
    if (!a.ok()) return Fail(a.error());
    aad = *a;
  }
  auto message = vouch::CoseSign1::Sign(*protected_extra, *unprotected, *payload, *key, aad);
  if (!message.ok()) return Fail(message.error());
  return Print(message->Encode());
}

int SignEs256(int argc, char** argv) {
  if (argc != 5 && argc != 6) return Usage();
  auto payload = Arg(argv, 2, "PAYLOAD");
  if (!payload.ok()) return Fail(payload.error());
  auto protected_extra = CborArg(argv, 3, "PROTECTED_EXTRA");
  if (!protected_extra.ok()) return Fail(protected_extra.error());
  auto unprotected = CborArg(argv, 4, "UNPROTECTED");
  if (!unprotected.ok()) return Fail(unprotected.error());
  Bytes aad;
  if (argc == 6) {
    auto a = Arg(argv, 5, "AAD");
    if (!a.ok()) return Fail(a.error());
    aad = *a;
  }
  vouch::P256PrivateKey key = vouch::P256PrivateKey::Generate();
  auto message = vouch::CoseSign1::Sign(*protected_extra, *unprotected, *payload, key, aad);
  if (!message.ok()) return Fail(message.error());
  Print(message->Encode());
  std::printf("%s %s\n", vouch::HexEncode(key.public_key().x()).c_str(),
              vouch::HexEncode(key.public_key().y()).c_str());
  return 0;
}

int VerifyEdDsa(int argc, char** argv) {
  if (argc != 4 && argc != 5) return Usage();
  auto pub = Arg(argv, 2, "PUB");
  if (!pub.ok()) return Fail(pub.error());
  auto key = vouch::Ed25519PublicKey::FromRaw(*pub);
  if (!key.ok()) return Fail(key.error());
  auto encoded = Arg(argv, 3, "MESSAGE");
  if (!encoded.ok()) return Fail(encoded.error());
  Bytes aad;
  if (argc == 5) {
    auto a = Arg(argv, 4, "AAD");
    if (!a.ok()) return Fail(a.error());
    aad = *a;
  }
  auto message = vouch::CoseSign1::Parse(*encoded);
  if (!message.ok()) return Fail(message.error());
  vouch::Status s = message->Verify(*key, aad);
  if (!s.ok()) return Fail(s.error());
  std::printf("ok\n");
  return 0;
}

int VerifyEs256(int argc, char** argv) {
  if (argc != 5 && argc != 6) return Usage();
  auto x = Arg(argv, 2, "X");
  if (!x.ok()) return Fail(x.error());
  auto y = Arg(argv, 3, "Y");
  if (!y.ok()) return Fail(y.error());
  auto key = vouch::P256PublicKey::FromCoordinates(*x, *y);
  if (!key.ok()) return Fail(key.error());
  auto encoded = Arg(argv, 4, "MESSAGE");
  if (!encoded.ok()) return Fail(encoded.error());
  Bytes aad;
  if (argc == 6) {
    auto a = Arg(argv, 5, "AAD");
    if (!a.ok()) return Fail(a.error());
    aad = *a;
  }
  auto message = vouch::CoseSign1::Parse(*encoded);
  if (!message.ok()) return Fail(message.error());
  vouch::Status s = message->Verify(*key, aad);
  if (!s.ok()) return Fail(s.error());
  std::printf("ok\n");
  return 0;
}

int CountersignCmd(int argc, char** argv) {
  if (argc != 5) return Usage();
  auto key = SeedArg(argv, 2);
  if (!key.ok()) return Fail(key.error());
  auto encoded = Arg(argv, 3, "MESSAGE");
  if (!encoded.ok()) return Fail(encoded.error());
  auto protected_extra = CborArg(argv, 4, "PROTECTED_EXTRA");
  if (!protected_extra.ok()) return Fail(protected_extra.error());
  auto message = vouch::CoseSign1::Parse(*encoded);
  if (!message.ok()) return Fail(message.error());
  auto cs = vouch::Countersign(*message, *protected_extra, *key);
  if (!cs.ok()) return Fail(cs.error());
  vouch::Status added = vouch::AddCountersignature(*message, *cs);
  if (!added.ok()) return Fail(added.error());
  return Print(message->Encode());
}

int VerifyCountersignatures(int argc, char** argv) {
  if (argc < 3) return Usage();
  auto encoded = Arg(argv, 2, "MESSAGE");
  if (!encoded.ok()) return Fail(encoded.error());
  auto message = vouch::CoseSign1::Parse(*encoded);
  if (!message.ok()) return Fail(message.error());
  auto all = vouch::Countersignatures(*message);
  if (!all.ok()) return Fail(all.error());
  const size_t expected = static_cast<size_t>(argc - 3);
  if (all->size() != expected) {
    return Fail(Error(vouch::Code::kInvalidArgument,
                      vouch::StrCat("message has ", all->size(), " countersignatures, ", expected,
                                    " keys were given")));
  }
  for (size_t i = 0; i < all->size(); ++i) {
    auto pub = Arg(argv, static_cast<int>(3 + i), "PUB");
    if (!pub.ok()) return Fail(pub.error());
    auto key = vouch::Ed25519PublicKey::FromRaw(*pub);
    if (!key.ok()) return Fail(key.error());
    vouch::Status s = (*all)[i].Verify(*message, *key);
    if (!s.ok()) return Fail(s.error().WithContext(vouch::StrCat("countersignature ", i)));
  }
  std::printf("ok %zu\n", all->size());
  return 0;
}

int ToBeSign(int argc, char** argv) {
  if (argc != 3 && argc != 4) return Usage();
  auto encoded = Arg(argv, 2, "MESSAGE");
  if (!encoded.ok()) return Fail(encoded.error());
  Bytes aad;
  if (argc == 4) {
    auto a = Arg(argv, 3, "AAD");
    if (!a.ok()) return Fail(a.error());
    aad = *a;
  }
  auto message = vouch::CoseSign1::Parse(*encoded);
  if (!message.ok()) return Fail(message.error());
  return Print(message->ToBeSigned(aad));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  if (command == "sign-eddsa") return SignEdDsa(argc, argv);
  if (command == "sign-es256") return SignEs256(argc, argv);
  if (command == "verify-eddsa") return VerifyEdDsa(argc, argv);
  if (command == "verify-es256") return VerifyEs256(argc, argv);
  if (command == "countersign") return CountersignCmd(argc, argv);
  if (command == "verify-countersignatures") return VerifyCountersignatures(argc, argv);
  if (command == "tobesign") return ToBeSign(argc, argv);
  return Usage();
}
