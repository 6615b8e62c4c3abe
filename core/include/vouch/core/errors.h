// Errors as values. Every fallible vouch function returns Result<T>: either a
// T or an Error made of a Code (closed set, mirrors the validator refusal
// codes of DESIGN §4) and one sentence a person can act on. The sentence
// names the object first and, where known, expected vs. actual values, e.g.
//   "sealed share 3: HPKE open failed (wrong recipient key or tampered ciphertext)".
// Messages never contain key material.
#ifndef VOUCH_CORE_ERRORS_H_
#define VOUCH_CORE_ERRORS_H_

#include <cassert>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace vouch {

enum class Code {
  kInvalidArgument,  // caller passed something unusable (size, range, duplicate)
  kMalformed,        // outside input does not parse (CBOR, COSE, did:key, quote)
  kBadSignature,     // a signature or MAC does not verify
  kCrypto,           // a crypto operation failed (decrypt, key derivation)
  kNotFound,         // a file, key or entry does not exist
  kIo,               // reading or writing a file or socket failed
  kUnavailable,      // a service (TPM, validator, ledger) cannot be reached
  kTimeout,          // a deadline passed
  kRateLimited,      // a per-peer or per-host limit was reached; try again later
  kInternal,         // a library call failed unexpectedly (OpenSSL, libcbor)
  // Appraisal refusals, DESIGN §4.
  kUnknownHost,
  kRevoked,
  kStaleNonce,
  kReplay,
  kNotInPolicy,
  kHostNotAllowed,
  kUncertifiedAk,
  kBadQuote,
  kPcrMismatch,
  kHvVersion,
  kConfig,
  kDrift,
};

// Returns the wire name of `code` as used in refusals ("bad-signature", …).
std::string_view CodeName(Code code);
// The inverse of CodeName; kInternal for a name it does not know.
Code CodeFromName(std::string_view name);

class Error {
 public:
  Error(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "`context`: <message>". Use only to add
  // what the callee could not know (which file, which validator).
  Error WithContext(std::string_view context) const;

  // "<code-name>: <message>"
  std::string ToString() const;

 private:
  Code code_;
  std::string message_;
};

// Concatenates its arguments with operator<< (GCC 12 has no std::format).
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// Result<T> holds a T or an Error. Check ok() before value(); value() on an
// error aborts in debug builds.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_{Code::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;
inline Status Ok() { return Status(); }

}  // namespace vouch

#define VOUCH_CONCAT_INNER_(a, b) a##b
#define VOUCH_CONCAT_(a, b) VOUCH_CONCAT_INNER_(a, b)

// VOUCH_RETURN_IF_ERROR(expr): returns expr's Error from the enclosing
// function if expr (a Result<...>) failed.
#define VOUCH_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    auto&& vouch_status_ = (expr);                         \
    if (!vouch_status_.ok()) return vouch_status_.error(); \
  } while (0)

// VOUCH_ASSIGN_OR_RETURN(lhs, expr): `lhs = std::move(*expr)` or return its Error.
#define VOUCH_ASSIGN_OR_RETURN(lhs, expr) \
  VOUCH_ASSIGN_OR_RETURN_IMPL_(VOUCH_CONCAT_(vouch_result_, __LINE__), lhs, expr)
#define VOUCH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.error();                 \
  lhs = std::move(tmp).value()

#endif  // VOUCH_CORE_ERRORS_H_
