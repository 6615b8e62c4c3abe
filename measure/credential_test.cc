// MakeCredential (software) against TPM2_ActivateCredential on swtpm, both
// ways against tpm2-tools 5.x (tpm2_makecredential -T none,
// tpm2_activatecredential), and the TPM's refusals.
#include "vouch/measure/credential.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "measure/testing/swtpm_fixture.h"
#include "vouch/core/ssl_ptr.h"
#include "vouch/measure/ek_certificate.h"
#include "vouch/measure/tpm.h"

namespace vouch {
namespace {

using testing::SwtpmProcess;

const char kEkName[2][4] = {"rsa", "ecc"};

// A certificate for the public key in PEM file `pem_path`, signed by a
// throwaway key: MakeCredential only uses the subject key.
Bytes CertificateFor(const std::string& pem_path) {
  auto pem = ReadFile(pem_path);
  if (!pem.ok()) return {};
  SslPtr<BIO> bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  SslPtr<EVP_PKEY> subject(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  SslPtr<EVP_PKEY> signer(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  SslPtr<X509> cert(X509_new());
  if (!subject || !signer || !cert) return {};
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test EK"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), subject.get());
  if (X509_sign(cert.get(), signer.get(), EVP_sha256()) <= 0) return {};
  uint8_t* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

class Credential : public testing::SwtpmTest {
 protected:
  std::string File(const std::string& name) { return work_ / name; }
  Bytes Read(const std::string& name) {
    auto b = ReadFile(File(name));
    EXPECT_TRUE(b.ok()) << b.error().ToString();
    return b.ok() ? *b : Bytes();
  }
  void Write(const std::string& name, ByteView data) {
    ASSERT_TRUE(WriteFile(File(name), data).ok());
  }
  // Runs `script` with sh in the work directory against the swtpm.
  void Script(const std::string& script) {
    Tool({"sh", "-c", "set -e; cd '" + work_.path() + "'; " + script});
  }
  std::unique_ptr<Tpm> Open(const SwtpmProcess& swtpm) {
    auto t = Tpm::Open(swtpm.tcti());
    EXPECT_TRUE(t.ok()) << t.error().ToString();
    return t.ok() ? std::move(t).value() : nullptr;
  }
  // An EK certificate for this TPM's EK of `type`, as tpm2_createek makes it
  // (so this also checks vouch's EK templates equal tpm2-tools').
  std::optional<EkCertificate> EkCert(SwtpmProcess& swtpm, EkKeyType type) {
    std::string alg = kEkName[type == EkKeyType::kRsa2048 ? 0 : 1];
    std::string pem = File("ek-" + alg + "-" + std::to_string(swtpm.port()) + ".pem");
    auto r = swtpm.RunTpm2Tool(
        {"tpm2_createek", "-c", File("ek.ctx"), "-G", alg, "-f", "pem", "-u", pem});
    EXPECT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->output : r.error().ToString());
    auto cert = EkCertificate::Parse(CertificateFor(pem));
    EXPECT_TRUE(cert.ok()) << cert.error().ToString();
    if (!cert.ok()) return std::nullopt;
    EXPECT_EQ(cert->key_type(), type);
    return *cert;
  }
  Ak NewAk(Tpm& tpm) {
    auto ak = tpm.CreateAk();
    EXPECT_TRUE(ak.ok()) << ak.error().ToString();
    return std::move(ak).value();
  }
};

const Bytes kSecret = ToBytes("validator nonce 0123456789abcdef");  // 32 bytes

TEST_F(Credential, VouchMadeCredentialActivatesOnTheTpmForRsaAndEccEk) {
  for (EkKeyType type : {EkKeyType::kRsa2048, EkKeyType::kEccP256}) {
    SCOPED_TRACE(kEkName[type == EkKeyType::kRsa2048 ? 0 : 1]);
    auto ek = EkCert(*swtpm_, type);
    ASSERT_TRUE(ek);
    auto tpm = Open(*swtpm_);
    ASSERT_TRUE(tpm);
    Ak ak = NewAk(*tpm);
    auto made = MakeCredential(*ek, ak.name(), kSecret);
    ASSERT_TRUE(made.ok()) << made.error().ToString();
    auto got = tpm->ActivateCredential(ak, made->id_object, made->encrypted_secret, type);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    EXPECT_EQ(ToString(got->Expose()), ToString(kSecret));

    // Randomized, and a 1-byte secret works too.
    auto again = MakeCredential(*ek, ak.name(), Bytes{0x42});
    ASSERT_TRUE(again.ok()) << again.error().ToString();
    EXPECT_NE(again->encrypted_secret, made->encrypted_secret);
    got = tpm->ActivateCredential(ak, again->id_object, again->encrypted_secret, type);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    EXPECT_EQ(Bytes(got->Expose().begin(), got->Expose().end()), Bytes{0x42});
  }
}

// tpm2-tools' credential file: 0xBADCC0DE, version 1 (both big-endian), the
// TPM2B_ID_OBJECT, the TPM2B_ENCRYPTED_SECRET (tpm2-tools lib/files.c).
constexpr uint8_t kTpm2ToolsCredHeader[8] = {0xba, 0xdc, 0xc0, 0xde, 0, 0, 0, 1};

MadeCredential SplitTpm2ToolsCredential(const Bytes& file) {
  MadeCredential out;
  if (file.size() < 8 + 2 || !std::equal(file.begin(), file.begin() + 8, kTpm2ToolsCredHeader)) {
    ADD_FAILURE() << "not a tpm2-tools credential file: " << HexEncode(file);
    return out;
  }
  size_t id_len = 2 + (size_t{file[8]} << 8 | file[9]);
  if (file.size() < 8 + id_len) {
    ADD_FAILURE() << "short tpm2-tools credential file";
    return out;
  }
  out.id_object.assign(file.begin() + 8, file.begin() + 8 + id_len);
  out.encrypted_secret.assign(file.begin() + 8 + id_len, file.end());
  return out;
}

Bytes Tpm2ToolsCredentialFile(const MadeCredential& c) {
  Bytes out(std::begin(kTpm2ToolsCredHeader), std::end(kTpm2ToolsCredHeader));
  out.insert(out.end(), c.id_object.begin(), c.id_object.end());
  out.insert(out.end(), c.encrypted_secret.begin(), c.encrypted_secret.end());
  return out;
}

TEST_F(Credential, Tpm2MakecredentialOutputActivatesThroughVouch) {
  for (EkKeyType type : {EkKeyType::kRsa2048, EkKeyType::kEccP256}) {
    std::string alg = kEkName[type == EkKeyType::kRsa2048 ? 0 : 1];
    SCOPED_TRACE(alg);
    auto tpm = Open(*swtpm_);
    ASSERT_TRUE(tpm);
    Ak ak = NewAk(*tpm);
    Tool({"tpm2_createek", "-c", File("ek.ctx"), "-G", alg, "-f", "pem", "-u", File("ek.pem")});
    Write("secret.bin", kSecret);
    auto r = testing::RunCommand({"tpm2_makecredential", "-T", "none", "-u", File("ek.pem"), "-G",
                                  alg, "-s", File("secret.bin"), "-n", HexEncode(ak.name()), "-o",
                                  File("cred.blob")});
    ASSERT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->output : r.error().ToString());
    MadeCredential theirs = SplitTpm2ToolsCredential(Read("cred.blob"));
    auto got = tpm->ActivateCredential(ak, theirs.id_object, theirs.encrypted_secret, type);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    EXPECT_EQ(ToString(got->Expose()), ToString(kSecret));
    // vouch's blobs have the same layout and sizes.
    auto mine = MakeCredential(*EkCertificate::Parse(CertificateFor(File("ek.pem"))), ak.name(),
                               kSecret);
    ASSERT_TRUE(mine.ok());
    EXPECT_EQ(mine->id_object.size(), theirs.id_object.size());
    EXPECT_EQ(mine->encrypted_secret.size(), theirs.encrypted_secret.size());
  }
}

TEST_F(Credential, VouchMadeCredentialActivatesThroughTpm2Activatecredential) {
  // A tpm2-tools AK under the ECC EK; the credential is for the RSA or the
  // ECC EK.
  Script(
      "tpm2_createek -c eccek.ctx -G ecc; tpm2_flushcontext -t;"
      " tpm2_createak -C eccek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -r ak.priv"
      " -n ak.name; tpm2_flushcontext -t");
  Bytes ak_name = Read("ak.name");
  ASSERT_EQ(ak_name.size(), 34u);
  for (EkKeyType type : {EkKeyType::kRsa2048, EkKeyType::kEccP256}) {
    std::string alg = kEkName[type == EkKeyType::kRsa2048 ? 0 : 1];
    SCOPED_TRACE(alg);
    auto ek = EkCert(*swtpm_, type);
    ASSERT_TRUE(ek);
    auto made = MakeCredential(*ek, ak_name, kSecret);
    ASSERT_TRUE(made.ok()) << made.error().ToString();
    Write("cred.blob", Tpm2ToolsCredentialFile(*made));
    std::remove(File("out.bin").c_str());
    Script("tpm2_createek -c ek.ctx -G " + alg +
           "; tpm2_flushcontext -t;"
           " tpm2_startauthsession --policy-session -S s.ctx;"
           " tpm2_policysecret -S s.ctx -c e;"
           " tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.blob -o out.bin"
           " -P session:s.ctx; tpm2_flushcontext s.ctx; tpm2_flushcontext -t");
    EXPECT_EQ(Read("out.bin"), kSecret);

    // And it refuses the credential made for another name.
    Bytes other_name = ak_name;
    other_name.back() ^= 1;
    auto wrong = MakeCredential(*ek, other_name, kSecret);
    ASSERT_TRUE(wrong.ok());
    Write("wrong.blob", Tpm2ToolsCredentialFile(*wrong));
    auto r = swtpm_->RunTpm2Tool(
        {"sh", "-c",
         "cd '" + work_.path() +
             "'; tpm2_startauthsession --policy-session -S s.ctx && "
             "tpm2_policysecret -S s.ctx -c e && tpm2_activatecredential -c ak.ctx -C ek.ctx -i "
             "wrong.blob -o wrong.out -P session:s.ctx; rc=$?; tpm2_flushcontext s.ctx; exit $rc"});
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r->exit_code, 0) << r->output;
  }
}

class CredentialRefusal : public Credential {
 protected:
  void SetUp() override {
    Credential::SetUp();
    tpm_ = Open(*swtpm_);
    ASSERT_TRUE(tpm_);
    ak_.emplace(NewAk(*tpm_));
    for (EkKeyType type : {EkKeyType::kRsa2048, EkKeyType::kEccP256}) {
      auto ek = EkCert(*swtpm_, type);
      ASSERT_TRUE(ek);
      ek_.push_back(*ek);
      auto made = MakeCredential(*ek, ak_->name(), kSecret);
      ASSERT_TRUE(made.ok()) << made.error().ToString();
      made_.push_back(*made);
    }
  }
  // Activates `c` made for EK type index i; expects `code` naming `what`.
  void ExpectRefused(size_t i, const MadeCredential& c, Code code, const std::string& what) {
    EkKeyType type = i == 0 ? EkKeyType::kRsa2048 : EkKeyType::kEccP256;
    auto got = tpm_->ActivateCredential(*ak_, c.id_object, c.encrypted_secret, type);
    ASSERT_FALSE(got.ok()) << kEkName[i];
    EXPECT_EQ(got.error().code(), code) << kEkName[i] << ": " << got.error().ToString();
    EXPECT_NE(got.error().message().find(what), std::string::npos)
        << kEkName[i] << ": " << got.error().ToString();
  }
  std::unique_ptr<Tpm> tpm_;
  std::optional<Ak> ak_;
  std::vector<EkCertificate> ek_;      // RSA, ECC
  std::vector<MadeCredential> made_;  // for ak_, RSA, ECC
};

TEST_F(CredentialRefusal, CredentialForAnotherAkNameIsRefusedWithIntegrity) {
  Ak other = NewAk(*tpm_);
  for (size_t i = 0; i < 2; ++i) {
    auto made = MakeCredential(ek_[i], other.name(), kSecret);
    ASSERT_TRUE(made.ok());
    ExpectRefused(i, *made, Code::kBadSignature, "integrity check failed");
    // The right AK still activates it.
    auto got = tpm_->ActivateCredential(other, made->id_object, made->encrypted_secret,
                                        i == 0 ? EkKeyType::kRsa2048 : EkKeyType::kEccP256);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
  }
}

TEST_F(CredentialRefusal, CredentialForAnotherTpmsEkIsRefused) {
  auto other_swtpm = SwtpmProcess::Start();
  ASSERT_TRUE(other_swtpm.ok()) << other_swtpm.error().ToString();
  for (size_t i = 0; i < 2; ++i) {
    EkKeyType type = i == 0 ? EkKeyType::kRsa2048 : EkKeyType::kEccP256;
    auto other_ek = EkCert(**other_swtpm, type);
    ASSERT_TRUE(other_ek);
    auto made = MakeCredential(*other_ek, ak_->name(), kSecret);
    ASSERT_TRUE(made.ok());
    // RSA: the OAEP decryption fails; ECC: the seed differs, so the HMAC does.
    ExpectRefused(i, *made, Code::kBadSignature, "refuses to activate");
  }
}

TEST_F(CredentialRefusal, CredentialActivatedWithTheOtherEkTypeIsRefused) {
  auto got = tpm_->ActivateCredential(*ak_, made_[0].id_object, made_[0].encrypted_secret,
                                      EkKeyType::kEccP256);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kBadSignature) << got.error().ToString();
  got = tpm_->ActivateCredential(*ak_, made_[1].id_object, made_[1].encrypted_secret,
                                 EkKeyType::kRsa2048);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kBadSignature) << got.error().ToString();
}

TEST_F(CredentialRefusal, TamperedIdObjectIsRefused) {
  for (size_t i = 0; i < 2; ++i) {
    // In the integrity HMAC, and in encIdentity.
    for (size_t at : {size_t{4}, made_[i].id_object.size() - 1}) {
      MadeCredential c = made_[i];
      c.id_object[at] ^= 0x01;
      ExpectRefused(i, c, Code::kBadSignature, "integrity check failed");
    }
  }
}

TEST_F(CredentialRefusal, TamperedEncryptedSecretIsRefused) {
  for (size_t i = 0; i < 2; ++i) {
    MadeCredential c = made_[i];
    c.encrypted_secret[10] ^= 0x01;  // RSA: ciphertext; ECC: the point's x
    ExpectRefused(i, c, Code::kBadSignature, "refuses to activate");
  }
  // The original still works: the refusals came from the tampering.
  auto got = tpm_->ActivateCredential(*ak_, made_[0].id_object, made_[0].encrypted_secret,
                                      EkKeyType::kRsa2048);
  EXPECT_TRUE(got.ok()) << got.error().ToString();
}

TEST_F(CredentialRefusal, BlobsThatAreNotOneTpm2bAreInvalidArguments) {
  for (size_t i = 0; i < 2; ++i) {
    const MadeCredential& m = made_[i];
    auto cut = [](const Bytes& b, size_t n) { return Bytes(b.begin(), b.begin() + n); };
    MadeCredential c = m;
    c.id_object = cut(m.id_object, m.id_object.size() - 1);
    ExpectRefused(i, c, Code::kInvalidArgument, "id_object");
    c.id_object = m.id_object;
    c.id_object.push_back(0);
    ExpectRefused(i, c, Code::kInvalidArgument, "id_object");
    c.id_object = {};
    ExpectRefused(i, c, Code::kInvalidArgument, "id_object");
    c.id_object = {0, 0};
    ExpectRefused(i, c, Code::kInvalidArgument, "id_object");
    c = m;
    c.encrypted_secret = cut(m.encrypted_secret, m.encrypted_secret.size() - 1);
    ExpectRefused(i, c, Code::kInvalidArgument, "encrypted_secret");
    c.encrypted_secret = cut(m.encrypted_secret, 1);
    ExpectRefused(i, c, Code::kInvalidArgument, "encrypted_secret");
  }
}

TEST_F(CredentialRefusal, MakeCredentialRefusesBadSecretAndName) {
  auto r = MakeCredential(ek_[0], ak_->name(), Bytes{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  r = MakeCredential(ek_[1], ak_->name(), Bytes(33, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  Bytes sha1_name = ak_->name();
  sha1_name[1] = 0x04;
  r = MakeCredential(ek_[0], sha1_name, kSecret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  r = MakeCredential(ek_[0], Bytes(ak_->name().begin(), ak_->name().end() - 1), kSecret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch
