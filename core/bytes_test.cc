#include "vouch/core/bytes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "vouch/core/random.h"

namespace vouch {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vouch-bytes-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(Hex, EncodesLowerCaseAndDecodesEitherCase) {
  EXPECT_EQ(HexEncode(Bytes{}), "");
  EXPECT_EQ(HexEncode(Bytes{0x00, 0x01, 0xab, 0xff}), "0001abff");
  EXPECT_EQ(HexDecode("0001abff").value(), (Bytes{0x00, 0x01, 0xab, 0xff}));
  EXPECT_EQ(HexDecode("0001ABFF").value(), (Bytes{0x00, 0x01, 0xab, 0xff}));
  EXPECT_EQ(HexDecode("").value(), Bytes{});
}

TEST(Hex, RandomBytesRoundTrip) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes data = RandomBytes(n);
    EXPECT_EQ(HexDecode(HexEncode(data)).value(), data);
  }
}

TEST(Hex, RefusesOddLengthAndNonHexDigitsNamingTheOffset) {
  Result<Bytes> odd = HexDecode("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code(), Code::kMalformed);
  EXPECT_NE(odd.error().message().find("odd length 3"), std::string::npos) << odd.error().message();
  const std::pair<const char*, int> kBad[] = {{"0g", 1}, {"g0", 0}, {"00 1", 2}, {"0x12", 1}, {"abcd-e", 4}};
  for (auto [text, offset] : kBad) {
    Result<Bytes> r = HexDecode(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code(), Code::kMalformed);
    EXPECT_NE(r.error().message().find(StrCat("offset ", offset)), std::string::npos)
        << text << ": " << r.error().message();
  }
}

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, b64] : kVectors) {
    EXPECT_EQ(Base64Encode(ToBytes(plain)), b64);
    EXPECT_EQ(ToString(Base64Decode(b64).value()), plain) << b64;
    std::string unpadded(b64);
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(Base64UrlEncode(ToBytes(plain)), unpadded);
    EXPECT_EQ(ToString(Base64Decode(unpadded).value()), plain) << unpadded;
  }
}

TEST(Base64, UrlAlphabetAndWhitespace) {
  Bytes data = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(data), "+/+/");
  EXPECT_EQ(Base64UrlEncode(data), "-_-_");
  EXPECT_EQ(Base64Decode("-_-_").value(), data);
  EXPECT_EQ(Base64Decode("+/+/").value(), data);
  EXPECT_EQ(ToString(Base64Decode(" Zm9v\nYmFy\r\n\t").value()), "foobar");
}

TEST(Base64, RandomBytesRoundTripInBothAlphabets) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes data = RandomBytes(n);
    EXPECT_EQ(Base64Decode(Base64Encode(data)).value(), data);
    EXPECT_EQ(Base64Decode(Base64UrlEncode(data)).value(), data);
  }
}

TEST(Base64, RefusesInvalidCharactersDataAfterPaddingAndTruncatedGroups) {
  for (const char* bad : {"Zm9v!", "Zm9v.", "Zm=9v", "Z", "Zm9vY", "Zm9vYg===", "Zg==Zg=="}) {
    Result<Bytes> r = Base64Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kMalformed) << bad;
  }
  EXPECT_NE(Base64Decode("Zm9v!").error().message().find("offset 4"), std::string::npos);
}

TEST(Bytes, ConcatAndConstantTimeEqual) {
  EXPECT_EQ(Concat({Bytes{1, 2}, Bytes{}, Bytes{3}}), (Bytes{1, 2, 3}));
  EXPECT_TRUE(ConstantTimeEqual(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
  EXPECT_FALSE(ConstantTimeEqual(Bytes{1, 2, 3}, Bytes{1, 2, 4}));
  EXPECT_FALSE(ConstantTimeEqual(Bytes{1, 2, 3}, Bytes{1, 2}));
  EXPECT_TRUE(ConstantTimeEqual(Bytes{}, Bytes{}));
}

TEST(Files, WriteFileSetsTheRequestedModeWhateverTheUmask) {
  TempDir dir;
  mode_t old = ::umask(077);
  Status wide = WriteFile(dir.File("wide"), ToBytes("a"), 0644);
  ::umask(0);
  Status narrow = WriteFile(dir.File("narrow"), ToBytes("b"), 0600);
  Status deflt = WriteFile(dir.File("default"), ToBytes("c"));
  ::umask(old);
  ASSERT_TRUE(wide.ok() && narrow.ok() && deflt.ok());
  EXPECT_EQ(ModeOf(dir.File("wide")), 0644u);
  EXPECT_EQ(ModeOf(dir.File("narrow")), 0600u);
  EXPECT_EQ(ModeOf(dir.File("default")), 0644u);
}

TEST(Files, WriteThenReadRoundTripsAndReplacesWholeFiles) {
  TempDir dir;
  std::string path = dir.File("data.bin");
  Bytes big = RandomBytes(100000);
  ASSERT_TRUE(WriteFile(path, big).ok());
  EXPECT_EQ(ReadFile(path).value(), big);
  ASSERT_TRUE(WriteFile(path, ToBytes("short"), 0600).ok());
  EXPECT_EQ(ToString(ReadFile(path).value()), "short");
  EXPECT_EQ(ModeOf(path), 0600u);
  // No temporary file is left behind.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST(Files, ReadFileReportsMissingFilesAsNotFoundWithThePath) {
  TempDir dir;
  Result<Bytes> r = ReadFile(dir.File("nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find(dir.File("nope")), std::string::npos) << r.error().message();
}

TEST(Files, ReadFileRefusesDirectoriesFifosAndDevicesInOneLine) {
  TempDir dir;
  std::string fifo = dir.File("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {dir.path(), fifo, std::string("/dev/zero")}) {
    Result<Bytes> r = ReadFile(path);  // a FIFO with no writer must not hang
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << path;
    EXPECT_NE(r.error().message().find("'" + path + "' is "), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
  }
  EXPECT_NE(ReadFile(dir.path()).error().message().find("is a directory"), std::string::npos);
}

TEST(Files, ReadFileRefusesFilesLargerThanItsCap) {
  TempDir dir;
  std::string path = dir.File("huge");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(::ftruncate(::fileno(f), static_cast<off_t>(kMaxReadFileSize) + 1), 0);  // sparse
    std::fclose(f);
  }
  Result<Bytes> r = ReadFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find("larger than the 64 MiB"), std::string::npos) << r.error().message();
}

TEST(Files, ReadFileReadsProcFilesThatReportSizeZero) {
  Result<Bytes> r = ReadFile("/proc/self/status");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_NE(ToString(*r).find("Name:"), std::string::npos);
}

// A local attacker who plants files or symlinks at the temporary names an
// older WriteFile used (PATH.tmp.<pid>) gets nothing written through them.
TEST(Files, WriteFileNeverWritesThroughAPlantedTemporaryPath) {
  TempDir dir;
  std::string path = dir.File("secret.key");
  std::string loot = dir.File("attacker-readable");
  ASSERT_TRUE(WriteFile(loot, ToBytes(""), 0644).ok());
  std::string planted = path + ".tmp." + std::to_string(::getpid());
  ASSERT_EQ(::symlink(loot.c_str(), planted.c_str()), 0);
  ASSERT_TRUE(WriteFile(path, ToBytes("K"), 0600).ok());
  EXPECT_EQ(ToString(ReadFile(path).value()), "K");
  EXPECT_EQ(ReadFile(loot).value().size(), 0u);
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST(Files, WriteFileIntoAMissingDirectoryIsAnIoError) {
  TempDir dir;
  Status s = WriteFile(dir.File("no/such/dir/file"), ToBytes("x"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kIo);
}

}  // namespace
}  // namespace vouch
