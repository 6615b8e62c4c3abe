#include "vouch/core/private_file.h"

#include <sys/stat.h>

#include "vouch/core/bytes.h"

namespace vouch {

Status CheckPrivateFile(const std::string& path, std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error(Code::kNotFound, StrCat(what, " '", path, "' does not exist"));
  }
  if ((st.st_mode & 077) != 0) {
    return Error(Code::kInvalidArgument,
                 StrCat(what, " '", path, "' is readable by group or others (mode ", std::oct, (st.st_mode & 0777),
                        std::dec, "; fix: chmod 600 '", path, "')"));
  }
  return Ok();
}

Result<SecretBytes> ReadPrivateFile(const std::string& path, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(CheckPrivateFile(path, what));
  auto data = ReadFile(path);
  if (!data.ok()) return data.error().WithContext(std::string(what));
  return SecretBytes::Adopt(std::move(data).value());
}

}  // namespace vouch
