// shamir_tool: drives vouch's Shamir code for tests/interop/shamir_interop.mjs.
//
//   shamir_tool split SECRETHEX T N     prints the N shares, hex, one per line
//   shamir_tool combine SHAREHEX...     prints the recovered secret, hex
//
// On a vouch error it prints "<code-name>: <message>" on stderr and exits 1;
// on a usage error it exits 2. Test-only: it prints secrets.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/core/shamir.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: shamir_tool split SECRETHEX T N\n"
               "       shamir_tool combine SHAREHEX...\n");
  return 2;
}

int Fail(const vouch::Error& error) {
  std::fprintf(stderr, "%s\n", error.ToString().c_str());
  return 1;
}

bool ParseInt(const char* text, int* out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < -100000 || v > 100000) return false;
  *out = static_cast<int>(v);
  return true;
}

int Split(int argc, char** argv) {
  int t = 0;
  int n = 0;
  if (argc != 5 || !ParseInt(argv[3], &t) || !ParseInt(argv[4], &n)) return Usage();
  auto secret = vouch::HexDecode(argv[2]);
  if (!secret.ok()) return Fail(secret.error().WithContext("SECRETHEX"));
  auto shares = vouch::ShamirSplit(vouch::SecretBytes::Adopt(std::move(secret).value()), t, n);
  if (!shares.ok()) return Fail(shares.error());
  for (const vouch::SecretBytes& share : *shares) {
    std::printf("%s\n", vouch::HexEncode(share.Expose()).c_str());
  }
  return 0;
}

int Combine(int argc, char** argv) {
  std::vector<vouch::SecretBytes> shares;
  for (int i = 2; i < argc; ++i) {
    auto bytes = vouch::HexDecode(argv[i]);
    if (!bytes.ok()) return Fail(bytes.error().WithContext("SHAREHEX " + std::to_string(i - 2)));
    shares.push_back(vouch::SecretBytes::Adopt(std::move(bytes).value()));
  }
  auto secret = vouch::ShamirCombine(shares);
  if (!secret.ok()) return Fail(secret.error());
  std::printf("%s\n", vouch::HexEncode(secret->Expose()).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  if (command == "split") return Split(argc, argv);
  if (command == "combine") return Combine(argc, argv);
  return Usage();
}
