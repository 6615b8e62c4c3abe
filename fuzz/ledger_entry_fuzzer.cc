// libFuzzer target: the ledger entry decoder (vouch/ledger/entry.h) and the
// governance rules it feeds (vouch/ledger/chain_state.h). Beyond "no crash,
// no sanitizer report" it aborts if a promise breaks:
//   - an entry Parse accepts is exactly its input (deterministic encoding),
//     its digest is the SHA-256 of the input, and ParsePinned agrees;
//   - its body survives BodyToCbor → BodyFromCbor unchanged;
//   - every refusal is kMalformed or kBadSignature with a message;
//   - ChainState::Check on an accepted entry never changes the state.
// Check runs against a fixed chain: a genesis whose only governance key is
// the RFC 8032 §7.1 TEST 1 key (quorums 1), then a validator (TEST 2 key)
// admitted by it, so the seed corpus (fuzz/corpus/ledger_entry/, written
// with those keys) holds entries that pass Check as well as broken ones.
#include <cstdlib>

#include "vouch/core/secret_bytes.h"
#include "vouch/ledger/chain_state.h"
#include "vouch/ledger/entry.h"

namespace {

using namespace vouch::ledger;  // NOLINT

vouch::Ed25519PrivateKey KeyFromSeed(const char* hex) {
  auto seed = vouch::HexDecode(hex);
  auto key = vouch::Ed25519PrivateKey::FromSeed(vouch::SecretBytes::Adopt(std::move(seed).value()));
  if (!key.ok()) std::abort();
  return std::move(key).value();
}

const ChainState& FixedChain() {
  static const ChainState* state = [] {
    auto gov = KeyFromSeed("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    auto val = KeyFromSeed("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    auto* s = new ChainState();
    GenesisBody g;
    g.governance = {vouch::DidKey::FromPublicKey(gov.public_key()).did()};
    auto genesis = Entry::Sign(0, kGenesisPrev, 1764000000, g, gov);
    if (!genesis.ok() || !s->Apply(*genesis).ok()) std::abort();
    ValidatorRegisterBody v;
    v.did = vouch::DidKey::FromPublicKey(val.public_key()).did();
    v.hpke_pk = vouch::Bytes(32, 7);
    v.endpoint = "http://127.0.0.1:7001";
    v.operator_name = "op-a";
    v.region = "eu-west";
    auto reg = Entry::Sign(1, s->head_digest(), 1764000001, v, val);
    if (!reg.ok()) std::abort();
    auto admitted = reg->Countersigned(gov);
    if (!admitted.ok() || !s->Apply(*admitted).ok()) std::abort();
    return s;
  }();
  return *state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ChainState& chain = FixedChain();
  const vouch::ByteView input(data, size);

  auto entry = Entry::Parse(input);
  auto pinned = Entry::ParsePinned(input);
  if (!entry.ok()) {
    vouch::Code code = entry.error().code();
    if ((code != vouch::Code::kMalformed && code != vouch::Code::kBadSignature) ||
        entry.error().message().empty()) {
      std::abort();
    }
    // Only a signature can fail Parse and not ParsePinned.
    if (pinned.ok() && code != vouch::Code::kBadSignature) std::abort();
    if (!pinned.ok()) return 0;
    (void)chain.Check(*pinned);
    return 0;
  }
  if (!pinned.ok() || pinned->digest() != entry->digest()) std::abort();
  if (entry->encoded().size() != size || !std::equal(entry->encoded().begin(), entry->encoded().end(), data)) {
    std::abort();
  }
  if (entry->digest() != vouch::Sha256(input)) std::abort();
  if (entry->message().Encode() != entry->encoded()) std::abort();

  auto body = BodyFromCbor(entry->type(), BodyToCbor(entry->body()));
  if (!body.ok() || !(*body == entry->body())) std::abort();

  const uint64_t before = chain.size();
  const vouch::Sha256Digest head = chain.head_digest();
  vouch::Status checked = chain.Check(*entry);
  if (!checked.ok() && checked.error().message().empty()) std::abort();
  if (chain.size() != before || chain.head_digest() != head) std::abort();
  return 0;
}
