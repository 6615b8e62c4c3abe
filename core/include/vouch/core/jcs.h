// The JSON Canonicalization Scheme (JCS, RFC 8785): the one byte string a
// JSON value signs as, so that a signature made here verifies wherever the
// same value is canonicalized again (W3C Data Integrity eddsa-jcs-2022, DESIGN
// §3 "JSON forms (W3C)").
//
// The canonical form of a value is its I-JSON (RFC 7493) serialization with
//   - no whitespace;
//   - object members sorted by their names' UTF-16 code units (RFC 8785
//     §3.2.3; not by UTF-8 bytes, which order U+E000..U+FFFF and the
//     supplementary planes the other way round);
//   - strings in UTF-8 with only the mandatory escapes: \" \\ \b \t \n \f \r
//     and \u00xx (lower-case hex) for the other controls below U+0020; every
//     other character as itself (§3.2.2.2);
//   - numbers as ECMAScript's Number.prototype.toString writes the IEEE-754
//     double (§3.2.2.3): shortest round-trip digits, "1e+21", "1e-7",
//     "0.000001", -0 as "0".
//
// vouch works on nlohmann::json values. Its three number kinds map as
// follows: a double as above; an integer exactly, if it lies in I-JSON's
// exact range ±(2^53 − 1) (RFC 7493 §2.2), which is where an integer and its
// double agree; outside that range it is refused rather than rounded, since
// another party would parse a different number.
#ifndef VOUCH_CORE_JCS_H_
#define VOUCH_CORE_JCS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"

namespace vouch {

// The largest integer magnitude CanonicalJson accepts (2^53 − 1, ECMAScript's
// Number.MAX_SAFE_INTEGER).
inline constexpr int64_t kJsonMaxSafeInteger = (int64_t{1} << 53) - 1;

// Arrays and objects nest at most this deep (the top-level value is depth
// 1), which bounds the recursion of both functions below.
inline constexpr int kJsonMaxDepth = 128;

// Returns the RFC 8785 canonical UTF-8 text of `value`. Returns
// kInvalidArgument, naming the offending value by its JSON Pointer (RFC
// 6901) path, if `value`
//   - holds a string (value or member name) that is not valid UTF-8: an
//     overlong form, a surrogate code point, a code point above U+10FFFF or
//     a cut-off sequence;
//   - holds a double that is NaN or infinite (JSON has no form for them);
//   - holds an integer outside ±kJsonMaxSafeInteger;
//   - holds a binary value (nlohmann's CBOR/MessagePack extension);
//   - nests deeper than kJsonMaxDepth.
// Thread-safe (no shared state).
Result<std::string> CanonicalJson(const nlohmann::json& value);

// Parses `text` as one I-JSON value (RFC 7493) and returns it. Returns
// kMalformed, with one sentence saying where and why, if `text` is not JSON
// (RFC 8259: no comments, no trailing commas, nothing after the value), or
// if it is JSON that I-JSON or CanonicalJson refuses:
//   - an object with two members of the same name (nlohmann::json::parse
//     would silently keep the last; RFC 8785 §3.1 requires I-JSON);
//   - an integer literal beyond ±kJsonMaxSafeInteger that a double would
//     round (9007199254740993): readers that use doubles would see another
//     number. One that is exactly the canonical text of a double
//     (9007199254740992, 900719925474099300: what CanonicalJson writes for
//     such doubles) is returned as that double, so canonical text always
//     parses back to itself;
//   - anything else CanonicalJson refuses (invalid UTF-8, including escaped
//     lone surrogates; numbers that overflow a double; nesting deeper than
//     kJsonMaxDepth).
// So any value this returns canonicalizes. A number written with a fraction
// or an exponent, or too long for 64 bits, is read as the nearest double,
// as RFC 8785 §3.2.2.3 prescribes. A leading UTF-8 byte order mark is
// skipped (RFC 8259 §8.1 allows a parser to ignore it). Thread-safe.
Result<nlohmann::json> ParseJsonStrict(std::string_view text);

}  // namespace vouch

#endif  // VOUCH_CORE_JCS_H_
