#include "vouch/core/cbor.h"
#include "vouch/core/utf8.h"

#include <cbor.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <optional>

namespace vouch::cbor {

// ---- Value ----------------------------------------------------------------

Value::Value(int64_t v) {
  if (v >= 0) {
    type_ = Type::kUnsigned;
    num_ = static_cast<uint64_t>(v);
  } else {
    type_ = Type::kNegative;
    num_ = static_cast<uint64_t>(-(v + 1));
  }
}

Value Value::Map(MapEntries entries) {
  Value v(Type::kMap);
  v.map_ = std::move(entries);
  return v;
}

Value Value::Tag(uint64_t tag, Value content) {
  Value v(Type::kTag);
  v.num_ = tag;
  v.array_.push_back(std::move(content));
  return v;
}

Value Value::Undefined() { return Value(Type::kUndefined); }

Value Value::Float(double d) {
  Value v(Type::kFloat);
  v.float_ = d;
  return v;
}

Value Value::NegativeFromArgument(uint64_t n) {
  Value v(Type::kNegative);
  v.num_ = n;
  return v;
}

uint64_t Value::uint_value() const { assert(type_ == Type::kUnsigned); return num_; }
uint64_t Value::negative_argument() const { assert(type_ == Type::kNegative); return num_; }
bool Value::bool_value() const { assert(type_ == Type::kBool); return num_ != 0; }
double Value::float_value() const { assert(type_ == Type::kFloat); return float_; }
const Bytes& Value::bytes() const { assert(type_ == Type::kBytes); return bytes_; }
const std::string& Value::text() const { assert(type_ == Type::kText); return text_; }
const Array& Value::array() const { assert(type_ == Type::kArray); return array_; }
const MapEntries& Value::map() const { assert(type_ == Type::kMap); return map_; }
uint64_t Value::tag() const { assert(type_ == Type::kTag); return num_; }
const Value& Value::tagged() const { assert(type_ == Type::kTag); return array_[0]; }
Array& Value::mutable_array() { assert(type_ == Type::kArray); return array_; }
MapEntries& Value::mutable_map() { assert(type_ == Type::kMap); return map_; }

Result<int64_t> Value::AsInt64() const {
  if (type_ == Type::kUnsigned && num_ <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(num_);
  }
  if (type_ == Type::kNegative && num_ <= static_cast<uint64_t>(INT64_MAX)) {
    return -static_cast<int64_t>(num_) - 1;
  }
  if (is_integer()) return Error(Code::kInvalidArgument, "CBOR integer does not fit in 64 signed bits");
  return Error(Code::kInvalidArgument, "CBOR item is not an integer");
}

const Value* Value::Find(const Value& key) const {
  if (type_ != Type::kMap) return nullptr;
  for (const auto& [k, v] : map_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Value::Set(Value key, Value value) {
  assert(type_ == Type::kMap);
  for (auto& [k, v] : map_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  map_.emplace_back(std::move(key), std::move(value));
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kUnsigned: case Type::kNegative: case Type::kBool: return num_ == o.num_;
    case Type::kBytes: return bytes_ == o.bytes_;
    case Type::kText: return text_ == o.text_;
    case Type::kArray: return array_ == o.array_;
    case Type::kTag: return num_ == o.num_ && array_ == o.array_;
    case Type::kNull: case Type::kUndefined: return true;
    case Type::kFloat:
      return (std::isnan(float_) && std::isnan(o.float_)) ||
             std::memcmp(&float_, &o.float_, sizeof(double)) == 0;
    case Type::kMap:
      // Maps are equal when they hold the same entries, in any order.
      if (map_.size() != o.map_.size()) return false;
      for (const auto& [k, v] : map_) {
        const Value* ov = o.Find(k);
        if (ov == nullptr || !(*ov == v)) return false;
      }
      return true;
  }
  return false;
}

static void Diag(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::Type::kUnsigned: out += std::to_string(v.uint_value()); break;
    case Value::Type::kNegative:
      if (v.negative_argument() == UINT64_MAX) out += "-18446744073709551616";
      else out += "-" + std::to_string(v.negative_argument() + 1);
      break;
    case Value::Type::kBytes: out += "h'" + HexEncode(v.bytes()) + "'"; break;
    case Value::Type::kText: {
      out += '"';
      for (char c : v.text()) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
      break;
    }
    case Value::Type::kArray: {
      out += '[';
      bool first = true;
      for (const auto& e : v.array()) {
        if (!first) out += ", ";
        first = false;
        Diag(e, out);
      }
      out += ']';
      break;
    }
    case Value::Type::kMap: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.map()) {
        if (!first) out += ", ";
        first = false;
        Diag(k, out);
        out += ": ";
        Diag(e, out);
      }
      out += '}';
      break;
    }
    case Value::Type::kTag:
      out += std::to_string(v.tag()) + "(";
      Diag(v.tagged(), out);
      out += ")";
      break;
    case Value::Type::kBool: out += v.bool_value() ? "true" : "false"; break;
    case Value::Type::kNull: out += "null"; break;
    case Value::Type::kUndefined: out += "undefined"; break;
    case Value::Type::kFloat: {
      double d = v.float_value();
      if (std::isnan(d)) out += "NaN";
      else if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
      else {
        char buf[64];
        for (int precision = 1; precision <= 17; ++precision) {
          std::snprintf(buf, sizeof(buf), "%.*g", precision, d);
          if (std::strtod(buf, nullptr) == d) break;
        }
        out += buf;
        if (std::strpbrk(buf, ".en") == nullptr) out += ".0";
      }
      break;
    }
  }
}

std::string Value::ToDiagnostic() const {
  std::string out;
  Diag(*this, out);
  return out;
}

// ---- Encoding ---------------------------------------------------------------

namespace {

// Returns the IEEE half-precision bits of `d` if it converts exactly.
bool ExactHalf(double d, uint16_t* bits) {
  if (std::isnan(d)) {
    *bits = 0x7e00;
    return true;
  }
  if (std::isinf(d)) {
    *bits = d > 0 ? 0x7c00 : 0xfc00;
    return true;
  }
  uint16_t sign = std::signbit(d) ? 0x8000 : 0;
  double a = std::fabs(d);
  if (a == 0) {
    *bits = sign;
    return true;
  }
  int exp;
  double mant = std::frexp(a, &exp);  // a = mant * 2^exp, mant in [0.5, 1)
  // Normal half: exponents -14..15 → frexp exp -13..16, 11 significant bits.
  if (exp >= -13 && exp <= 16) {
    double scaled = std::ldexp(mant, 11);  // 1024..2047.x
    if (scaled != std::floor(scaled)) return false;
    uint16_t m = static_cast<uint16_t>(scaled) - 1024;
    *bits = sign | static_cast<uint16_t>((exp + 14) << 10) | m;
    return true;
  }
  // Subnormal half: value = m * 2^-24, m in 1..1023.
  double m = std::ldexp(a, 24);
  if (m >= 1 && m < 1024 && m == std::floor(m)) {
    *bits = sign | static_cast<uint16_t>(m);
    return true;
  }
  return false;
}

class Encoder {
 public:
  void Put(const Value& v) {
    switch (v.type()) {
      case Value::Type::kUnsigned: Head(cbor_encode_uint, v.uint_value()); break;
      case Value::Type::kNegative: Head(cbor_encode_negint, v.negative_argument()); break;
      case Value::Type::kBytes:
        Head(cbor_encode_bytestring_start, v.bytes().size());
        out_.insert(out_.end(), v.bytes().begin(), v.bytes().end());
        break;
      case Value::Type::kText:
        Head(cbor_encode_string_start, v.text().size());
        out_.insert(out_.end(), v.text().begin(), v.text().end());
        break;
      case Value::Type::kArray:
        Head(cbor_encode_array_start, v.array().size());
        for (const auto& e : v.array()) Put(e);
        break;
      case Value::Type::kMap: {
        // RFC 8949 §4.2.1: sort by the bytewise order of the encoded keys.
        std::vector<std::pair<Bytes, const Value*>> entries;
        entries.reserve(v.map().size());
        for (const auto& [k, e] : v.map()) entries.emplace_back(Encode(k), &e);
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        Head(cbor_encode_map_start, entries.size());
        for (const auto& [k, e] : entries) {
          out_.insert(out_.end(), k.begin(), k.end());
          Put(*e);
        }
        break;
      }
      case Value::Type::kTag:
        Head(cbor_encode_tag, v.tag());
        Put(v.tagged());
        break;
      case Value::Type::kBool: Fixed(cbor_encode_bool(v.bool_value(), buf_, sizeof(buf_))); break;
      case Value::Type::kNull: Fixed(cbor_encode_null(buf_, sizeof(buf_))); break;
      case Value::Type::kUndefined: Fixed(cbor_encode_undef(buf_, sizeof(buf_))); break;
      case Value::Type::kFloat: PutFloat(v.float_value()); break;
    }
  }

  Bytes Take() { return std::move(out_); }

 private:
  template <typename F, typename N>
  void Head(F encode, N n) { Fixed(encode(n, buf_, sizeof(buf_))); }
  void Fixed(size_t n) {
    assert(n > 0);
    out_.insert(out_.end(), buf_, buf_ + n);
  }

  // Preferred serialization (RFC 8949 §4.1): the shortest form that keeps
  // the value exactly; NaN as the canonical half 0x7e00.
  void PutFloat(double d) {
    uint16_t half;
    if (ExactHalf(d, &half)) {
      out_.push_back(0xf9);
      out_.push_back(static_cast<uint8_t>(half >> 8));
      out_.push_back(static_cast<uint8_t>(half));
      return;
    }
    float f = static_cast<float>(d);
    if (static_cast<double>(f) == d) {
      Fixed(cbor_encode_single(f, buf_, sizeof(buf_)));
      return;
    }
    Fixed(cbor_encode_double(d, buf_, sizeof(buf_)));
  }

  Bytes out_;
  unsigned char buf_[16];
};

}  // namespace

Bytes Encode(const Value& value) {
  Encoder e;
  e.Put(value);
  return e.Take();
}

// ---- Decoding ---------------------------------------------------------------

namespace {

size_t ShortestHeadSize(uint64_t n) {
  if (n < 24) return 1;
  if (n <= 0xff) return 2;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffffULL) return 5;
  return 9;
}

struct Frame {
  Value container;         // array, map or tag (content gathered in `items`)
  uint64_t remaining;      // items still expected (a map counts keys and values)
  std::vector<Value> items;
  size_t start;            // offset of the container's head
  // Map key order checking.
  Bytes last_key;
  bool have_last_key = false;
  size_t key_start = 0;
};

class Decoder {
 public:
  Decoder(ByteView data, const DecodeLimits& limits) : data_(data), limits_(limits) {}

  Result<Value> Run() {
    if (data_.size() > limits_.max_input_size) {
      return Error(Code::kMalformed, StrCat("CBOR input of ", data_.size(),
                                            " bytes exceeds the limit of ", limits_.max_input_size));
    }
    if (data_.empty()) return Error(Code::kMalformed, "CBOR input is empty");
    cbor_callbacks cb = Callbacks();
    while (!done_) {
      if (offset_ >= data_.size()) {
        return Error(Code::kMalformed, StrCat("CBOR input truncated at offset ", offset_));
      }
      item_start_ = offset_;
      uint8_t initial = data_[offset_];
      if (initial >= 0xc6 && initial <= 0xd4) {
        // libcbor 0.8's stream decoder rejects tags 6..20 in the initial
        // byte as "unassigned" (COSE_Sign1 is tag 18), so decode them here.
        Open(Value::Tag(initial & 0x1f, Value()), 1, 1);
        offset_ += 1;
        if (error_) return *error_;
        continue;
      }
      cbor_decoder_result r =
          cbor_stream_decode(data_.data() + offset_, data_.size() - offset_, &cb, this);
      if (r.status == CBOR_DECODER_NEDATA) {
        return Error(Code::kMalformed, StrCat("CBOR input truncated at offset ", offset_));
      }
      if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
        uint8_t b = data_[offset_];
        return Error(Code::kMalformed,
                     StrCat("CBOR byte 0x", HexEncode(ByteView(&b, 1)), " at offset ", offset_,
                            " is reserved or an unsupported simple value"));
      }
      offset_ += r.read;
      if (error_) return *error_;
    }
    if (offset_ != data_.size()) {
      return Error(Code::kMalformed, StrCat("CBOR input has ", data_.size() - offset_,
                                            " trailing bytes after the item ending at offset ",
                                            offset_));
    }
    return std::move(result_);
  }

 private:
  static Decoder* Self(void* ctx) { return static_cast<Decoder*>(ctx); }

  void Fail(std::string message) {
    if (!error_) error_.emplace(Code::kMalformed, std::move(message));
  }
  bool Failed() const { return error_.has_value(); }

  // The head just decoded spans `head_size` bytes; it must be the shortest
  // encoding of argument `n`.
  bool CheckHead(uint64_t n, size_t head_size, const char* what) {
    if (head_size != ShortestHeadSize(n)) {
      Fail(StrCat("CBOR ", what, " at offset ", item_start_,
                  " is not in shortest form (not deterministic)"));
      return false;
    }
    return true;
  }

  bool CountItem() {
    if (++items_ > limits_.max_items) {
      Fail(StrCat("CBOR input has more than ", limits_.max_items, " data items"));
      return false;
    }
    return true;
  }

  // A complete item [start, end) has been decoded; hand it to its parent.
  void Emit(Value v, size_t start, size_t end) {
    while (true) {
      if (stack_.empty()) {
        result_ = std::move(v);
        done_ = true;
        return;
      }
      Frame& f = stack_.back();
      if (f.container.is_map() && f.items.size() % 2 == 0) {
        // A key: check bytewise order against the previous key.
        Bytes key(data_.begin() + start, data_.begin() + end);
        if (f.have_last_key) {
          if (key == f.last_key) {
            Fail(StrCat("CBOR map at offset ", f.start, " has a duplicate key at offset ", start));
            return;
          }
          if (key < f.last_key) {
            Fail(StrCat("CBOR map at offset ", f.start, " has keys out of order at offset ",
                        start, " (not deterministic)"));
            return;
          }
        }
        f.last_key = std::move(key);
        f.have_last_key = true;
      }
      f.items.push_back(std::move(v));
      if (--f.remaining > 0) return;
      // The container is complete: build it and emit upward.
      Frame done = std::move(stack_.back());
      stack_.pop_back();
      if (done.container.is_array()) {
        v = Value(Array(std::move(done.items)));
      } else if (done.container.is_map()) {
        MapEntries entries;
        entries.reserve(done.items.size() / 2);
        for (size_t i = 0; i + 1 < done.items.size(); i += 2) {
          entries.emplace_back(std::move(done.items[i]), std::move(done.items[i + 1]));
        }
        v = Value::Map(std::move(entries));
      } else {
        v = Value::Tag(done.container.tag(), std::move(done.items[0]));
      }
      start = done.start;
      end = pending_end_;
    }
  }

  // libcbor reports the bytes consumed only after the callback returns, so
  // each callback computes where its item ends (pending_end_) itself.
  void Scalar(Value v, size_t size) {
    if (!CountItem()) return;
    pending_end_ = item_start_ + size;
    Emit(std::move(v), item_start_, pending_end_);
  }

  void Open(Value container, uint64_t count, size_t head_size) {
    if (!CountItem()) return;
    if (stack_.size() >= limits_.max_depth) {
      Fail(StrCat("CBOR nesting deeper than ", limits_.max_depth, " at offset ", item_start_));
      return;
    }
    pending_end_ = item_start_ + head_size;
    if (count == 0) {
      Emit(std::move(container), item_start_, pending_end_);
      return;
    }
    // Every item takes at least one byte: a count beyond the input is a lie.
    if (count > data_.size() - pending_end_) {
      Fail(StrCat("CBOR container at offset ", item_start_, " declares ", count,
                  " items but only ", data_.size() - pending_end_, " bytes follow"));
      return;
    }
    Frame f;
    f.container = std::move(container);
    f.remaining = count;
    f.start = item_start_;
    stack_.push_back(std::move(f));
  }

  void UInt(uint64_t n, size_t width) {
    size_t head = ActualHeadSize(width);
    if (!CheckHead(n, head, "integer")) return;
    Scalar(Value(n), head);
  }
  void NegInt(uint64_t n, size_t width) {
    size_t head = ActualHeadSize(width);
    if (!CheckHead(n, head, "integer")) return;
    Scalar(Value::NegativeFromArgument(n), head);
  }
  // The actual head size is read from the initial byte's additional info.
  size_t ActualHeadSize(size_t) const {
    uint8_t ai = data_[item_start_] & 0x1f;
    if (ai < 24) return 1;
    return 1 + (size_t{1} << (ai - 24));
  }

  void String(cbor_data s, uint64_t len, bool text) {
    size_t head = ActualHeadSize(0);
    if (!CheckHead(len, head, text ? "text string length" : "byte string length")) return;
    if (len > limits_.max_string_size) {
      Fail(StrCat("CBOR string at offset ", item_start_, " of ", len,
                  " bytes exceeds the limit of ", limits_.max_string_size));
      return;
    }
    if (text) {
      if (!IsValidUtf8(ByteView(s, len))) {
        Fail(StrCat("CBOR text string at offset ", item_start_, " is not valid UTF-8"));
        return;
      }
      Scalar(Value(std::string(reinterpret_cast<const char*>(s), len)), head + len);
    } else {
      Scalar(Value(ByteView(s, len)), head + len);
    }
  }

  void Float(double d, size_t size) {
    // Preferred serialization: re-encode and require the same bytes.
    Bytes again = Encode(Value::Float(d));
    if (again.size() != size ||
        !std::equal(again.begin(), again.end(), data_.begin() + item_start_)) {
      Fail(StrCat("CBOR float at offset ", item_start_,
                  " is not in its shortest form (not deterministic)"));
      return;
    }
    Scalar(Value::Float(d), size);
  }

  cbor_callbacks Callbacks() {
    cbor_callbacks cb = cbor_empty_callbacks;
    cb.uint8 = [](void* c, uint8_t v) { Self(c)->UInt(v, 1); };
    cb.uint16 = [](void* c, uint16_t v) { Self(c)->UInt(v, 2); };
    cb.uint32 = [](void* c, uint32_t v) { Self(c)->UInt(v, 4); };
    cb.uint64 = [](void* c, uint64_t v) { Self(c)->UInt(v, 8); };
    cb.negint8 = [](void* c, uint8_t v) { Self(c)->NegInt(v, 1); };
    cb.negint16 = [](void* c, uint16_t v) { Self(c)->NegInt(v, 2); };
    cb.negint32 = [](void* c, uint32_t v) { Self(c)->NegInt(v, 4); };
    cb.negint64 = [](void* c, uint64_t v) { Self(c)->NegInt(v, 8); };
    cb.byte_string = [](void* c, cbor_data s, size_t n) { Self(c)->String(s, n, false); };
    cb.string = [](void* c, cbor_data s, size_t n) { Self(c)->String(s, n, true); };
    cb.byte_string_start = [](void* c) { Self(c)->Indefinite("byte string"); };
    cb.string_start = [](void* c) { Self(c)->Indefinite("text string"); };
    cb.indef_array_start = [](void* c) { Self(c)->Indefinite("array"); };
    cb.indef_map_start = [](void* c) { Self(c)->Indefinite("map"); };
    cb.indef_break = [](void* c) { Self(c)->Indefinite("break"); };
    cb.array_start = [](void* c, size_t n) {
      Decoder* d = Self(c);
      size_t head = d->ActualHeadSize(0);
      if (d->CheckHead(n, head, "array length")) d->Open(Value(Array{}), n, head);
    };
    cb.map_start = [](void* c, size_t n) {
      Decoder* d = Self(c);
      size_t head = d->ActualHeadSize(0);
      if (!d->CheckHead(n, head, "map length")) return;
      if (n > SIZE_MAX / 2) {
        d->Fail(StrCat("CBOR map at offset ", d->item_start_, " is too large"));
        return;
      }
      d->Open(Value::Map({}), 2 * static_cast<uint64_t>(n), head);
    };
    cb.tag = [](void* c, uint64_t t) {
      Decoder* d = Self(c);
      size_t head = d->ActualHeadSize(0);
      if (d->CheckHead(t, head, "tag number")) d->Open(Value::Tag(t, Value()), 1, head);
    };
    cb.float2 = [](void* c, float f) { Self(c)->Float(f, 3); };
    cb.float4 = [](void* c, float f) { Self(c)->Float(f, 5); };
    cb.float8 = [](void* c, double f) { Self(c)->Float(f, 9); };
    cb.undefined = [](void* c) { Self(c)->Scalar(Value::Undefined(), 1); };
    cb.null = [](void* c) { Self(c)->Scalar(Value::Null(), 1); };
    cb.boolean = [](void* c, bool b) { Self(c)->Scalar(Value(b), 1); };
    return cb;
  }

  void Indefinite(const char* what) {
    Fail(StrCat("CBOR indefinite-length ", what, " at offset ", item_start_,
                " is not allowed (not deterministic)"));
  }

  ByteView data_;
  const DecodeLimits& limits_;
  size_t offset_ = 0;
  size_t item_start_ = 0;
  size_t pending_end_ = 0;
  size_t items_ = 0;
  bool done_ = false;
  std::vector<Frame> stack_;
  Value result_;
  std::optional<Error> error_;
};

}  // namespace

Result<Value> Decode(ByteView data, const DecodeLimits& limits) {
  return Decoder(data, limits).Run();
}

}  // namespace vouch::cbor
