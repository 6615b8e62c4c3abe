// libFuzzer target: EkCertificate::Parse on EK certificates from outside (a
// host's DID document, TPM NV), then what a validator does with a parsed one
// (VerifyChain, MakeCredential). Seeds: swtpm_localca's RSA EK certificate
// and a self-signed P-256 one. Beyond "no crash, no sanitizer report" it
// aborts if a promise breaks:
//   - every Parse refusal is kMalformed with a message;
//   - a parsed certificate keeps the input as der() and has a public key;
//   - VerifyChain with the certificate itself as the only CA succeeds, or
//     refuses with kBadSignature / kInvalidArgument (not self-signed);
//   - MakeCredential for a parsed certificate succeeds with TPM2B outputs
//     (or fails kInternal for a key OpenSSL refuses to use).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/measure/credential.h"
#include "vouch/measure/ek_certificate.h"

namespace {

bool IsTpm2b(const vouch::Bytes& b) {
  return b.size() > 2 && (size_t{b[0]} << 8 | b[1]) == b.size() - 2;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteView input(data, size);
  auto cert = vouch::EkCertificate::Parse(input);
  if (!cert.ok()) {
    if (cert.error().code() != vouch::Code::kMalformed || cert.error().message().empty()) {
      std::abort();
    }
    return 0;
  }
  if (cert->der() != vouch::Bytes(input.begin(), input.end()) || cert->public_key_der().empty()) {
    std::abort();
  }
  vouch::Status v = cert->VerifyChain({cert->der()}, 1767225600);  // 2026-01-01
  if (!v.ok() && v.error().code() != vouch::Code::kBadSignature &&
      v.error().code() != vouch::Code::kInvalidArgument) {
    std::abort();
  }
  vouch::Bytes name(34, 0x11);
  name[0] = 0x00;
  name[1] = 0x0b;
  auto made = vouch::MakeCredential(*cert, name, vouch::Bytes(32, 0x22));
  if (made.ok()) {
    if (!IsTpm2b(made->id_object) || !IsTpm2b(made->encrypted_secret)) std::abort();
  } else if (made.error().code() != vouch::Code::kInternal) {
    std::abort();
  }
  return 0;
}
