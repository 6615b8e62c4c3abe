// A file written in full before it appears under its name: `vouch seal`'s
// outputs (the image, the bundle) never replace anything until every step
// that makes them succeeded.
#ifndef VOUCH_CLI_STAGED_FILE_H_
#define VOUCH_CLI_STAGED_FILE_H_

#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"
#include "vouch/core/unique_fd.h"

namespace vouch::cli {

// A new file next to `target` named "<target>.vouch-XXXXXX" (mkostemp: an
// unpredictable name, O_CREAT|O_EXCL, mode 0600, never through a symlink).
// It is removed when destroyed unless Commit() has renamed it onto `target`.
class StagedFile {
 public:
  // kIo naming the target's directory if the file cannot be created.
  static Result<StagedFile> Create(const std::string& target);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile();

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }

  // Writes all of `data` with `mode` (the file is 0600 until then). kIo
  // naming the staged file.
  Status Write(ByteView data, unsigned mode);

  // qemu-img unlinks its output when it fails: before another attempt, a
  // fresh 0600 file goes back at the same unpredictable name (O_EXCL). A
  // file there that is not ours (planted in the gap) is refused (kIo).
  Status EnsureExists();

  // fsyncs the file and renames it onto the target. Unless `replace`, a
  // target that exists by now is left alone (RENAME_NOREPLACE, or link(2)
  // where the filesystem lacks it) and the error (kInvalidArgument) says to
  // give --force.
  Status Commit(bool replace);

 private:
  StagedFile(std::string target, std::string path, UniqueFd fd);
  int Rename(bool replace);

  std::string target_;
  std::string path_;  // empty once committed
  UniqueFd fd_;
};

}  // namespace vouch::cli

#endif  // VOUCH_CLI_STAGED_FILE_H_
