// EK certificates: parsing, chain verification against a test-owned
// swtpm_localca "manufacturer" CA, reading them from TPM NV, and the whole
// certification flow (DESIGN §2 "Register") on a provisioned swtpm.
#include "vouch/measure/ek_certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <ctime>

#include "measure/testing/swtpm_process.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/ssl_ptr.h"
#include "vouch/measure/credential.h"
#include "vouch/measure/tpm.h"

namespace vouch {
namespace {

using testing::CommandLine;
using testing::ReadEkCaCertificates;
using testing::RunCommand;
using testing::SwtpmOptions;
using testing::SwtpmProcess;
using testing::TempDir;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string RunOk(const std::vector<std::string>& argv) {
  auto r = RunCommand(argv);
  if (!r.ok()) {
    ADD_FAILURE() << r.error().ToString();
    return "";
  }
  EXPECT_EQ(r->exit_code, 0) << CommandLine(argv) << ":\n" << r->output;
  return r->output;
}

Bytes Tpm2Tool(const SwtpmProcess& swtpm, const std::vector<std::string>& argv) {
  auto r = swtpm.RunTpm2Tool(argv);
  EXPECT_TRUE(r.ok() && r->ok()) << CommandLine(argv) << ": "
                                 << (r.ok() ? r->output : r.error().ToString());
  return r.ok() ? ToBytes(r->output) : Bytes();
}

// The DER SubjectPublicKeyInfo of a PEM public key file.
Bytes SpkiOfPem(const std::string& path) {
  auto pem = ReadFile(path);
  if (!pem.ok()) return {};
  SslPtr<BIO> bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  SslPtr<EVP_PKEY> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  uint8_t* der = nullptr;
  int len = key ? i2d_PUBKEY(key.get(), &der) : -1;
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// Two swtpms manufactured by two test CAs ("manufacturers"), shared by the
// tests of this suite (swtpm_setup takes about a second each).
class ProvisionedSwtpm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (int i = 0; i < 2; ++i) {
      std::string ca = *dir_ / ("ca" + std::to_string(i));
      auto s = SwtpmProcess::Start(*dir_ / ("tpm" + std::to_string(i)),
                                   SwtpmOptions{.ek_ca_dir = ca});
      ASSERT_TRUE(s.ok()) << s.error().ToString();
      swtpm_[i] = std::move(s).value().release();
      auto certs = ReadEkCaCertificates(ca);
      ASSERT_TRUE(certs.ok()) << certs.error().ToString();
      cas_[i] = new std::vector<Bytes>(*certs);
    }
  }
  static void TearDownTestSuite() {
    for (int i = 0; i < 2; ++i) {
      delete swtpm_[i];  // stops it by pid
      delete cas_[i];
      swtpm_[i] = nullptr;
      cas_[i] = nullptr;
    }
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(swtpm_[0], nullptr);
    ASSERT_NE(swtpm_[1], nullptr);
  }
  static std::unique_ptr<Tpm> Open(int i) {
    auto t = Tpm::Open(swtpm_[i]->tcti());
    EXPECT_TRUE(t.ok()) << t.error().ToString();
    return t.ok() ? std::move(t).value() : nullptr;
  }
  static EkCertificate ReadCert(int i) {
    auto tpm = Open(i);
    auto der = tpm->ReadEkCertificate();
    EXPECT_TRUE(der.ok()) << der.error().ToString();
    auto cert = EkCertificate::Parse(der.ok() ? *der : Bytes());
    EXPECT_TRUE(cert.ok()) << cert.error().ToString();
    return *cert;
  }

  static inline TempDir* dir_ = nullptr;
  static inline SwtpmProcess* swtpm_[2] = {nullptr, nullptr};
  static inline std::vector<Bytes>* cas_[2] = {nullptr, nullptr};
};

TEST_F(ProvisionedSwtpm, EkCertificateFromNvVerifiesAgainstItsOwnCa) {
  auto tpm = Open(0);
  ASSERT_TRUE(tpm);
  auto der = tpm->ReadEkCertificate();
  ASSERT_TRUE(der.ok()) << der.error().ToString();
  // The NV content as tpm2_nvread gives it starts with exactly these bytes.
  TempDir work;
  Tpm2Tool(*swtpm_[0], {"tpm2_nvread", "0x1c00002", "-o", work / "nv.bin"});
  auto nv = ReadFile(work / "nv.bin");
  ASSERT_TRUE(nv.ok());
  ASSERT_GE(nv->size(), der->size());
  EXPECT_EQ(Bytes(nv->begin(), nv->begin() + der->size()), *der);

  auto cert = EkCertificate::Parse(*der);
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  EXPECT_EQ(cert->key_type(), EkKeyType::kRsa2048);
  EXPECT_EQ(cert->der(), *der);
  ASSERT_EQ(cas_[0]->size(), 2u);  // root, issuer
  Status v = cert->VerifyChain(*cas_[0], Now());
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  // Order does not matter; a copy verifies as well.
  EkCertificate copy = *cert;
  v = copy.VerifyChain({(*cas_[0])[1], (*cas_[0])[0]}, Now());
  EXPECT_TRUE(v.ok()) << v.error().ToString();
}

TEST_F(ProvisionedSwtpm, EkCertificateKeyIsTheRsaEkTheTpmRecreates) {
  EkCertificate cert = ReadCert(0);
  TempDir work;
  Tpm2Tool(*swtpm_[0], {"tpm2_createek", "-c", work / "ek.ctx", "-G", "rsa", "-f", "pem", "-u",
                        work / "ek.pem"});
  Bytes spki = SpkiOfPem(work / "ek.pem");
  ASSERT_FALSE(spki.empty());
  EXPECT_EQ(cert.public_key_der(), spki);
  // The other TPM's EK differs.
  EXPECT_NE(ReadCert(1).public_key_der(), spki);
}

TEST_F(ProvisionedSwtpm, CertificationFlowActivatesOnlyOnTheCertifiedTpm) {
  // Validator side: verify the chain, make a credential for the AK name.
  // Host side: activate it. The AK of the other TPM cannot.
  EkCertificate cert = ReadCert(0);
  ASSERT_TRUE(cert.VerifyChain(*cas_[0], Now()).ok());
  auto tpm = Open(0);
  ASSERT_TRUE(tpm);
  auto ak = tpm->CreateAk();
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  auto made = MakeCredential(cert, ak->name(), ToBytes("challenge"));
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  auto got = tpm->ActivateCredential(*ak, made->id_object, made->encrypted_secret,
                                     cert.key_type());
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(ToString(got->Expose()), "challenge");

  // A host that claims TPM 0's certificate but holds its AK in TPM 1.
  auto other = Open(1);
  ASSERT_TRUE(other);
  auto other_ak = other->CreateAk();
  ASSERT_TRUE(other_ak.ok());
  made = MakeCredential(cert, other_ak->name(), ToBytes("challenge"));
  ASSERT_TRUE(made.ok());
  got = other->ActivateCredential(*other_ak, made->id_object, made->encrypted_secret,
                                  EkKeyType::kRsa2048);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kBadSignature) << got.error().ToString();
}

TEST_F(ProvisionedSwtpm, AnotherManufacturersCaIsRefused) {
  EkCertificate cert = ReadCert(0);
  Status v = cert.VerifyChain(*cas_[1], Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadSignature);
  EXPECT_NE(v.error().message().find("unable to get local issuer certificate"), std::string::npos)
      << v.error().message();
  EXPECT_NE(v.error().message().find("swtpm-localca"), std::string::npos) << v.error().message();
  // And the other way round.
  v = ReadCert(1).VerifyChain(*cas_[0], Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadSignature);
  // The right root without its intermediate issuer does not suffice.
  v = cert.VerifyChain({(*cas_[0])[0]}, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadSignature) << v.error().ToString();
  // Both CAs' roots with TPM 1's issuer only: still no path.
  v = cert.VerifyChain({(*cas_[0])[0], (*cas_[1])[0], (*cas_[1])[1]}, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadSignature);
}

TEST_F(ProvisionedSwtpm, VerificationTimeOutsideValidityIsRefused) {
  EkCertificate cert = ReadCert(0);
  Status v = cert.VerifyChain(*cas_[0], Now() - 10 * 24 * 3600);  // before the CA existed
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kBadSignature);
  EXPECT_NE(v.error().message().find("not yet valid"), std::string::npos) << v.error().message();
}

TEST_F(ProvisionedSwtpm, EmptyOrUnusableCaListIsInvalidArgument) {
  EkCertificate cert = ReadCert(0);
  Status v = cert.VerifyChain({}, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kInvalidArgument);
  v = cert.VerifyChain({(*cas_[0])[0], ToBytes("not a certificate")}, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kInvalidArgument);
  EXPECT_NE(v.error().message().find("certificate 1"), std::string::npos) << v.error().message();
  // Only the intermediate: no trust anchor at all.
  v = cert.VerifyChain({(*cas_[0])[1]}, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kInvalidArgument);
  // The EK certificate itself is no anchor either (not self-signed).
  v = cert.VerifyChain({cert.der()}, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kInvalidArgument);
}

TEST_F(ProvisionedSwtpm, EccP384EkCertificateOfSwtpmSetupIsNotAccepted) {
  TempDir work;
  Tpm2Tool(*swtpm_[0], {"tpm2_nvread", "0x1c00016", "-o", work / "ecc.der"});
  auto nv = ReadFile(work / "ecc.der");
  ASSERT_TRUE(nv.ok());
  // Trim NV padding the same way: DER length from its header (30 82 hi lo).
  ASSERT_GE(nv->size(), 4u);
  ASSERT_EQ((*nv)[1], 0x82);
  nv->resize(std::min(nv->size(), 4 + (size_t{(*nv)[2]} << 8 | (*nv)[3])));
  auto cert = EkCertificate::Parse(*nv);
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().code(), Code::kMalformed);
  EXPECT_NE(cert.error().message().find("secp384r1"), std::string::npos)
      << cert.error().message();
}

TEST(EkCertificateNv, FreshSwtpmHasNoEkCertificate) {
  auto swtpm = SwtpmProcess::Start();
  ASSERT_TRUE(swtpm.ok()) << swtpm.error().ToString();
  auto tpm = Tpm::Open((*swtpm)->tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
  auto der = (*tpm)->ReadEkCertificate();
  ASSERT_FALSE(der.ok());
  EXPECT_EQ(der.error().code(), Code::kNotFound) << der.error().ToString();
}

TEST(EkCertificateNv, EccP256CertificateIsReadFromItsIndexWithPaddingCut) {
  TempDir work;
  RunOk({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", work / "key.pem", "-subj", "/CN=test P-256 EK", "-days", "2",
       "-outform", "DER", "-out", work / "ek.der"});
  auto der = ReadFile(work / "ek.der");
  ASSERT_TRUE(der.ok());
  Bytes padded = *der;
  padded.resize(der->size() + 37, 0xff);
  ASSERT_TRUE(WriteFile(work / "padded.der", padded).ok());
  auto swtpm = SwtpmProcess::Start();
  ASSERT_TRUE(swtpm.ok()) << swtpm.error().ToString();
  Tpm2Tool(**swtpm, {"tpm2_nvdefine", "0x1c0000a", "-C", "o", "-s", std::to_string(padded.size()),
                     "-a", "ownerwrite|ownerread|authread|authwrite|no_da"});
  Tpm2Tool(**swtpm, {"tpm2_nvwrite", "0x1c0000a", "-C", "o", "-i", work / "padded.der"});

  auto tpm = Tpm::Open((*swtpm)->tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
  auto got = (*tpm)->ReadEkCertificate();
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(*got, *der);
  auto cert = EkCertificate::Parse(*got);
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  EXPECT_EQ(cert->key_type(), EkKeyType::kEccP256);
  // Self-signed: it is its own anchor.
  EXPECT_TRUE(cert->VerifyChain({*der}, Now()).ok());

  // An index holding something that is not DER is reported as such.
  Tpm2Tool(**swtpm, {"tpm2_nvundefine", "0x1c0000a", "-C", "o"});
  Tpm2Tool(**swtpm, {"tpm2_nvdefine", "0x1c00002", "-C", "o", "-s", "16", "-a",
                     "ownerwrite|ownerread|authread|authwrite|no_da"});
  ASSERT_TRUE(WriteFile(work / "junk", Bytes(16, 0x41)).ok());
  Tpm2Tool(**swtpm, {"tpm2_nvwrite", "0x1c00002", "-C", "o", "-i", work / "junk"});
  got = (*tpm)->ReadEkCertificate();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kMalformed) << got.error().ToString();
}

TEST(EkCertificateParse, GarbageTruncatedAndTrailingBytesAreMalformed) {
  TempDir work;
  RunOk({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work / "key.pem",
       "-subj", "/CN=test RSA EK", "-days", "2", "-outform", "DER", "-out", work / "ek.der"});
  auto der = ReadFile(work / "ek.der");
  ASSERT_TRUE(der.ok());
  auto ok = EkCertificate::Parse(*der);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->key_type(), EkKeyType::kRsa2048);

  for (const Bytes& bad : {Bytes{}, ToBytes("garbage"), Bytes(der->begin(), der->end() - 1),
                           Bytes(der->begin(), der->begin() + der->size() / 2),
                           Concat({*der, Bytes{0}})}) {
    auto r = EkCertificate::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad.size();
    EXPECT_EQ(r.error().code(), Code::kMalformed) << r.error().ToString();
  }
  Bytes flipped = *der;
  flipped[1] ^= 0x01;  // the outer length
  EXPECT_EQ(EkCertificate::Parse(flipped).error().code(), Code::kMalformed);
}

TEST(EkCertificateParse, KeysOtherThanRsa2048AndP256AreMalformed) {
  TempDir work;
  RunOk({"openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", work / "k.pem",
       "-subj", "/CN=ed", "-days", "2", "-outform", "DER", "-out", work / "ed.der"});
  auto der = ReadFile(work / "ed.der");
  ASSERT_TRUE(der.ok());
  auto r = EkCertificate::Parse(*der);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kMalformed);
  EXPECT_NE(r.error().message().find("ED25519"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace vouch
