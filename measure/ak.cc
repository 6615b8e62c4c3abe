#include "vouch/measure/ak.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace vouch {
namespace {

constexpr size_t kMaxPrivateSize = 2048;

std::string Join(const std::string& dir, const char* file) {
  return dir.empty() || dir.back() == '/' ? dir + file : dir + "/" + file;
}

}  // namespace

Result<Ak> Ak::FromBlobs(ByteView tpm2b_public, ByteView tpm2b_private) {
  VOUCH_ASSIGN_OR_RETURN(AkPublic pub, AkPublic::Parse(tpm2b_public));
  if (tpm2b_private.size() < 3 || tpm2b_private.size() > kMaxPrivateSize) {
    return Error(Code::kMalformed, StrCat("AK TPM2B_PRIVATE: expected 3 to ", kMaxPrivateSize,
                                          " bytes, got ", tpm2b_private.size()));
  }
  size_t size = (size_t{tpm2b_private[0]} << 8) | tpm2b_private[1];
  if (size != tpm2b_private.size() - 2) {
    return Error(Code::kMalformed, StrCat("AK TPM2B_PRIVATE: size field says ", size,
                                          " bytes, but ", tpm2b_private.size() - 2, " follow"));
  }
  return Ak(std::move(pub), Bytes(tpm2b_private.begin(), tpm2b_private.end()));
}

Result<Ak> Ak::Load(const std::string& dir) {
  std::string pub_path = Join(dir, kAkPublicFile);
  std::string priv_path = Join(dir, kAkPrivateFile);
  VOUCH_ASSIGN_OR_RETURN(Bytes pub, ReadFile(pub_path));
  VOUCH_ASSIGN_OR_RETURN(Bytes priv, ReadFile(priv_path));
  auto ak = FromBlobs(pub, priv);
  if (!ak.ok()) return ak.error().WithContext(StrCat("AK in '", dir, "'"));
  return ak;
}

Status Ak::Save(const std::string& dir) const {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error(Code::kIo,
                 StrCat("cannot create AK directory '", dir, "': ", std::strerror(errno)));
  }
  VOUCH_RETURN_IF_ERROR(WriteFile(Join(dir, kAkPublicFile), public_.bytes(), 0600));
  VOUCH_RETURN_IF_ERROR(WriteFile(Join(dir, kAkPrivateFile), private_, 0600));
  return Ok();
}

}  // namespace vouch
