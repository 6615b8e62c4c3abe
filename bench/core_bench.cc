// core_bench: vouch's formats against the raw OpenSSL primitives they are
// built on, measured in the same run. After google-benchmark's table it
// prints one line per pair: "<vouch op> / <raw primitive> = ratio" — the
// overhead of CBOR, COSE structure building and HPKE's key schedule.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <map>
#include <string>

#include "vouch/core/cose_sign1.h"
#include "vouch/core/countersign.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/hpke.h"
#include "vouch/core/random.h"
#include "vouch/core/shamir.h"
#include "vouch/core/ssl_ptr.h"

namespace {

using namespace vouch;

const Bytes kPayload = RandomBytes(1024);  // about the size of a host VC's claims

// ---- raw OpenSSL ----

void BM_RawEd25519Sign(benchmark::State& state) {
  SslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  uint8_t sig[64];
  for (auto _ : state) {
    SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    size_t len = sizeof(sig);
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get());
    EVP_DigestSign(ctx.get(), sig, &len, kPayload.data(), kPayload.size());
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_RawEd25519Sign);

void BM_RawEd25519Verify(benchmark::State& state) {
  SslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  uint8_t sig[64];
  size_t len = sizeof(sig);
  {
    SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get());
    EVP_DigestSign(ctx.get(), sig, &len, kPayload.data(), kPayload.size());
  }
  for (auto _ : state) {
    SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get());
    benchmark::DoNotOptimize(EVP_DigestVerify(ctx.get(), sig, len, kPayload.data(), kPayload.size()));
  }
}
BENCHMARK(BM_RawEd25519Verify);

// One X25519 key generation plus one derivation: the public-key work of an
// HPKE seal. Open does one derivation (half of this, roughly).
void BM_RawX25519KeygenDerive(benchmark::State& state) {
  SslPtr<EVP_PKEY> peer(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  uint8_t out[32];
  for (auto _ : state) {
    SslPtr<EVP_PKEY> eph(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(eph.get(), nullptr));
    size_t len = sizeof(out);
    EVP_PKEY_derive_init(ctx.get());
    EVP_PKEY_derive_set_peer(ctx.get(), peer.get());
    EVP_PKEY_derive(ctx.get(), out, &len);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RawX25519KeygenDerive);

void BM_RawX25519Derive(benchmark::State& state) {
  SslPtr<EVP_PKEY> a(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  SslPtr<EVP_PKEY> b(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  uint8_t out[32];
  for (auto _ : state) {
    SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(a.get(), nullptr));
    size_t len = sizeof(out);
    EVP_PKEY_derive_init(ctx.get());
    EVP_PKEY_derive_set_peer(ctx.get(), b.get());
    EVP_PKEY_derive(ctx.get(), out, &len);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RawX25519Derive);

// The randomness a 3-of-5 split of a 32-byte key draws (2 coefficients per byte).
void BM_RawRandBytes64(benchmark::State& state) {
  uint8_t buf[64];
  for (auto _ : state) {
    RAND_bytes(buf, sizeof(buf));
    benchmark::DoNotOptimize(buf);
  }
}
BENCHMARK(BM_RawRandBytes64);

// ---- vouch ----

void BM_VouchEd25519Sign(benchmark::State& state) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(kPayload));
}
BENCHMARK(BM_VouchEd25519Sign);

void BM_CoseSign1Sign(benchmark::State& state) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  cbor::Value headers = cbor::Value::Map({{3, "application/vouch-vc+cbor"}});
  for (auto _ : state) {
    auto msg = CoseSign1::Sign(headers, cbor::Value::Map({}), kPayload, key);
    benchmark::DoNotOptimize(msg.value().Encode());
  }
}
BENCHMARK(BM_CoseSign1Sign);

void BM_CoseSign1ParseVerify(benchmark::State& state) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  Bytes encoded = CoseSign1::Sign(cbor::Value::Map({}), cbor::Value::Map({}), kPayload, key)->Encode();
  for (auto _ : state) {
    auto msg = CoseSign1::Parse(encoded);
    benchmark::DoNotOptimize(msg.value().Verify(key.public_key()).ok());
  }
}
BENCHMARK(BM_CoseSign1ParseVerify);

void BM_Countersign(benchmark::State& state) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = CoseSign1::Sign(cbor::Value::Map({}), cbor::Value::Map({}), kPayload, host).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Countersign(vc, cbor::Value::Map({}), validator).value().Encode());
  }
}
BENCHMARK(BM_Countersign);

void BM_CountersignVerify(benchmark::State& state) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = CoseSign1::Sign(cbor::Value::Map({}), cbor::Value::Map({}), kPayload, host).value();
  Countersignature cs = Countersign(vc, cbor::Value::Map({}), validator).value();
  for (auto _ : state) benchmark::DoNotOptimize(cs.Verify(vc, validator.public_key()).ok());
}
BENCHMARK(BM_CountersignVerify);

void BM_HpkeSeal(benchmark::State& state) {
  X25519PrivateKey recipient = X25519PrivateKey::Generate();
  Bytes share = RandomBytes(33);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        HpkeSeal(recipient.public_key(), AsBytes("info"), AsBytes("aad"), share, HpkeAead::kAes128Gcm).value());
  }
}
BENCHMARK(BM_HpkeSeal);

void BM_HpkeOpen(benchmark::State& state) {
  X25519PrivateKey recipient = X25519PrivateKey::Generate();
  HpkeSealed sealed =
      HpkeSeal(recipient.public_key(), AsBytes("info"), AsBytes("aad"), RandomBytes(33), HpkeAead::kAes128Gcm).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        HpkeOpen(recipient, sealed.enc, AsBytes("info"), AsBytes("aad"), sealed.ct, HpkeAead::kAes128Gcm).ok());
  }
}
BENCHMARK(BM_HpkeOpen);

void BM_ShamirSplit3of5(benchmark::State& state) {
  SecretBytes key = RandomSecret(32);
  for (auto _ : state) benchmark::DoNotOptimize(ShamirSplit(key, 3, 5).value());
}
BENCHMARK(BM_ShamirSplit3of5);

void BM_ShamirCombine3(benchmark::State& state) {
  auto shares = ShamirSplit(RandomSecret(32), 3, 5).value();
  std::vector<SecretBytes> three;
  for (int i = 0; i < 3; ++i) three.push_back(shares[i].Clone());
  for (auto _ : state) benchmark::DoNotOptimize(ShamirCombine(three).value());
}
BENCHMARK(BM_ShamirCombine3);

// Collects each benchmark's real time per iteration (ns) while printing as usual.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.run_type == Run::RT_Iteration && r.iterations > 0) {
        ns_[r.run_name.function_name] = r.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Ratios() const {
    const std::pair<const char*, const char*> pairs[] = {
        {"BM_VouchEd25519Sign", "BM_RawEd25519Sign"},
        {"BM_CoseSign1Sign", "BM_RawEd25519Sign"},
        {"BM_CoseSign1ParseVerify", "BM_RawEd25519Verify"},
        {"BM_Countersign", "BM_RawEd25519Sign"},
        {"BM_CountersignVerify", "BM_RawEd25519Verify"},
        {"BM_HpkeSeal", "BM_RawX25519KeygenDerive"},
        {"BM_HpkeOpen", "BM_RawX25519Derive"},
        {"BM_ShamirSplit3of5", "BM_RawRandBytes64"},
        {"BM_ShamirCombine3", "BM_RawRandBytes64"},
    };
    std::printf("\nratio to the raw OpenSSL primitive, same run (1.00 = no overhead):\n");
    for (const auto& [ours, raw] : pairs) {
      auto a = ns_.find(ours), b = ns_.find(raw);
      if (a == ns_.end() || b == ns_.end() || b->second <= 0) continue;
      std::printf("  %-26s / %-26s = %6.2f\n", ours, raw, a->second / b->second);
    }
  }

 private:
  std::map<std::string, double> ns_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Ratios();
  benchmark::Shutdown();
  return 0;
}
