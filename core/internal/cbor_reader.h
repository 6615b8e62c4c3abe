// Strict reading of one CBOR map of named fields (claims, policy fields):
// each getter checks presence and type, the first problem is kept as a
// sentence naming the field, and NoUnknown() refuses fields nobody asked for.
#ifndef VOUCH_CORE_INTERNAL_CBOR_READER_H_
#define VOUCH_CORE_INTERNAL_CBOR_READER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vouch/core/cbor.h"

namespace vouch::internal {

using cbor::Value;

class CborMapReader {
 public:
  // `where` prefixes every message ("host VC"); `noun` names the entries
  // ("claim", "field").
  CborMapReader(const Value& map, std::string where, std::string noun = "field")
      : map_(map), where_(std::move(where)), noun_(std::move(noun)) {}

  const Value* Get(const Value& key, const std::string& name, bool required = true) {
    seen_.push_back(key);
    const Value* v = map_.Find(key);
    if (v == nullptr && required) Fail(StrCat(noun_, " '", name, "' is missing"));
    return v;
  }
  std::string Text(const Value& key, const std::string& name) {
    const Value* v = Get(key, name);
    if (v == nullptr) return "";
    if (!v->is_text()) return Fail(StrCat(noun_, " '", name, "' must be a text string")), "";
    return v->text();
  }
  Bytes ByteString(const Value& key, const std::string& name, size_t exact = 0) {
    const Value* v = Get(key, name);
    if (v == nullptr) return {};
    if (!v->is_bytes()) return Fail(StrCat(noun_, " '", name, "' must be a byte string")), Bytes{};
    if (exact != 0 && v->bytes().size() != exact) {
      Fail(StrCat(noun_, " '", name, "' must be ", exact, " bytes, got ", v->bytes().size()));
    }
    return v->bytes();
  }
  int64_t Int(const Value& key, const std::string& name) {
    const Value* v = Get(key, name);
    if (v == nullptr) return 0;
    auto i = v->AsInt64();
    if (!i.ok()) return Fail(StrCat(noun_, " '", name, "' must be an integer")), 0;
    return *i;
  }
  uint64_t Uint(const Value& key, const std::string& name) {
    const Value* v = Get(key, name);
    if (v == nullptr) return 0;
    if (!v->is_unsigned()) return Fail(StrCat(noun_, " '", name, "' must be an unsigned integer")), 0;
    return v->uint_value();
  }
  bool Bool(const Value& key, const std::string& name) {
    const Value* v = Get(key, name);
    if (v == nullptr) return false;
    if (!v->is_bool()) return Fail(StrCat(noun_, " '", name, "' must be a boolean")), false;
    return v->bool_value();
  }
  std::vector<std::string> TextList(const Value& key, const std::string& name) {
    const Value* v = Get(key, name);
    std::vector<std::string> out;
    if (v == nullptr) return out;
    if (!v->is_array()) return Fail(StrCat(noun_, " '", name, "' must be an array")), out;
    for (const auto& e : v->array()) {
      if (!e.is_text()) return Fail(StrCat(noun_, " '", name, "' must hold text strings")), out;
      out.push_back(e.text());
    }
    return out;
  }
  std::map<uint32_t, Bytes> Pcrs(const Value& key, const std::string& name) {
    const Value* v = Get(key, name);
    std::map<uint32_t, Bytes> out;
    if (v == nullptr) return out;
    if (!v->is_map()) return Fail(StrCat(noun_, " '", name, "' must be a map")), out;
    for (const auto& [k, e] : v->map()) {
      if (!k.is_unsigned() || k.uint_value() > 23) {
        return Fail(StrCat(noun_, " '", name, "' has a PCR index that is not 0..23")), out;
      }
      if (!e.is_bytes() || e.bytes().size() != 32) {
        return Fail(StrCat(noun_, " '", name, "' PCR ", k.uint_value(),
                           " must be a 32-byte SHA-256 value")),
               out;
      }
      out[static_cast<uint32_t>(k.uint_value())] = e.bytes();
    }
    return out;
  }
  const Value* Map(const Value& key, const std::string& name, bool required = true) {
    const Value* v = Get(key, name, required);
    if (v != nullptr && !v->is_map()) {
      Fail(StrCat(noun_, " '", name, "' must be a map"));
      return nullptr;
    }
    return v;
  }
  // Array `key` of maps, each read by `read(CborMapReader&)` (which names
  // its fields; unknown ones are refused). nullopt when absent and not
  // required, or on error.
  template <typename T, typename ReadOne>
  std::optional<std::vector<T>> Maps(const Value& key, const std::string& name, ReadOne read,
                                     bool required = true) {
    const Value* v = Get(key, name, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array()) return Fail(StrCat(noun_, " '", name, "' must be an array")), std::nullopt;
    std::vector<T> out;
    for (const Value& e : v->array()) {
      if (!e.is_map()) return Fail(StrCat(noun_, " '", name, "' must hold maps")), std::nullopt;
      CborMapReader element(e, StrCat(where_, " '", name, "' ", out.size()), noun_);
      out.push_back(read(element));
      element.NoUnknown();
      if (element.error()) {
        if (!error_) error_ = element.error();
        return std::nullopt;
      }
    }
    return out;
  }
  // Every key present must have been asked for.
  void NoUnknown() {
    if (!map_.is_map()) return;
    for (const auto& [k, v] : map_.map()) {
      bool known = false;
      for (const auto& s : seen_) known = known || s == k;
      if (!known) return Fail(StrCat("unknown ", noun_, " ", k.ToDiagnostic()));
    }
  }
  void Fail(std::string message) {
    if (!error_) error_ = StrCat(where_, ": ", message);
  }
  const std::optional<std::string>& error() const { return error_; }

 private:
  const Value& map_;
  std::string where_;
  std::string noun_;
  std::vector<Value> seen_;
  std::optional<std::string> error_;
};

}  // namespace vouch::internal

#endif  // VOUCH_CORE_INTERNAL_CBOR_READER_H_
