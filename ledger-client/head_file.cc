#include "vouch/ledger/head_file.h"

#include <charconv>
#include <sstream>

#include "vouch/core/bytes.h"

namespace vouch::ledger {
namespace {

constexpr std::string_view kMagic = "vouch-ledger-head";

bool ParseDigest(const std::string& hex, Sha256Digest* out) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != out->size()) return false;
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return true;
}

}  // namespace

Result<std::optional<VerifiedHead>> ReadHeadFile(const std::string& path) {
  auto data = ReadFile(path);
  if (!data.ok() && data.error().code() == Code::kNotFound) return std::optional<VerifiedHead>();
  if (!data.ok()) return data.error();
  std::istringstream in(ToString(*data));
  std::string magic, version, genesis, index, digest, extra;
  VerifiedHead head;
  bool ok = static_cast<bool>(in >> magic >> version >> genesis >> index >> digest) && !(in >> extra) &&
            magic == kMagic && version == "v1" && ParseDigest(genesis, &head.genesis) &&
            ParseDigest(digest, &head.digest);
  if (ok) {
    auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), head.index);
    ok = ec == std::errc() && end == index.data() + index.size();
  }
  if (!ok) {
    return Error(Code::kMalformed,
                 StrCat("ledger head file '", path, "' is not '", kMagic,
                        " v1 GENESIS INDEX DIGEST' (remove it only if you trust the ledger as it is now)"));
  }
  return std::optional<VerifiedHead>(head);
}

Status WriteHeadFile(const std::string& path, const VerifiedHead& head) {
  std::string line = StrCat(kMagic, " v1 ", HexEncode(head.genesis), " ", head.index, " ",
                            HexEncode(head.digest), "\n");
  Status written = WriteFile(path, AsBytes(line), 0600);
  if (!written.ok()) return written.error().WithContext(StrCat("ledger head file '", path, "'"));
  return Ok();
}

}  // namespace vouch::ledger
