#include "vouch/core/private_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "vouch/core/bytes.h"

namespace vouch {
namespace {

std::string TempFile(const std::string& name, std::string_view content, unsigned mode) {
  std::string dir = (std::filesystem::temp_directory_path() / "vouch-private-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) std::abort();
  std::string path = dir + "/" + name;
  EXPECT_TRUE(WriteFile(path, AsBytes(content), mode).ok());
  return path;
}

TEST(PrivateFile, ReadsAnOwnerOnlyFile) {
  std::string path = TempFile("password", "s3cret\n", 0600);
  auto secret = ReadPrivateFile(path, "ledger_password_file");
  ASSERT_TRUE(secret.ok()) << secret.error().ToString();
  EXPECT_EQ(ToString(secret->Expose()), "s3cret\n");
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(PrivateFile, RefusesAFileGroupOrOthersCanReadNamingTheFix) {
  for (unsigned mode : {0640u, 0604u, 0644u, 0660u}) {
    std::string path = TempFile("password", "s3cret\n", mode);
    auto secret = ReadPrivateFile(path, "ledger_password_file");
    ASSERT_FALSE(secret.ok()) << std::oct << mode;
    EXPECT_EQ(secret.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(secret.error().message(),
              StrCat("ledger_password_file '", path, "' is readable by group or others (mode ", std::oct, mode,
                     "; fix: chmod 600 '", path, "')"));
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
  }
}

TEST(PrivateFile, AMissingFileIsNotFoundNamingItsRole) {
  auto secret = ReadPrivateFile("/nonexistent/vouch/password", "ledger_password_file");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), Code::kNotFound);
  EXPECT_EQ(secret.error().message(), "ledger_password_file '/nonexistent/vouch/password' does not exist");
}

}  // namespace
}  // namespace vouch
