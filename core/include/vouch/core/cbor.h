// Deterministically encoded CBOR (RFC 8949 §4.2.1) on libcbor.
//
// Value is an immutable-by-convention tree of CBOR data items. Encode()
// always produces the deterministic encoding: shortest heads, definite
// lengths, map entries sorted by the bytewise order of their encoded keys,
// floats in their shortest exact form. Decode() accepts only such encodings
// and refuses everything else with a reason (kMalformed), within limits that
// bound the work an attacker can cause.
//
// Unsupported on purpose (refused by Decode): indefinite lengths, simple
// values other than false/true/null/undefined, duplicate map keys, trailing
// bytes after the top-level item.
#ifndef VOUCH_CORE_CBOR_H_
#define VOUCH_CORE_CBOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::cbor {

class Value;
using Array = std::vector<Value>;
using MapEntries = std::vector<std::pair<Value, Value>>;

class Value {
 public:
  enum class Type { kUnsigned, kNegative, kBytes, kText, kArray, kMap, kTag, kBool, kNull, kUndefined, kFloat };

  Value() : type_(Type::kNull) {}  // null
  Value(int64_t v);                 // NOLINT: unsigned or negative integer
  Value(int v) : Value(static_cast<int64_t>(v)) {}  // NOLINT
  Value(uint64_t v) : type_(Type::kUnsigned), num_(v) {}  // NOLINT
  Value(unsigned v) : Value(static_cast<uint64_t>(v)) {}  // NOLINT
  Value(Bytes b) : type_(Type::kBytes), bytes_(std::move(b)) {}  // NOLINT
  Value(ByteView b) : type_(Type::kBytes), bytes_(b.begin(), b.end()) {}  // NOLINT
  Value(std::string s) : type_(Type::kText), text_(std::move(s)) {}  // NOLINT
  Value(std::string_view s) : Value(std::string(s)) {}  // NOLINT
  Value(const char* s) : Value(std::string(s)) {}  // NOLINT
  Value(Array a) : type_(Type::kArray), array_(std::move(a)) {}  // NOLINT
  Value(bool b) : type_(Type::kBool), num_(b ? 1 : 0) {}  // NOLINT

  // REQUIRES: keys are distinct (Encode sorts them).
  static Value Map(MapEntries entries);
  static Value Tag(uint64_t tag, Value content);
  static Value Null() { return Value(); }
  static Value Undefined();
  static Value Float(double v);
  // The negative integer -1 - n (covers the range below INT64_MIN).
  static Value NegativeFromArgument(uint64_t n);

  Type type() const { return type_; }
  bool is_unsigned() const { return type_ == Type::kUnsigned; }
  bool is_negative() const { return type_ == Type::kNegative; }
  bool is_integer() const { return is_unsigned() || is_negative(); }
  bool is_bytes() const { return type_ == Type::kBytes; }
  bool is_text() const { return type_ == Type::kText; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_tag() const { return type_ == Type::kTag; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_null() const { return type_ == Type::kNull; }

  // Accessors. REQUIRES: the matching type (checked by assert).
  uint64_t uint_value() const;        // kUnsigned
  uint64_t negative_argument() const; // kNegative: the n in -1 - n
  bool bool_value() const;
  double float_value() const;
  const Bytes& bytes() const;
  const std::string& text() const;
  const Array& array() const;
  const MapEntries& map() const;
  uint64_t tag() const;
  const Value& tagged() const;        // content of a tag

  // The integer as int64_t; kInvalidArgument if not an integer or out of range.
  Result<int64_t> AsInt64() const;

  // Map lookup; nullptr if this is not a map or the key is absent.
  const Value* Find(const Value& key) const;
  const Value* Find(std::string_view text_key) const { return Find(Value(text_key)); }
  const Value* Find(const char* text_key) const { return Find(std::string_view(text_key)); }
  const Value* Find(int64_t int_key) const { return Find(Value(int_key)); }
  const Value* Find(int int_key) const { return Find(Value(int_key)); }

  // Mutators for builders.
  Array& mutable_array();
  MapEntries& mutable_map();
  void Set(Value key, Value value);  // map: replace or insert

  bool operator==(const Value& other) const;

  // Human-readable diagnostic notation (RFC 8949 §8), for tools and errors.
  std::string ToDiagnostic() const;

 private:
  explicit Value(Type t) : type_(t) {}
  Type type_;
  uint64_t num_ = 0;  // unsigned value, negative argument, tag number, bool
  double float_ = 0;
  Bytes bytes_;
  std::string text_;
  Array array_;       // also the single content item of a tag
  MapEntries map_;
};

// Returns the deterministic encoding of `value`.
Bytes Encode(const Value& value);

struct DecodeLimits {
  size_t max_input_size = 1 << 20;  // bytes
  size_t max_depth = 32;            // nesting of arrays, maps and tags
  size_t max_items = 1 << 16;       // data items in total
  size_t max_string_size = 1 << 20; // one byte or text string
};

// Decodes exactly one deterministically encoded data item spanning all of
// `data`. kMalformed with a reason and the byte offset on anything else:
// truncation, trailing bytes, non-shortest integers or lengths, indefinite
// lengths, unsorted or duplicate map keys, invalid UTF-8, floats not in
// their shortest form, reserved bytes, or a limit exceeded.
Result<Value> Decode(ByteView data, const DecodeLimits& limits = {});

}  // namespace vouch::cbor

#endif  // VOUCH_CORE_CBOR_H_
