// Distinct types for the SHA-256 digests vouch binds together (DESIGN §3),
// so one cannot be passed where another belongs.
#ifndef VOUCH_CORE_TYPED_DIGEST_H_
#define VOUCH_CORE_TYPED_DIGEST_H_

#include "vouch/core/digest.h"

namespace vouch {

template <typename Tag>
struct TypedDigest {
  Sha256Digest value{};

  // Of the exact bytes of the object it names.
  static TypedDigest Of(ByteView bytes) { return TypedDigest{Sha256(bytes)}; }
  // kInvalidArgument unless 32 bytes.
  static Result<TypedDigest> FromBytes(ByteView bytes) {
    if (bytes.size() != sizeof(Sha256Digest)) {
      return Error(Code::kInvalidArgument,
                   StrCat(Tag::kName, ": expected 32 bytes, got ", bytes.size()));
    }
    TypedDigest d;
    std::copy(bytes.begin(), bytes.end(), d.value.begin());
    return d;
  }
  ByteView bytes() const { return value; }
  bool operator==(const TypedDigest&) const = default;
};

struct PolicyDigestTag { static constexpr const char* kName = "policy digest"; };
struct VcDigestTag { static constexpr const char* kName = "VC digest"; };
struct ConfigDigestTag { static constexpr const char* kName = "config digest"; };

// SHA-256 of the owner policy COSE_Sign1 as encoded.
using PolicyDigest = TypedDigest<PolicyDigestTag>;
// SHA-256 of the host VC COSE_Sign1 as encoded, without countersignatures.
using VcDigest = TypedDigest<VcDigestTag>;
// SHA-256 of the canonical domain configuration (DESIGN §5).
using ConfigDigest = TypedDigest<ConfigDigestTag>;

}  // namespace vouch

#endif  // VOUCH_CORE_TYPED_DIGEST_H_
