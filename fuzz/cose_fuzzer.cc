// COSE_Sign1 + RFC 9338 countersignature parser and verifier: never
// crashes; anything Parse accepts re-encodes to exactly the input; every
// countersignature it finds is checked against fixed keys (most inputs fail,
// which is the point: the verify paths run on hostile headers).
//
// Fixed keys: Ed25519 from the RFC 8032 §7.1 TEST 1 seed (also key "11" of
// the cose-wg Examples) and P-256 key "11" of the cose-wg Examples, so the
// seed corpus (fuzz/corpus/cose/) holds messages that verify: cose-wg
// eddsa-sig-01 and ecdsa-sig-01, the RFC 9338 Sign1 countersignature
// example, and messages written with tests/interop/cose_tool using that
// seed (`cose_tool sign-eddsa` / `countersign` with it as host and
// validator key), plus broken variants.
#include <cstdlib>

#include "vouch/core/cbor.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/countersign.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/p256.h"
#include "vouch/core/secret_bytes.h"

namespace {

struct Keys {
  vouch::Ed25519PrivateKey ed;
  vouch::P256PublicKey p256;
};

const Keys& FixedKeys() {
  static const Keys* keys = [] {
    auto seed =
        vouch::HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    auto x = vouch::HexDecode("bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff");
    auto y = vouch::HexDecode("20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e");
    auto ed =
        vouch::Ed25519PrivateKey::FromSeed(vouch::SecretBytes::Adopt(std::move(seed).value()));
    auto p = vouch::P256PublicKey::FromCoordinates(*x, *y);
    if (!ed.ok() || !p.ok()) std::abort();
    return new Keys{std::move(ed).value(), std::move(p).value()};
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Keys& keys = FixedKeys();
  vouch::cbor::DecodeLimits limits;
  limits.max_input_size = 1 << 16;
  limits.max_items = 4096;
  const vouch::ByteView input(data, size);

  auto message = vouch::CoseSign1::Parse(input, limits);
  if (!message.ok()) {
    // A standalone COSE_Countersignature (a validator's "endorsement").
    (void)vouch::Countersignature::Parse(input, limits);
    return 0;
  }
  vouch::Bytes again = message->Encode();
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();

  (void)message->Verify(keys.ed.public_key());
  (void)message->Verify(keys.p256);
  (void)message->Verify(keys.ed.public_key(), vouch::AsBytes("aad"));

  auto countersignatures = vouch::Countersignatures(*message, limits);
  if (!countersignatures.ok()) return 0;
  for (const vouch::Countersignature& cs : *countersignatures) {
    (void)cs.Verify(*message, keys.ed.public_key());
    // A standalone countersignature round-trips through its own encoding.
    auto reparsed = vouch::Countersignature::Parse(cs.Encode(), limits);
    if (!reparsed.ok() || reparsed->Encode() != cs.Encode()) std::abort();
  }
  // Appending keeps every countersignature readable, in order, plus one.
  if (!countersignatures->empty() && countersignatures->size() < 64) {
    vouch::CoseSign1 copy = *message;
    if (!vouch::AddCountersignature(copy, countersignatures->front()).ok()) std::abort();
    auto after = vouch::Countersignatures(copy, limits);
    if (!after.ok() || after->size() != countersignatures->size() + 1) std::abort();
    if (after->back().Encode() != countersignatures->front().Encode()) std::abort();
  }
  return 0;
}
