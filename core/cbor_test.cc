#include "vouch/core/cbor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vouch::cbor {
namespace {

Bytes Hex(std::string_view h) { return HexDecode(h).value(); }

struct DiagVector {
  const char* hex;
  const char* diag;  // vouch's diagnostic notation of the decoded item
};

// RFC 8949 Appendix A, every example that is deterministically encoded
// (§4.2.1) and uses only data items vouch supports. Bignums (tags 2/3) keep
// their tag form in diagnostic output.
const DiagVector kAppendixA[] = {
    {"00", "0"},
    {"01", "1"},
    {"0a", "10"},
    {"17", "23"},
    {"1818", "24"},
    {"1819", "25"},
    {"1864", "100"},
    {"1903e8", "1000"},
    {"1a000f4240", "1000000"},
    {"1b000000e8d4a51000", "1000000000000"},
    {"1bffffffffffffffff", "18446744073709551615"},
    {"c249010000000000000000", "2(h'010000000000000000')"},
    {"3bffffffffffffffff", "-18446744073709551616"},
    {"c349010000000000000000", "3(h'010000000000000000')"},
    {"20", "-1"},
    {"29", "-10"},
    {"3863", "-100"},
    {"3903e7", "-1000"},
    {"f4", "false"},
    {"f5", "true"},
    {"f6", "null"},
    {"f7", "undefined"},
    {"c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")"},
    {"c11a514b67b0", "1(1363896240)"},
    {"c1fb41d452d9ec200000", "1(1363896240.5)"},
    {"d74401020304", "23(h'01020304')"},
    {"d818456449455446", "24(h'6449455446')"},
    {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")"},
    {"40", "h''"},
    {"4401020304", "h'01020304'"},
    {"60", "\"\""},
    {"6161", "\"a\""},
    {"6449455446", "\"IETF\""},
    {"62225c", "\"\\\"\\\\\""},
    {"62c3bc", "\"\xc3\xbc\""},
    {"63e6b0b4", "\"\xe6\xb0\xb4\""},
    {"64f0908591", "\"\xf0\x90\x85\x91\""},
    {"80", "[]"},
    {"83010203", "[1, 2, 3]"},
    {"8301820203820405", "[1, [2, 3], [4, 5]]"},
    {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
     "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"},
    {"a0", "{}"},
    {"a201020304", "{1: 2, 3: 4}"},
    {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}"},
    {"826161a161626163", "[\"a\", {\"b\": \"c\"}]"},
    {"a56161614161626142616361436164614461656145",
     "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}"},
};

class AppendixATest : public testing::TestWithParam<DiagVector> {};

TEST_P(AppendixATest, DecodesToDiagnosticAndReencodesIdentically) {
  Bytes in = Hex(GetParam().hex);
  auto v = Decode(in);
  ASSERT_TRUE(v.ok()) << GetParam().hex << ": " << v.error().ToString();
  EXPECT_EQ(v->ToDiagnostic(), GetParam().diag) << GetParam().hex;
  EXPECT_EQ(HexEncode(Encode(*v)), GetParam().hex);
}

INSTANTIATE_TEST_SUITE_P(Rfc8949, AppendixATest, testing::ValuesIn(kAppendixA));

struct FloatVector {
  const char* hex;
  double value;
};

const FloatVector kAppendixAFloats[] = {
    {"f90000", 0.0},
    {"f98000", -0.0},
    {"f93c00", 1.0},
    {"fb3ff199999999999a", 1.1},
    {"f93e00", 1.5},
    {"f97bff", 65504.0},
    {"fa47c35000", 100000.0},
    {"fa7f7fffff", 3.4028234663852886e+38},
    {"fb7e37e43c8800759c", 1.0e+300},
    {"f90001", 5.960464477539063e-8},
    {"f90400", 0.00006103515625},
    {"f9c400", -4.0},
    {"fbc010666666666666", -4.1},
    {"f97c00", std::numeric_limits<double>::infinity()},
    {"f97e00", std::numeric_limits<double>::quiet_NaN()},
    {"f9fc00", -std::numeric_limits<double>::infinity()},
};

class AppendixAFloatTest : public testing::TestWithParam<FloatVector> {};

TEST_P(AppendixAFloatTest, EncodesInShortestFormAndDecodes) {
  const auto& p = GetParam();
  EXPECT_EQ(HexEncode(Encode(Value::Float(p.value))), p.hex);
  auto v = Decode(Hex(p.hex));
  ASSERT_TRUE(v.ok()) << p.hex << ": " << v.error().ToString();
  ASSERT_EQ(v->type(), Value::Type::kFloat);
  if (std::isnan(p.value)) {
    EXPECT_TRUE(std::isnan(v->float_value()));
  } else {
    EXPECT_EQ(v->float_value(), p.value);
    EXPECT_EQ(std::signbit(v->float_value()), std::signbit(p.value));
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc8949, AppendixAFloatTest, testing::ValuesIn(kAppendixAFloats));

struct Refusal {
  const char* hex;
  const char* reason;  // substring of the error message
};

// Appendix A examples that are valid CBOR but not deterministic, plus
// malformed input; each must be refused with its reason.
const Refusal kRefusals[] = {
    {"fa7f800000", "shortest form"},          // Infinity as float32 (Appendix A)
    {"fa7fc00000", "shortest form"},          // NaN as float32
    {"faff800000", "shortest form"},          // -Infinity as float32
    {"fb7ff0000000000000", "shortest form"},  // Infinity as float64
    {"fb7ff8000000000000", "shortest form"},
    {"fbfff0000000000000", "shortest form"},
    {"fa3f800000", "shortest form"},          // 1.0 as float32
    {"5f42010243030405ff", "indefinite-length byte string"},
    {"7f657374726561646d696e67ff", "indefinite-length text string"},
    {"9fff", "indefinite-length array"},
    {"9f018202039f0405ffff", "indefinite-length array"},
    {"bf61610161629f0203ffff", "indefinite-length map"},
    {"f0", "unsupported simple value"},       // simple(16)
    {"f8ff", "unsupported simple value"},     // simple(255)
    {"1800", "not in shortest form"},
    {"190017", "not in shortest form"},
    {"1a000000ff", "not in shortest form"},
    {"1b00000000ffffffff", "not in shortest form"},
    {"3800", "not in shortest form"},
    {"5800", "not in shortest form"},
    {"780161", "not in shortest form"},
    {"980101", "not in shortest form"},
    {"b8010102", "not in shortest form"},
    {"d80001", "not in shortest form"},
    {"a203040102", "out of order"},
    {"a2616201616102", "out of order"},
    {"a21864020a01", "out of order"},  // 100 (1864) must follow 10 (0a)
    {"a201020103", "duplicate key"},
    {"0000", "trailing bytes"},
    {"", "empty"},
    {"1a0000", "truncated"},
    {"830102", "only 2 bytes follow"},
    {"8301820203", "truncated"},
    {"62c328", "not valid UTF-8"},
    {"63eda080", "not valid UTF-8"},  // surrogate
    {"62c0af", "not valid UTF-8"},    // overlong
    {"1c", "reserved"},
    {"9bffffffffffffffff", "bytes follow"},
    {"5bffffffffffffffff00", "truncated"},
};

class RefusalTest : public testing::TestWithParam<Refusal> {};

TEST_P(RefusalTest, RefusesWithReason) {
  const auto& p = GetParam();
  auto v = Decode(Hex(p.hex));
  ASSERT_FALSE(v.ok()) << p.hex << " decoded to " << v->ToDiagnostic();
  EXPECT_EQ(v.error().code(), Code::kMalformed);
  EXPECT_NE(v.error().message().find(p.reason), std::string::npos)
      << p.hex << ": " << v.error().message();
}

INSTANTIATE_TEST_SUITE_P(Cbor, RefusalTest, testing::ValuesIn(kRefusals));

TEST(CborEncode, SortsMapKeysByEncodedBytes) {
  Value m = Value::Map({{"b", 1}, {"a", 2}, {100, 3}, {-1, 4}, {10, 5}, {Bytes{1}, 6}});
  // Encoded keys: 0a < 1864 < 20 < 4101 < 6161 < 6162.
  EXPECT_EQ(HexEncode(Encode(m)), "a60a051864032004410106616102616201");
}

TEST(CborEncode, IntegersUseShortestHeads) {
  EXPECT_EQ(HexEncode(Encode(Value(int64_t{23}))), "17");
  EXPECT_EQ(HexEncode(Encode(Value(int64_t{255}))), "18ff");
  EXPECT_EQ(HexEncode(Encode(Value(int64_t{256}))), "190100");
  EXPECT_EQ(HexEncode(Encode(Value(int64_t{65536}))), "1a00010000");
  EXPECT_EQ(HexEncode(Encode(Value(int64_t{4294967296}))), "1b0000000100000000");
  EXPECT_EQ(HexEncode(Encode(Value(std::numeric_limits<int64_t>::min()))), "3b7fffffffffffffff");
}

TEST(CborDecode, NestedRoundTripPreservesValue) {
  Value v = Value::Map({{1, -8}, {"k", Array{Bytes{0, 1}, "x", Value::Tag(18, Array{1, true})}}});
  auto back = Decode(Encode(v));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, v);
  EXPECT_EQ(back->Find(1)->AsInt64().value(), -8);
  EXPECT_EQ(back->Find("k")->array()[1].text(), "x");
  EXPECT_EQ(back->Find("missing"), nullptr);
}

TEST(CborDecode, EnforcesDepthLimit) {
  Bytes deep(40, 0x81);
  deep.push_back(0x00);
  auto v = Decode(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("nesting deeper than 32"), std::string::npos);
  DecodeLimits roomy;
  roomy.max_depth = 64;
  EXPECT_TRUE(Decode(deep, roomy).ok());
}

TEST(CborDecode, EnforcesItemAndSizeLimits) {
  DecodeLimits limits;
  limits.max_items = 3;
  EXPECT_TRUE(Decode(Hex("820102"), limits).ok());
  auto many = Decode(Hex("83010203"), limits);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message().find("more than 3 data items"), std::string::npos);

  limits = DecodeLimits{};
  limits.max_string_size = 4;
  EXPECT_TRUE(Decode(Hex("4401020304"), limits).ok());
  auto big = Decode(Hex("450102030405"), limits);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("exceeds the limit of 4"), std::string::npos);

  limits = DecodeLimits{};
  limits.max_input_size = 2;
  EXPECT_FALSE(Decode(Hex("190100"), limits).ok());
}

TEST(CborDecode, EveryTruncationOfAValidItemIsRefused) {
  Value v = Value::Map({{1, Bytes(40, 7)}, {"two", Array{1, 2, "three"}}, {-3, Value::Float(1.1)}});
  Bytes enc = Encode(v);
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(Decode(ByteView(enc.data(), n)).ok()) << "prefix of " << n << " bytes";
  }
  EXPECT_TRUE(Decode(enc).ok());
}

}  // namespace
}  // namespace vouch::cbor
