#include "staged_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vouch::cli {
namespace {

Error IoError(std::string_view what, const std::string& path, int err) {
  return Error(Code::kIo, StrCat(what, " '", path, "': ", std::strerror(err)));
}

}  // namespace

Result<StagedFile> StagedFile::Create(const std::string& target) {
  std::string path = target + ".vouch-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return IoError("cannot create a temporary file next to", target, errno);
  return StagedFile(target, std::move(path), UniqueFd(fd));
}

StagedFile::StagedFile(std::string target, std::string path, UniqueFd fd)
    : target_(std::move(target)), path_(std::move(path)), fd_(std::move(fd)) {}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)), path_(std::exchange(other.path_, {})), fd_(std::move(other.fd_)) {}

StagedFile::~StagedFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

Status StagedFile::Write(ByteView data, unsigned mode) {
  if (::fchmod(fd_.get(), mode) != 0) {
    return Error(Code::kIo, StrCat("cannot chmod '", path_, "': ", std::strerror(errno)));
  }
  for (size_t off = 0; off < data.size();) {
    ssize_t n = ::write(fd_.get(), data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error(Code::kIo, StrCat("cannot write '", path_, "': ", std::strerror(errno)));
    off += static_cast<size_t>(n);
  }
  return Ok();
}

Status StagedFile::EnsureExists() {
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) {
    fd_ = UniqueFd(fd);
    return Ok();
  }
  struct stat ours {}, there {};
  if (errno == EEXIST && ::fstat(fd_.get(), &ours) == 0 && ::lstat(path_.c_str(), &there) == 0 &&
      ours.st_dev == there.st_dev && ours.st_ino == there.st_ino) {
    return Ok();
  }
  return Error(Code::kIo, StrCat("the temporary image '", path_, "' was replaced by someone else"));
}

Status StagedFile::Commit(bool replace) {
  if (::fsync(fd_.get()) != 0) return IoError("cannot write", path_, errno);
  if (Rename(replace) != 0) {
    if (errno == EEXIST) {
      return Error(Code::kInvalidArgument, StrCat("'", target_, "' exists: give --force to replace it"));
    }
    return IoError("cannot rename a new file onto", target_, errno);
  }
  path_.clear();
  return Ok();
}

int StagedFile::Rename(bool replace) {
  if (replace) return ::rename(path_.c_str(), target_.c_str());
  if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL || ::link(path_.c_str(), target_.c_str()) != 0) return -1;
  ::unlink(path_.c_str());
  return 0;
}

}  // namespace vouch::cli
