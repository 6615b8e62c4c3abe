// vouch-hook-attest: the part of the libvirt hook that does the work; vouch-hook
// (main.cc) execs it only for protected domains. Same arguments as vouch-hook.
// Formerly: the libvirt QEMU hook (install as /etc/libvirt/hooks/qemu.d/vouch,
// or call it from /etc/libvirt/hooks/qemu). Usage, as libvirt calls it:
//   vouch-hook [--config FILE] NAME OP SUBOP EXTRA   (domain XML on stdin)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "vouch/host/hook_run.h"

int main(int argc, char** argv) {
  // tpm2-tss logs its own warnings to stderr; the hook promises libvirt one line.
  setenv("TSS2_LOG", "all+NONE", 1);
  std::string config = vouch::host::kDefaultHookConfig;
  int i = 1;
  if (argc > 2 && std::string(argv[1]) == "--config") {
    config = argv[2];
    i = 3;
  }
  if (argc - i < 3) {
    std::fputs("usage: vouch-hook [--config FILE] NAME OP SUBOP [EXTRA] < domain.xml\n", stderr);
    return 2;
  }
  std::string name = argv[i], op = argv[i + 1], sub_op = argv[i + 2];
  // The XML: libvirt's domain XML is small; refuse anything absurd.
  std::string xml;
  char buf[65536];
  ssize_t n;
  while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
    xml.append(buf, static_cast<size_t>(n));
    if (xml.size() > (4u << 20)) {
      std::fprintf(stderr, "vouch: domain '%s': XML on stdin exceeds 4 MiB\n", name.c_str());
      return 1;
    }
  }
  vouch::Status s = vouch::host::RunHook(config, name, op, sub_op, xml, std::time(nullptr));
  if (!s.ok()) {
    std::fprintf(stderr, "vouch: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}
