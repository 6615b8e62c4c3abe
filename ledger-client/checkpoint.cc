#include "vouch/ledger/checkpoint.h"

#include <algorithm>
#include <map>

#include "internal/cbor_reader.h"
#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"

namespace vouch::ledger {
namespace {

using cbor::Value;

constexpr std::string_view kDomain = "vouch-checkpoint-v1";

Bytes SigningInput(const Checkpoint& c) {
  return cbor::Encode(Value(cbor::Array{Value(std::string(kDomain)), Value(c.validator),
                                        Value(Bytes(c.genesis.begin(), c.genesis.end())),
                                        Value(c.index), Value(Bytes(c.head.begin(), c.head.end())),
                                        Value(c.at)}));
}

Sha256Digest ToDigest(const Bytes& b) {
  Sha256Digest d{};
  if (b.size() == d.size()) std::copy(b.begin(), b.end(), d.begin());
  return d;
}

std::string Short(const Sha256Digest& d) { return HexEncode(ByteView(d).first(8)) + "…"; }

}  // namespace

Checkpoint SignCheckpoint(const ChainState& state, const Ed25519PrivateKey& key, int64_t at) {
  Checkpoint c;
  c.validator = DidKey::FromPublicKey(key.public_key()).did();
  c.genesis = *state.DigestAt(0);
  c.index = state.size() - 1;
  c.head = state.head_digest();
  c.at = at;
  c.signature = key.Sign(SigningInput(c));
  return c;
}

Bytes EncodeCheckpoint(const Checkpoint& c) {
  return cbor::Encode(Value::Map({{"validator", c.validator},
                                  {"genesis", Value(Bytes(c.genesis.begin(), c.genesis.end()))},
                                  {"index", c.index},
                                  {"head", Value(Bytes(c.head.begin(), c.head.end()))},
                                  {"at", c.at},
                                  {"sig", Value(c.signature)}}));
}

Result<Checkpoint> DecodeCheckpoint(ByteView encoded) {
  cbor::DecodeLimits limits;
  limits.max_input_size = 1024;
  limits.max_depth = 2;
  limits.max_items = 16;
  auto v = cbor::Decode(encoded, limits);
  if (!v.ok()) return v.error().WithContext("checkpoint");
  if (!v->is_map()) return Error(Code::kMalformed, "checkpoint: expected a CBOR map");
  internal::CborMapReader r(*v, "checkpoint");
  Checkpoint c;
  c.validator = r.Text("validator", "validator");
  c.genesis = ToDigest(r.ByteString("genesis", "genesis", 32));
  c.index = r.Uint("index", "index");
  c.head = ToDigest(r.ByteString("head", "head", 32));
  c.at = r.Int("at", "at");
  c.signature = r.ByteString("sig", "sig", kEd25519SignatureSize);
  r.NoUnknown();
  if (r.error()) return Error(Code::kMalformed, *r.error());
  auto did = DidKey::Parse(c.validator);
  if (!did.ok()) return did.error().WithContext("checkpoint 'validator'");
  if (!did->public_key().Verify(SigningInput(c), c.signature).ok()) {
    return Error(Code::kBadSignature, StrCat("checkpoint of entry ", c.index, " is not signed by ", c.validator));
  }
  return c;
}

CheckpointVerdict ConfirmWithCheckpoints(const ChainState& state, const std::vector<Checkpoint>& checkpoints,
                                         size_t quorum) {
  CheckpointVerdict verdict;
  // One per validator: its highest index.
  std::map<std::string, const Checkpoint*> latest;
  for (const Checkpoint& c : checkpoints) {
    if (!state.IsActiveValidator(c.validator)) {
      verdict.notes.push_back(StrCat("checkpoint by ", c.validator, " ignored: not an active validator of this ledger"));
      continue;
    }
    if (state.size() == 0 || c.genesis != *state.DigestAt(0)) {
      verdict.notes.push_back(StrCat("checkpoint by ", c.validator, " ignored: for genesis ", Short(c.genesis)));
      continue;
    }
    const Checkpoint*& kept = latest[c.validator];
    if (kept == nullptr || c.index > kept->index) kept = &c;
  }
  std::vector<std::string> contradicting;
  for (const auto& [did, c] : latest) {
    std::optional<Sha256Digest> held = state.DigestAt(c->index);
    if (held && *held == c->head) {
      ++verdict.confirming;
    } else if (!held) {
      contradicting.push_back(StrCat(did, " verified entry ", c->index, " (", Short(c->head), "), but it ends at entry ",
                                     state.size() - 1));
    } else {
      contradicting.push_back(StrCat(did, " verified entry ", c->index, " as ", Short(c->head), ", but it holds ",
                                     Short(*held), " there"));
    }
  }
  if (contradicting.size() >= std::max<size_t>(1, quorum)) {
    std::string list;
    for (const std::string& line : contradicting) list += (list.empty() ? "" : "; ") + line;
    verdict.status = Error(Code::kMalformed,
                           StrCat("the ledger does not extend what ", contradicting.size(),
                                  " validators verified (truncated or rewritten since): ", list));
  } else {
    verdict.notes.insert(verdict.notes.end(), contradicting.begin(), contradicting.end());
  }
  return verdict;
}

}  // namespace vouch::ledger
