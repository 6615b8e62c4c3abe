// ledger_appender LOCATOR HOST_KEY.pem K N: a separate OS process that
// appends N "attested" entries by the registered host HOST_KEY to the ledger
// at LOCATOR, entry i naming the VC digest SHA-256("vc K i") (the tests'
// VcDigest). Multi-process appender tests fork+exec it. Exit 0 when all N
// landed; 2 on bad arguments; 1 with the error on stderr otherwise.
#include <cstdio>
#include <string>

#include "testing/ledger_world.h"
#include "vouch/ledger/ledger_client.h"

int main(int argc, char** argv) {
  using namespace vouch;          // NOLINT: a test tool
  using namespace vouch::ledger;  // NOLINT
  if (argc != 5) {
    std::fprintf(stderr, "usage: ledger_appender LOCATOR HOST_KEY.pem K N\n");
    return 2;
  }
  const std::string locator = argv[1];
  const int k = std::stoi(argv[3]);
  const int n = std::stoi(argv[4]);
  auto key = Ed25519PrivateKey::LoadPem(argv[2]);
  if (!key.ok()) {
    std::fprintf(stderr, "appender %d: %s\n", k, key.error().ToString().c_str());
    return 1;
  }
  auto ledger = OpenLedger(locator);
  if (!ledger.ok()) {
    std::fprintf(stderr, "appender %d: %s\n", k, ledger.error().ToString().c_str());
    return 1;
  }
  auto client = LedgerClient::Open(std::move(ledger).value());
  if (!client.ok()) {
    std::fprintf(stderr, "appender %d: %s\n", k, client.error().ToString().c_str());
    return 1;
  }
  const std::string did = testing::Did(*key);
  for (int i = 0; i < n; ++i) {
    AttestedBody body{ToBytes(Sha256(AsBytes(StrCat("vc ", k, " ", i)))), StrCat("domain-", k), did, {}};
    auto e = (*client)->Append(body, *key, testing::kT0 + i);
    if (!e.ok()) {
      std::fprintf(stderr, "appender %d, entry %d: %s\n", k, i, e.error().ToString().c_str());
      return 1;
    }
  }
  return 0;
}
