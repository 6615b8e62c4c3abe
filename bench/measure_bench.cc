// measure_bench: the host's TPM evidence (issue 4, bench/).
//
//  1. Quote latency: Tpm::Quote of PCRs 0-7 with a fresh 32-byte extraData,
//     on a swtpm this program starts on free ports (and stops by pid), over
//     its TCP TCTI; p50/p95 over --quotes (default 50, at least 30) after one
//     warm-up quote.
//  2. Quote verifications per second: VerifyQuote (parse TPMT_SIGNATURE and
//     TPMS_ATTEST, ECDSA verify, extraData, PCR digest) on one of those real
//     quotes, as a ratio to raw OpenSSL ECDSA P-256 verify
//     (EVP_DigestVerify, SHA-256, DER signature) of the same attest bytes
//     with the same key, measured in the same run in alternating rounds.
//
// A plain main that prints (google-benchmark's fixed-time loops do not fit
// a TPM round trip); not part of ctest.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "measure/testing/swtpm_process.h"
#include "vouch/core/random.h"
#include "vouch/core/ssl_ptr.h"
#include "vouch/measure/quote_verify.h"
#include "vouch/measure/tpm.h"
#include "vouch/measure/tpm_signature.h"

#include "percentile.h"

namespace {

using vouch::bench::Percentile;

using namespace vouch;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "measure_bench: %s: %s\n", what.c_str(), e.ToString().c_str());
  std::exit(1);
}

// Raw r‖s → DER ECDSA-Sig-Value, with OpenSSL.
Bytes RawToDer(ByteView rs) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(rs.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// Runs `op` for about `seconds`; returns operations per second.
template <typename Op>
double Rate(double seconds, Op op) {
  size_t n = 0;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < deadline) {
    for (int i = 0; i < 64; ++i) op();
    n += 64;
    now = Clock::now();
  }
  return static_cast<double>(n) / std::chrono::duration<double>(now - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  size_t quotes = 50;
  double round_seconds = 0.5;
  int rounds = 6;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--quotes=", 9) == 0) {
      quotes = std::max<size_t>(30, std::strtoul(argv[i] + 9, nullptr, 10));
    } else if (std::strncmp(argv[i], "--rounds=", 9) == 0) {
      rounds = std::max(1, std::atoi(argv[i] + 9));
    } else {
      std::fprintf(stderr, "usage: measure_bench [--quotes=N (>= 30)] [--rounds=N]\n");
      return 2;
    }
  }

  auto swtpm = testing::SwtpmProcess::Start();
  if (!swtpm.ok()) Die("starting swtpm", swtpm.error());
  auto tpm = Tpm::Open((*swtpm)->tcti());
  if (!tpm.ok()) Die("opening the TPM", tpm.error());
  auto ak = (*tpm)->CreateAk();
  if (!ak.ok()) Die("creating an AK", ak.error());
  const std::vector<uint32_t> pcrs = {0, 1, 2, 3, 4, 5, 6, 7};
  std::printf("measure_bench: swtpm pid %d at %s (%s %s)\n", static_cast<int>((*swtpm)->pid()),
              (*swtpm)->tcti().c_str(), (*tpm)->facts().manufacturer.c_str(), (*tpm)->facts().firmware.c_str());

  // ---- 1. quote latency ----
  Bytes extra = RandomBytes(32);
  auto quote = (*tpm)->Quote(*ak, pcrs, extra);  // warm-up; also the quote verified below
  if (!quote.ok()) Die("warm-up quote", quote.error());
  std::vector<double> ms;
  for (size_t i = 0; i < quotes; ++i) {
    Bytes nonce = RandomBytes(32);
    auto t0 = Clock::now();
    auto q = (*tpm)->Quote(*ak, pcrs, nonce);
    auto t1 = Clock::now();
    if (!q.ok()) Die("quote", q.error());
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::printf("quote latency, Tpm::Quote of PCRs 0-7 (ECDSA P-256 AK, includes the PCR re-read), %zu quotes:\n",
              quotes);
  std::printf("  p50 %.2f ms   p95 %.2f ms   min %.2f ms   max %.2f ms\n", Percentile(ms, 0.50),
              Percentile(ms, 0.95), *std::min_element(ms.begin(), ms.end()),
              *std::max_element(ms.begin(), ms.end()));

  // ---- 2. verifications per second vs raw ECDSA P-256 verify ----
  const AkPublic& ak_public = ak->public_area();
  auto check = VerifyQuote(ak_public, *quote, extra);
  if (!check.ok()) Die("VerifyQuote on the real quote", check.error());
  auto rs = ParseEcdsaSha256Signature(quote->signature);
  if (!rs.ok()) Die("parsing the quote signature", rs.error());
  const Bytes der = RawToDer(*rs);
  EVP_PKEY* key = ak_public.key().get();
  auto raw_verify = [&] {
    SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
    if (EVP_DigestVerify(ctx.get(), der.data(), der.size(), quote->attest.data(), quote->attest.size()) != 1) {
      std::fprintf(stderr, "measure_bench: raw verify failed\n");
      std::exit(1);
    }
  };
  auto vouch_verify = [&] {
    if (!VerifyQuote(ak_public, *quote, extra).ok()) {
      std::fprintf(stderr, "measure_bench: VerifyQuote failed\n");
      std::exit(1);
    }
  };
  raw_verify();
  vouch_verify();
  std::vector<double> raw_rates, vouch_rates;
  for (int r = 0; r < rounds; ++r) {  // alternate, so both see the same machine load
    raw_rates.push_back(Rate(round_seconds, raw_verify));
    vouch_rates.push_back(Rate(round_seconds, vouch_verify));
  }
  double raw = Percentile(raw_rates, 0.5), ours = Percentile(vouch_rates, 0.5);
  std::printf("verification, one thread, median of %d alternating %.1f s rounds (attest %zu bytes):\n", rounds,
              round_seconds, quote->attest.size());
  std::printf("  raw OpenSSL ECDSA P-256 verify (EVP_DigestVerify)  %10.0f /s\n", raw);
  std::printf("  VerifyQuote                                        %10.0f /s\n", ours);
  std::printf("  ratio VerifyQuote / raw verify = %.3f\n", ours / raw);
  return 0;
}
