// vouch-hook: the libvirt QEMU hook (install as /etc/libvirt/hooks/qemu.d/vouch,
// or call it from /etc/libvirt/hooks/qemu). As libvirt calls it:
//   vouch-hook [--config FILE] NAME OP SUBOP EXTRA   (domain XML on stdin)
//
// libvirt runs every hook for every domain, so the common case — a domain
// vouch does not protect — must cost almost nothing (DESIGN §2: < 5 ms).
// This front links only the C++ runtime: it decides from the raw XML and two
// file checks whether vouch has anything to do, and only then execs
// vouch-hook-attest (next to it) with the XML on a memfd as its stdin.
// It never decides "protected" wrongly the other way: any doubt goes to
// vouch-hook-attest, which parses properly.
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "vouch/host/hook_config_keys.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/vouch/hook.conf";
constexpr const char* kVouchNamespace = "urn:vouch:domain:1";

std::string Trim(std::string s) {
  const char* ws = " \t\r";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// What the front needs of the hook config, read once (same grammar as
// hook_config.cc). `valid` is false if a line has a shape or key that
// hook_config.cc would refuse (values are checked there): any doubt goes on,
// and vouch-hook-attest refuses the start naming the line.
struct FrontConfig {
  bool valid = true;
  std::string bundle_dir = "/etc/vouch/domains";
  std::string state_dir = "/run/vouch";
};

FrontConfig ReadFrontConfig(const std::string& path) {
  FrontConfig c;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    std::string key = eq == std::string::npos ? "" : Trim(line.substr(0, eq));
    if (!vouch::host::IsHookConfigKey(key)) c.valid = false;
    if (key == "bundle_dir") c.bundle_dir = Trim(line.substr(eq + 1));
    if (key == "state_dir") c.state_dir = Trim(line.substr(eq + 1));
  }
  return c;
}

// The domain's own <uuid>: libvirt writes it right after <name>, before any
// <metadata>, so the first one is the domain's.
std::string DomainUuid(const std::string& xml) {
  auto start = xml.find("<uuid>");
  if (start == std::string::npos) return "";
  start += 6;
  auto end = xml.find("</uuid>", start);
  if (end == std::string::npos || end - start != 36) return "";
  std::string uuid = xml.substr(start, 36);
  for (char& c : uuid) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '-') return "";
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return uuid;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Whether vouch has secrets defined right now for a domain other than
// `uuid` (a "*.secrets" list in the state dir, kept from prepare to
// started): only then can this domain's XML name one of them. Rare and
// brief, so the common start pays one readdir.
bool OthersHaveSecrets(const std::string& state_dir, const std::string& uuid) {
  DIR* dir = ::opendir(state_dir.c_str());
  if (dir == nullptr) return false;
  bool found = false;
  const std::string own = uuid + ".secrets";
  while (const dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > 8 && name.compare(name.size() - 8, 8, ".secrets") == 0 && name != own) found = true;
  }
  ::closedir(dir);
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config = kDefaultConfig;
  int i = 1;
  if (argc > 2 && std::strcmp(argv[1], "--config") == 0) {
    config = argv[2];
    i = 3;
  }
  if (argc - i < 3) {
    std::fputs("usage: vouch-hook [--config FILE] NAME OP SUBOP [EXTRA] < domain.xml\n", stderr);
    return 2;
  }
  const std::string op = argv[i + 1], sub_op = argv[i + 2];
  std::string xml;
  char buf[65536];
  ssize_t n;
  while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
    xml.append(buf, static_cast<size_t>(n));
    if (xml.size() > (4u << 20)) {
      std::fprintf(stderr, "vouch: domain '%s': XML on stdin exceeds 4 MiB\n", argv[i]);
      return 1;
    }
  }

  bool prepare = op == "prepare" && sub_op == "begin";
  bool cleanup = (op == "started" && sub_op == "begin") || (op == "release" && sub_op == "end") ||
                 (op == "stopped" && sub_op == "end");
  if (!prepare && !cleanup) return 0;
  std::string uuid = DomainUuid(xml);
  const FrontConfig front = ReadFrontConfig(config);
  bool work;
  if (prepare) {
    work = xml.find(kVouchNamespace) != std::string::npos || uuid.empty() || !front.valid ||
           Exists(front.bundle_dir + "/" + uuid + ".bundle") ||
           (xml.find("<secret") != std::string::npos && OthersHaveSecrets(front.state_dir, uuid));
  } else {
    // At a stop, also the mark of a launch whose validators hold leases.
    work = uuid.empty() || Exists(front.state_dir + "/" + uuid + ".secrets") ||
           (op != "started" && Exists(front.state_dir + "/" + uuid + ".lease"));
  }
  if (!work) return 0;

  // Hand over to vouch-hook-attest with the same arguments and the XML as stdin.
  char self[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (len <= 0) {
    std::fprintf(stderr, "vouch: domain '%s': cannot locate vouch-hook-attest\n", argv[i]);
    return 1;
  }
  self[len] = '\0';
  std::string attest = self;
  attest = attest.substr(0, attest.rfind('/') + 1) + "vouch-hook-attest";
  int fd = memfd_create("vouch-domain-xml", MFD_CLOEXEC);
  if (fd < 0 || write(fd, xml.data(), xml.size()) != static_cast<ssize_t>(xml.size()) ||
      lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) < 0) {
    std::fprintf(stderr, "vouch: domain '%s': cannot pass the domain XML on\n", argv[i]);
    return 1;
  }
  argv[0] = const_cast<char*>(attest.c_str());
  execv(attest.c_str(), argv);
  std::fprintf(stderr, "vouch: domain '%s': cannot run '%s': %s\n", argv[i], attest.c_str(),
               std::strerror(errno));
  return 1;
}
