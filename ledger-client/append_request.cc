#include "vouch/ledger/append_request.h"

#include "vouch/core/cbor.h"

namespace vouch::ledger {
namespace {

using cbor::Value;

Result<Value> DecodeMap(ByteView body, std::string_view what) {
  cbor::DecodeLimits limits;
  limits.max_input_size = std::max<size_t>(body.size(), 1);
  limits.max_depth = 2;
  limits.max_items = 8;
  auto decoded = cbor::Decode(body, limits);
  if (!decoded.ok()) return decoded.error().WithContext(what);
  if (!decoded->is_map()) return Error(Code::kMalformed, StrCat(what, ": expected a CBOR map"));
  return decoded;
}

}  // namespace

Bytes EncodeAppendRequest(const Entry& entry) { return cbor::Encode(Value::Map({{"entry", Value(entry.encoded())}})); }

Result<Bytes> DecodeAppendRequest(ByteView body) {
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeMap(body, "ledger append request"));
  const Value* entry = v.Find("entry");
  if (entry == nullptr || v.map().size() != 1 || !entry->is_bytes() || entry->bytes().empty()) {
    return Error(Code::kMalformed,
                 "ledger append request: expected exactly one key, 'entry' (a non-empty byte string)");
  }
  return entry->bytes();
}

Bytes EncodeAppendAnswer(uint64_t index, AppendOutcome outcome) {
  const char* name = outcome == AppendOutcome::kAppended ? "appended" : "already-present";
  return cbor::Encode(Value::Map({{"index", Value(index)}, {"outcome", Value(name)}}));
}

Bytes EncodeIndexTakenAnswer(uint64_t index) {
  return cbor::Encode(
      Value::Map({{"code", Value(kIndexTakenCode)},
                  {"reason", Value(StrCat("ledger entry ", index, " is taken: draft again on the new head"))}}));
}

Result<AppendOutcome> DecodeAppendAnswer(ByteView body, uint64_t index) {
  VOUCH_ASSIGN_OR_RETURN(Value v, DecodeMap(body, "ledger append answer"));
  const Value* i = v.Find("index");
  const Value* outcome = v.Find("outcome");
  if (i == nullptr || !i->is_unsigned() || outcome == nullptr || !outcome->is_text() || v.map().size() != 2) {
    return Error(Code::kMalformed, "ledger append answer: expected {\"index\": uint, \"outcome\": text}");
  }
  if (i->uint_value() != index) {
    return Error(Code::kMalformed,
                 StrCat("ledger append answer: reports entry ", i->uint_value(), ", the request was entry ", index));
  }
  if (outcome->text() == "appended") return AppendOutcome::kAppended;
  if (outcome->text() == "already-present") return AppendOutcome::kAlreadyPresent;
  return Error(Code::kMalformed, StrCat("ledger append answer: unknown outcome '", outcome->text(), "'"));
}

}  // namespace vouch::ledger
