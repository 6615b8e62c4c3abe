#include "vouch/host/audit_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace vouch::host {

Status AuditStore::EnsureDir() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Error(Code::kIo, StrCat("audit store '", dir_, "': cannot create it: ", ec.message()));
  return Ok();
}

std::string AuditStore::LatestPath(std::string_view uuid, std::string_view type) const {
  return StrCat(dir_, "/", uuid, ".", type, ".cbor");
}

Status AuditStore::PutVc(std::string_view uuid, const HostVc& vc) const {
  VOUCH_RETURN_IF_ERROR(EnsureDir());
  const Bytes encoded = vc.message().Encode();
  for (const std::string& path : {StrCat(dir_, "/", uuid, "-", HexEncode(vc.claims().cti), ".cbor"),
                                  LatestPath(uuid, vc.claims().type)}) {
    Status written = WriteFile(path, encoded, 0644);
    if (!written.ok()) return Error(Code::kIo, StrCat("audit store: ", written.error().message()));
  }
  return Ok();
}

Status AuditStore::Append(std::string_view log, std::string_view line) const {
  VOUCH_RETURN_IF_ERROR(EnsureDir());
  const std::string path = StrCat(dir_, "/", log);
  const std::string text = StrCat(line, "\n");
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Error(Code::kIo, StrCat("audit store: cannot open '", path, "': ", std::strerror(errno)));
  ssize_t n = ::write(fd, text.data(), text.size());
  int write_errno = errno;
  bool closed = ::close(fd) == 0;
  if (n != static_cast<ssize_t>(text.size()) || !closed) {
    return Error(Code::kIo, StrCat("audit store: cannot append to '", path, "': ",
                                   n < 0 ? std::strerror(write_errno) : "short write"));
  }
  return Ok();
}

Result<Bytes> AuditStore::NewestVc(std::string_view uuid, std::string_view type) const {
  auto is_wanted = [&](const HostVc& vc) { return vc.claims().type == type && vc.claims().domain_uuid == uuid; };
  // The copy PutVc keeps of the latest: one read, however many rounds the
  // store holds.
  if (auto latest = ReadFile(LatestPath(uuid, type)); latest.ok()) {
    if (auto vc = HostVc::Parse(*latest); vc.ok() && is_wanted(*vc)) return std::move(latest).value();
  }
  // A store from before those copies: the newest file of the domain.
  std::error_code ec;
  std::filesystem::file_time_type newest{};
  std::optional<Bytes> found;
  const std::string prefix = StrCat(uuid, "-");
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(prefix, 0) != 0 || entry.path().extension() != ".cbor") continue;
    auto bytes = ReadFile(entry.path().string());
    if (!bytes.ok()) continue;
    auto vc = HostVc::Parse(*bytes);
    if (!vc.ok() || !is_wanted(*vc)) continue;
    auto when = entry.last_write_time(ec);
    if (!found || when > newest) {
      newest = when;
      found = std::move(bytes).value();
    }
  }
  if (!found) {
    return Error(Code::kNotFound, StrCat("no ", type, " VC of domain ", uuid, " in ", dir_,
                                         " (was it started through vouch on this host?)"));
  }
  return *found;
}

}  // namespace vouch::host
