// libFuzzer target: the parsers a validator runs on a host's TPM evidence
// (measure/: TPMS_ATTEST of a quote, TPMT_SIGNATURE, the AK's TPM2B_PUBLIC)
// and VerifyQuote itself. Input: the whole input goes to each parser; then,
// if the first two bytes (big-endian) give a length n that fits, bytes
// [2, 2+n) are the attest and the rest the signature of a quote checked
// against the AK, nonce and PCR values of measure/testdata/tpm2tools_quote
// (seed corpus entry "seed-verify-tpm2tools" is that quote, which verifies).
// Beyond "no crash, no sanitizer report" it aborts if a promise breaks:
//   - every refusal is kBadQuote (kPcrMismatch for the PCR digest) with a message;
//   - a parsed quote has a 32-byte pcrDigest and ascending PCR indices;
//   - a parsed signature is 64 bytes r‖s;
//   - a parsed AK's name is 0x000b ‖ SHA-256(TPMT_PUBLIC) of exactly the input;
//   - a quote verifies only if its attest is the vector's, byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/core/digest.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/quote_attest.h"
#include "vouch/measure/quote_verify.h"
#include "vouch/measure/tpm_signature.h"

namespace {

vouch::Bytes Hex(const char* hex) { return vouch::HexDecode(hex).value(); }

struct Vector {
  vouch::AkPublic ak;
  vouch::Bytes attest;
  vouch::Bytes nonce;
  std::map<uint32_t, vouch::Bytes> pcrs;
};

const Vector& TheVector() {
  static const Vector* v = [] {
    auto ak = vouch::AkPublic::Parse(
        Hex("00580023000b00050072000000100018000b000300100020082fc2b1aa28aa9dd2cab9a1df6eeb95e3b1"
            "f6e819fcccae18681cdd284987de00202c34c798999776fb23ce24c53547f6ad6ef1196751442c04678"
            "44db1d96675b3"));
    if (!ak.ok()) std::abort();
    std::map<uint32_t, vouch::Bytes> pcrs;
    for (uint32_t i = 0; i < 8; ++i) pcrs[i] = vouch::Bytes(32, 0);
    pcrs[16] = Hex("0bd68e344445341e5de1e6879fd5147e4d98548e01553433bc8409dccf3eeef4");
    return new Vector{
        *ak,
        Hex("ff54434780180022000bac69446c953b8b68822553bdaa10038f393d317141a2927d4cf81ac3be86134d"
            "0021766f7563682071756f746520766563746f72202d206e6f6e63652062797465732100000000000003"
            "82000000010000000001201910230016363600000001000b03ff00010020d5a6781a665a1426a63b0aad"
            "7e2f7d99b2ab9995ede0975c05eba7f734893ad3"),
        Hex("766f7563682071756f746520766563746f72202d206e6f6e636520627974657321"), pcrs};
  }();
  return *v;
}

void CheckRefusal(const vouch::Error& e) {
  if (e.code() != vouch::Code::kBadQuote || e.message().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteView in(data, size);

  auto attest = vouch::ParseQuoteAttest(in);
  if (attest.ok()) {
    if (attest->pcr_digest.size() != 32) std::abort();
    for (size_t i = 0; i < attest->pcrs.size(); ++i) {
      if (attest->pcrs[i] >= 32 || (i > 0 && attest->pcrs[i] <= attest->pcrs[i - 1])) std::abort();
    }
  } else {
    CheckRefusal(attest.error());
  }

  auto sig = vouch::ParseEcdsaSha256Signature(in);
  if (sig.ok()) {
    if (sig->size() != 64) std::abort();
  } else {
    CheckRefusal(sig.error());
  }

  auto ak = vouch::AkPublic::Parse(in);
  if (ak.ok()) {
    vouch::Bytes name = {0x00, 0x0b};
    vouch::Sha256Digest h = vouch::Sha256(in.subspan(2));
    name.insert(name.end(), h.begin(), h.end());
    if (ak->name() != name || ak->bytes() != vouch::Bytes(in.begin(), in.end())) std::abort();
  } else {
    CheckRefusal(ak.error());
  }

  if (size >= 2) {
    size_t n = (size_t{data[0]} << 8) | data[1];
    if (n <= size - 2) {
      const Vector& v = TheVector();
      vouch::TpmQuote q;
      q.attest.assign(data + 2, data + 2 + n);
      q.signature.assign(data + 2 + n, data + size);
      q.pcr_values = v.pcrs;
      auto verified = vouch::VerifyQuote(v.ak, q, v.nonce);
      if (verified.ok()) {
        if (q.attest != v.attest) std::abort();  // a forgery
      } else if (verified.error().code() != vouch::Code::kPcrMismatch) {
        CheckRefusal(verified.error());
      }
    }
  }
  return 0;
}
