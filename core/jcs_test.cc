#include "vouch/core/jcs.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/digest.h"

namespace vouch {
namespace {

using Json = nlohmann::json;

std::string TestData(const std::string& name) {
  const std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/jcs/" + name;
  Result<Bytes> bytes = ReadFile(path);
  EXPECT_TRUE(bytes.ok()) << path;
  return bytes.ok() ? ToString(*bytes) : "";
}

double FromBits(uint64_t bits) { return std::bit_cast<double>(bits); }

std::string Canonical(const Json& value) {
  Result<std::string> text = CanonicalJson(value);
  EXPECT_TRUE(text.ok()) << text.error().ToString();
  return text.ok() ? *text : "";
}

// `r` failed with `code` and a one-line message holding every needle.
template <typename T>
void ExpectRefused(const Result<T>& r, Code code, std::initializer_list<std::string_view> needles) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), code) << r.error().ToString();
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << r.error().message();
  for (std::string_view n : needles) {
    EXPECT_NE(r.error().message().find(n), std::string::npos)
        << "message '" << r.error().message() << "' lacks '" << n << "'";
  }
}

// ---- Published vectors ------------------------------------------------------

// cyberphone/json-canonicalization testdata: input → exact output bytes.
class CyberphoneVectorTest : public testing::TestWithParam<const char*> {};

TEST_P(CyberphoneVectorTest, ParsesAndCanonicalizesToThePublishedBytes) {
  const std::string name = std::string(GetParam()) + ".json";
  Result<Json> parsed = ParseJsonStrict(TestData("input/" + name));
  ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.error().ToString();
  EXPECT_EQ(Canonical(*parsed), TestData("output/" + name)) << name;
  // The canonical form is a fixed point.
  Result<Json> again = ParseJsonStrict(TestData("output/" + name));
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(Canonical(*again), TestData("output/" + name)) << name;
}

INSTANTIATE_TEST_SUITE_P(Cyberphone, CyberphoneVectorTest,
                         testing::Values("arrays", "french", "structures", "unicode", "values", "weird"));

TEST(Jcs, SerializesRfc8785AppendixBNumbers) {
  const Json v = Json::parse(TestData("rfc8785_appendix_b.json"));
  ASSERT_EQ(v["items"].size(), 26u);
  for (const Json& item : v["items"]) {
    const std::string hex = item["ieee754"];
    const double d = FromBits(std::stoull(hex, nullptr, 16));
    Result<std::string> text = CanonicalJson(Json(d));
    if (item["expect"] == "refused") {
      ExpectRefused(text, Code::kInvalidArgument, {"has no JSON form"});
    } else {
      ASSERT_TRUE(text.ok()) << hex << ": " << text.error().ToString();
      EXPECT_EQ(*text, item["json"].get<std::string>()) << hex;
    }
  }
}

// Generates cyberphone's es6testfile100m.txt line by line (testdata/numgen.go).
class Es6NumberFile {
 public:
  explicit Es6NumberFile(const Json& spec) {
    for (const Json& h : spec["static"]) static_.push_back(std::stoull(h.get<std::string>(), nullptr, 16));
    serial_count_ = spec["serial_count"];
  }

  double Next() {
    double f = 0;
    if (index_ < static_.size()) {
      f = FromBits(static_[index_]);
    } else if (index_ < static_.size() + serial_count_) {
      f = FromBits(0x0010000000000000ull + (index_ - static_.size()));
    } else {
      while (f == 0 || !std::isfinite(f)) {
        if (used_ == block_.size()) {
          block_ = Sha256(block_);
          used_ = 0;
        }
        uint64_t bits = 0;
        for (int i = 7; i >= 0; --i) bits = (bits << 8) | block_[used_ + i];  // little-endian
        used_ += 8;
        f = FromBits(bits);
      }
    }
    ++index_;
    return f;
  }

 private:
  std::vector<uint64_t> static_;
  size_t serial_count_ = 0;
  size_t index_ = 0;
  Sha256Digest block_{};
  size_t used_ = block_.size();
};

TEST(Jcs, SerializesTheFirstMillionEs6TestFileNumbersToThePublishedChecksums) {
  const Json spec = Json::parse(TestData("es6_numgen.json"));
  ASSERT_EQ(spec["static"].size(), 168u);
  ASSERT_EQ(spec["checksums"].size(), 4u);
  Es6NumberFile numbers(spec);
  std::string file;
  size_t lines = 0;
  for (const Json& checksum : spec["checksums"]) {
    const size_t want_lines = checksum["lines"];
    for (; lines < want_lines; ++lines) {
      const double f = numbers.Next();
      char hex[17];
      std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(std::bit_cast<uint64_t>(f)));
      Result<std::string> text = CanonicalJson(Json(f));
      ASSERT_TRUE(text.ok()) << hex << ": " << text.error().ToString();
      file += hex;
      file += ',';
      file += *text;
      file += '\n';
    }
    EXPECT_EQ(file.size(), checksum["size"].get<size_t>()) << lines << " lines";
    EXPECT_EQ(HexEncode(Sha256(AsBytes(file))), checksum["sha256"].get<std::string>()) << lines << " lines";
  }
}

// RFC 8785 §3.2.3, its own example: sorted by UTF-16 code units, so U+1F600
// (surrogates D83D DE00) comes before U+FB33.
TEST(Jcs, SortsMembersByUtf16CodeUnitsAsRfc8785Section323) {
  const std::string input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  Result<Json> parsed = ParseJsonStrict(input);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(Canonical(*parsed),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
            "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\","
            "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

// RFC 8785 §3.2.2 / §3.2.4: the example with literals, numbers and a string
// of escapes, and its UTF-8 bytes as §3.2.4 prints them.
TEST(Jcs, CanonicalizesRfc8785Section324Example) {
  Result<Json> parsed = ParseJsonStrict(R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  const Bytes expected =
      HexDecode(
          "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b333333333333333333"
          "2e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c7530"
          "3030665c6e4127425c225c5c5c5c5c222f227d")
          .value();
  EXPECT_EQ(HexEncode(AsBytes(Canonical(*parsed))), HexEncode(expected));
}

// ---- Strings ----------------------------------------------------------------

TEST(Jcs, EscapesOnlyWhatRfc8785Section3222Requires) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls.push_back(static_cast<char>(c));
  EXPECT_EQ(Canonical(Json(all_controls)),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
            "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
            "\\u001e\\u001f\"");
  EXPECT_EQ(Canonical(Json("\"\\")), R"("\"\\")");
  // DEL, '/', U+2028/2029 and non-ASCII stay as they are.
  EXPECT_EQ(Canonical(Json("\x7f/\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9")), "\"\x7f/\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"");
  // Unnormalized Unicode is not normalized.
  EXPECT_EQ(Canonical(Json("A\xcc\x8a")), "\"A\xcc\x8a\"");
}

TEST(Jcs, RefusesInvalidUtf8InStringsAndMemberNames) {
  const char* bad[] = {
      "\x80",              // lone continuation byte
      "\xc0\x80",          // overlong NUL
      "\xc1\xbf",          // overlong
      "\xe0\x80\xaf",      // overlong '/'
      "\xed\xa0\x80",      // U+D800, a surrogate
      "\xed\xbf\xbf",      // U+DFFF
      "\xf4\x90\x80\x80",  // U+110000
      "\xf5\x80\x80\x80",  // no such lead byte
      "\xff",
      "\xe2\x82",          // cut off
      "\xf0\x9f\x98",      // cut off
      "\xe2\x28\xa1",      // bad continuation
  };
  for (const char* b : bad) {
    const std::string s = std::string("ok") + b;
    ExpectRefused(CanonicalJson(Json{{"a", {1, s}}}), Code::kInvalidArgument,
                  {"JSON string at '/a/1'", "not valid UTF-8", "byte 2"});
    ExpectRefused(CanonicalJson(Json{{"a", {{s, 1}}}}), Code::kInvalidArgument,
                  {"member name in the object at '/a'", "not valid UTF-8"});
  }
  ExpectRefused(CanonicalJson(Json("\xed\xa0\x80")), Code::kInvalidArgument, {"top-level JSON string"});
  // The boundaries that are valid.
  EXPECT_EQ(Canonical(Json("\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf\xf0\x90\x80\x80")),
            "\"\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf\xf0\x90\x80\x80\"");
}

// ---- Numbers ----------------------------------------------------------------

TEST(Jcs, WritesNumbersAsEcmaScriptDoes) {
  const std::pair<double, const char*> cases[] = {
      {1.0, "1"},       {-1.5, "-1.5"},       {0.1, "0.1"},          {100, "100"},
      {1e20, "100000000000000000000"},        {1e21, "1e+21"},       {1.5e21, "1.5e+21"},
      {1e-6, "0.000001"}, {1.5e-6, "0.0000015"}, {1e-7, "1e-7"},     {1.25e-7, "1.25e-7"},
      {123456.789, "123456.789"},             {-0.0, "0"},           {5e-324, "5e-324"},
      {0.30000000000000004, "0.30000000000000004"},                  {1e100, "1e+100"},
  };
  for (const auto& [value, text] : cases) EXPECT_EQ(Canonical(Json(value)), text) << text;
}

TEST(Jcs, WritesIntegersInTheIJsonRangeExactly) {
  EXPECT_EQ(Canonical(Json(0)), "0");
  EXPECT_EQ(Canonical(Json(-7)), "-7");
  EXPECT_EQ(Canonical(Json(kJsonMaxSafeInteger)), "9007199254740991");
  EXPECT_EQ(Canonical(Json(-kJsonMaxSafeInteger)), "-9007199254740991");
  EXPECT_EQ(Canonical(Json(static_cast<uint64_t>(kJsonMaxSafeInteger))), "9007199254740991");
}

TEST(Jcs, RefusesIntegersBeyondTwoToThe53RatherThanRoundingThem) {
  ExpectRefused(CanonicalJson(Json{{"n", kJsonMaxSafeInteger + 1}}), Code::kInvalidArgument,
                {"'/n'", "9007199254740992", "RFC 7493", "string"});
  ExpectRefused(CanonicalJson(Json{{"n", -kJsonMaxSafeInteger - 2}}), Code::kInvalidArgument,
                {"-9007199254740993"});
  ExpectRefused(CanonicalJson(Json(std::numeric_limits<uint64_t>::max())), Code::kInvalidArgument,
                {"top-level", "18446744073709551615"});
}

TEST(Jcs, RefusesNaNAndInfinityNamingWhere) {
  ExpectRefused(CanonicalJson(Json{{"x", {0, std::nan("")}}}), Code::kInvalidArgument, {"'/x/1'", "NaN"});
  ExpectRefused(CanonicalJson(Json{{"x", -std::numeric_limits<double>::infinity()}}), Code::kInvalidArgument,
                {"'/x'", "infinite"});
}

// ---- Structure --------------------------------------------------------------

TEST(Jcs, WritesNoWhitespaceAndEscapesPointerSegments) {
  EXPECT_EQ(Canonical(Json::parse(R"( { "b" : [ 1 , { } , [ ] ] , "a" : null } )")), R"({"a":null,"b":[1,{},[]]})");
  ExpectRefused(CanonicalJson(Json{{"a/b~c", {{"d", std::nan("")}}}}), Code::kInvalidArgument, {"'/a~1b~0c/d'"});
}

TEST(Jcs, RefusesBinaryValues) {
  ExpectRefused(CanonicalJson(Json{{"b", Json::binary({1, 2})}}), Code::kInvalidArgument, {"'/b'", "binary"});
}

Json Nested(int depth) {
  Json v = 1;
  for (int i = 0; i < depth; ++i) v = Json::array({std::move(v)});
  return v;
}

TEST(Jcs, NestsUpToTheDepthLimit) {
  EXPECT_TRUE(CanonicalJson(Nested(kJsonMaxDepth)).ok());
  ExpectRefused(CanonicalJson(Nested(kJsonMaxDepth + 1)), Code::kInvalidArgument, {"deeper than 128"});
  EXPECT_TRUE(ParseJsonStrict(std::string(kJsonMaxDepth, '[') + std::string(kJsonMaxDepth, ']')).ok());
  ExpectRefused(ParseJsonStrict(std::string(kJsonMaxDepth + 1, '[') + std::string(kJsonMaxDepth + 1, ']')),
                Code::kMalformed, {"deeper than 128"});
  // A very deep text is refused at the limit, not after building it.
  ExpectRefused(ParseJsonStrict(std::string(1 << 20, '[')), Code::kMalformed, {"deeper than 128"});
}

// ---- ParseJsonStrict --------------------------------------------------------

TEST(ParseJsonStrict, RefusesDuplicateMemberNamesNamingTheMember) {
  ExpectRefused(ParseJsonStrict(R"({"a":1,"a":2})"), Code::kMalformed, {"'/a'", "twice", "RFC 7493"});
  ExpectRefused(ParseJsonStrict(R"({"x":[0,{"k":1},{"k":1,"b":{},"k":2}]})"), Code::kMalformed,
                {"'/x/2/k'", "twice"});
  // Same name given by different escapes is still the same name.
  ExpectRefused(ParseJsonStrict(R"({"\u00e9":1,"é":2})"), Code::kMalformed, {"twice"});
  // The same name in different objects is fine.
  Result<Json> ok = ParseJsonStrict(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(Canonical(*ok), R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})");
}

TEST(ParseJsonStrict, RefusesWhatRfc8259OrIJsonDoNotAllow) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "parse error"},
      {"{\"a\":1,}", "parse error"},
      {"[1] [2]", "parse error"},
      {"// c\n1", "parse error"},
      {"[NaN]", "parse error"},
      {"'a'", "parse error"},
      {"\"\\ud800\"", "surrogate"},
      {"\"\\udc00x\"", "surrogate"},
      {"\"\xed\xa0\x80\"", "UTF-8"},
      {"\"\xc0\x80\"", "UTF-8"},
      {"[1e400]", "overflow"},
      {"{\"n\":9007199254740993}", "at '/n': integer 9007199254740993 is outside I-JSON's exact range"},
      {"[1152921504606846976]", "readers that use doubles see 1152921504606847000"},
      {"\"a\nb\"", "parse error"},
  };
  for (const auto& [text, needle] : cases) {
    Result<Json> r = ParseJsonStrict(text);
    ExpectRefused(r, Code::kMalformed, {needle});
  }
}

TEST(ParseJsonStrict, AcceptsAByteOrderMarkAndSurroundingWhitespace) {
  Result<Json> r = ParseJsonStrict("\xef\xbb\xbf \t\r\n{\"a\":[true]} \n");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(Canonical(*r), R"({"a":[true]})");
}

TEST(ParseJsonStrict, KeepsNumberKindsSoIntegersStayExact) {
  Result<Json> r = ParseJsonStrict(R"([9007199254740991, -0, 1.0, 4.50, 1E3])");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(Canonical(*r), "[9007199254740991,0,1,4.5,1000]");
  EXPECT_TRUE((*r)[0].is_number_integer());
}

// An integer literal beyond 2^53 that is exactly the canonical text of a
// double (as JCS writes doubles such as 2^53 or 9.007199254740993e17) means
// that double to every reader: it is read as the double, so canonical text
// always parses back. One that a double would round is refused.
TEST(ParseJsonStrict, ReadsWideIntegersOnlyWhenTheyAreTheCanonicalTextOfADouble) {
  Result<Json> r = ParseJsonStrict("[9007199254740992, -9007199254740994, 900719925474099300, 295147905179352830000]");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE((*r)[0].is_number_float());
  EXPECT_EQ(Canonical(*r), "[9007199254740992,-9007199254740994,900719925474099300,295147905179352830000]");
  ExpectRefused(ParseJsonStrict("[1, 9007199254740993]"), Code::kMalformed,
                {"at '/1'", "9007199254740993", "see 9007199254740992", "string"});
  ExpectRefused(ParseJsonStrict("-9007199254740993"), Code::kMalformed, {"JSON text: integer -9007199254740993"});
  // CanonicalJson on a value built in code refuses the integer either way.
  ExpectRefused(CanonicalJson(Json(uint64_t{9007199254740992})), Code::kInvalidArgument, {"9007199254740992"});
}

}  // namespace
}  // namespace vouch
