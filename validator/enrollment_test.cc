// AK enrollment end to end inside one process: a real swtpm manufactured
// with an EK certificate from a test CA, a SQLite ledger whose genesis
// trusts (or does not trust) that CA, the validator's Enroller making the
// credential in software, and the TPM activating it.
#include "vouch/validator/enrollment.h"

#include <gtest/gtest.h>

#include <ctime>

#include "ledger-client/testing/ledger_world.h"
#include "measure/testing/swtpm_process.h"
#include "vouch/measure/ek_certificate.h"
#include "vouch/measure/tpm.h"
#include "vouch/validator/ledger_host_directory.h"

namespace vouch::validator {
namespace {

namespace lt = ::vouch::ledger::testing;
using ::vouch::testing::SwtpmOptions;
using ::vouch::testing::SwtpmProcess;

#define ASSERT_OK(expr)                            \
  do {                                             \
    auto&& s_ = (expr);                            \
    ASSERT_TRUE(s_.ok()) << s_.error().ToString(); \
  } while (0)

// One manufacturer CA for the whole suite (swtpm_setup takes ~1 s a TPM).
class EnrollmentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new lt::TempDir();
    trusted_ca_ = dir_->File("trusted-ca");
    rogue_ca_ = dir_->File("rogue-ca");
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    auto tpm = SwtpmProcess::Start("", SwtpmOptions{.ek_ca_dir = trusted_ca_});
    ASSERT_OK(tpm);
    swtpm_ = std::move(tpm).value();
    auto t = Tpm::Open(swtpm_->tcti());
    ASSERT_OK(t);
    tpm_ = std::move(t).value();
    auto ak = tpm_->CreateAk();
    ASSERT_OK(ak);
    ak_.emplace(std::move(ak).value());
    auto ek = tpm_->ReadEkCertificate();
    ASSERT_OK(ek);
    ek_cert_ = std::move(ek).value();
    now_ = static_cast<int64_t>(std::time(nullptr));  // not before the test CA was made

    auto cas = ::vouch::testing::ReadEkCaCertificates(trusted_ca_);
    ASSERT_OK(cas);
    path_ = tmp_.File("ledger.db");
    auto ledger = ledger::OpenLedger("sqlite://" + path_, ledger::LedgerOptions{.create_if_missing = true});
    ASSERT_OK(ledger);
    auto client = ledger::LedgerClient::Open(std::move(ledger).value());
    ASSERT_OK(client);
    writer_ = std::move(client).value();
    ledger::GenesisBody g = w_.Genesis(/*certify=*/1, /*admit=*/1, /*revoke=*/1);
    g.tpm_cas = *cas;
    ASSERT_OK(writer_->Append(g, w_.gov[0], t_++));
    ASSERT_OK(writer_->Append(lt::ValidatorRegistration(w_.val[0]), w_.val[0], t_++, {&w_.gov[0]}));

    auto directory = LedgerHostDirectory::Open("sqlite://" + path_, {});
    ASSERT_OK(directory);
    directory_ = std::move(directory).value();
    enroller_ = std::make_unique<Enroller>(*directory_, w_.val[0], lt::Did(w_.val[0]),
                                           [this] { return now_; });
  }

  // Registers w_.host[i] with `ak_public` and `ek_cert`.
  void RegisterHost(int i, const Bytes& ak_public, std::optional<Bytes> ek_cert) {
    ledger::DidRegisterBody reg = lt::HostRegistration(w_.host[i]);
    reg.ak_public = ak_public;
    reg.ek_cert = std::move(ek_cert);
    ASSERT_OK(writer_->Append(reg, w_.host[i], t_++));
  }

  const ledger::DidDocument* Document(int i) {
    EXPECT_TRUE(writer_->Sync().ok());
    return writer_->state().FindHost(lt::Did(w_.host[i]));
  }

  // Host i's signed requests to validator 0, as `vouch host enroll` makes
  // them; a finish closes the enrollment begun last.
  Result<EnrollChallenge> BeginAs(int i) {
    begun_at_ = now_;
    return enroller_->Begin(SignEnrollmentRequest(EnrollStep::kBegin, w_.host[i], lt::Did(w_.val[0]), now_));
  }
  Status FinishAs(int i, ByteView secret) {
    return enroller_->Finish(
        SignEnrollmentRequest(EnrollStep::kFinish, w_.host[i], lt::Did(w_.val[0]), begun_at_, secret));
  }

  Result<SecretBytes> Activate(Tpm& tpm, const Ak& ak, const EnrollChallenge& c) {
    return tpm.ActivateCredential(ak, c.credential, c.encrypted_secret, EkKeyType::kRsa2048);
  }

  static lt::TempDir* dir_;
  static std::string trusted_ca_, rogue_ca_;
  lt::TempDir tmp_;
  std::string path_;
  lt::World w_;
  int64_t t_ = lt::kT0;
  int64_t now_ = 0;
  int64_t begun_at_ = 0;
  std::unique_ptr<SwtpmProcess> swtpm_;
  std::unique_ptr<Tpm> tpm_;
  std::optional<Ak> ak_;
  Bytes ek_cert_;
  std::unique_ptr<ledger::LedgerClient> writer_;
  std::unique_ptr<LedgerHostDirectory> directory_;
  std::unique_ptr<Enroller> enroller_;
};
lt::TempDir* EnrollmentTest::dir_ = nullptr;
std::string EnrollmentTest::trusted_ca_;
std::string EnrollmentTest::rogue_ca_;

TEST_F(EnrollmentTest, ActivatedCredentialCertifiesTheAkOnTheLedger) {
  RegisterHost(0, ak_->public_area().bytes(), ek_cert_);
  ASSERT_FALSE(Document(0)->certified);
  auto challenge = BeginAs(0);
  ASSERT_OK(challenge);
  auto secret = Activate(*tpm_, *ak_, *challenge);
  ASSERT_OK(secret);
  ASSERT_OK(FinishAs(0, secret->Expose()));
  const ledger::DidDocument* doc = Document(0);
  EXPECT_TRUE(doc->certified);
  EXPECT_EQ(doc->certified_by, std::set<std::string>{lt::Did(w_.val[0])});
  EXPECT_EQ(enroller_->open_count(), 0u);
  // And the appraisal's view agrees.
  auto record = directory_->Lookup(lt::Did(w_.host[0]));
  ASSERT_OK(record);
  EXPECT_TRUE(record->certified);
  EXPECT_EQ(record->certified_by, std::set<std::string>{lt::Did(w_.val[0])});

  // Enrolling again is harmless: no second certification entry.
  uint64_t size = writer_->state().size();
  auto again = BeginAs(0);
  ASSERT_OK(again);
  auto secret2 = Activate(*tpm_, *ak_, *again);
  ASSERT_OK(secret2);
  ASSERT_OK(FinishAs(0, secret2->Expose()));
  Document(0);
  EXPECT_EQ(writer_->state().size(), size);
}

TEST_F(EnrollmentTest, WrongSecretIsRefusedAndClosesTheEnrollment) {
  RegisterHost(0, ak_->public_area().bytes(), ek_cert_);
  auto challenge = BeginAs(0);
  ASSERT_OK(challenge);
  auto secret = Activate(*tpm_, *ak_, *challenge);
  ASSERT_OK(secret);
  Bytes wrong(secret->Expose().begin(), secret->Expose().end());
  wrong[0] ^= 1;
  Status refused = FinishAs(0, wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kBadSignature) << refused.error().ToString();
  EXPECT_NE(refused.error().message().find("not in one TPM"), std::string::npos);
  // One attempt only: the right secret no longer works.
  Status late = FinishAs(0, secret->Expose());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), Code::kStaleNonce);
  EXPECT_FALSE(Document(0)->certified);
}

TEST_F(EnrollmentTest, ExpiredEnrollmentIsRefused) {
  RegisterHost(0, ak_->public_area().bytes(), ek_cert_);
  auto challenge = BeginAs(0);
  ASSERT_OK(challenge);
  auto secret = Activate(*tpm_, *ak_, *challenge);
  ASSERT_OK(secret);
  now_ += 61;
  Status late = FinishAs(0, secret->Expose());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), Code::kStaleNonce) << late.error().ToString();
  EXPECT_FALSE(Document(0)->certified);
}

TEST_F(EnrollmentTest, EkCertificateFromAnUntrustedCaIsRefused) {
  auto rogue = SwtpmProcess::Start("", SwtpmOptions{.ek_ca_dir = rogue_ca_});
  ASSERT_OK(rogue);
  auto tpm = Tpm::Open((*rogue)->tcti());
  ASSERT_OK(tpm);
  auto ak = (*tpm)->CreateAk();
  ASSERT_OK(ak);
  auto ek = (*tpm)->ReadEkCertificate();
  ASSERT_OK(ek);
  RegisterHost(0, ak->public_area().bytes(), *ek);
  auto refused = BeginAs(0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kUncertifiedAk) << refused.error().ToString();
  EXPECT_NE(refused.error().message().find("not from a trusted TPM CA"), std::string::npos)
      << refused.error().message();
}

TEST_F(EnrollmentTest, HostWithoutEkCertificateIsRefused) {
  RegisterHost(0, ak_->public_area().bytes(), std::nullopt);
  auto refused = BeginAs(0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kUncertifiedAk);
  EXPECT_NE(refused.error().message().find("no EK certificate"), std::string::npos);
}

// A host that registers a genuine EK certificate with an AK from another
// TPM (say, a software key it controls) cannot activate the credential: the
// seed is encrypted to the genuine EK, which that other TPM does not hold.
TEST_F(EnrollmentTest, AkFromAnotherTpmCannotActivateTheCredential) {
  auto other = SwtpmProcess::Start();
  ASSERT_OK(other);
  auto other_tpm = Tpm::Open((*other)->tcti());
  ASSERT_OK(other_tpm);
  auto other_ak = (*other_tpm)->CreateAk();
  ASSERT_OK(other_ak);
  RegisterHost(0, other_ak->public_area().bytes(), ek_cert_);
  auto challenge = BeginAs(0);
  ASSERT_OK(challenge);
  EXPECT_FALSE(Activate(**other_tpm, *other_ak, *challenge).ok());
  // Nor can the genuine TPM activate it for an AK it does not hold.
  EXPECT_FALSE(Activate(*tpm_, *ak_, *challenge).ok());
  EXPECT_FALSE(Document(0)->certified);
}

// Anyone can read a victim's DID off the ledger. Without its key they can
// neither replace its open enrollment nor close it; replaying its own
// request changes nothing; and the victim's enrollment completes.
TEST_F(EnrollmentTest, OnlyTheHostsKeyOpensOrClosesItsEnrollment) {
  RegisterHost(0, ak_->public_area().bytes(), ek_cert_);
  const std::string victim = lt::Did(w_.host[0]);
  const std::string me = lt::Did(w_.val[0]);
  EnrollmentRequest begin = SignEnrollmentRequest(EnrollStep::kBegin, w_.host[0], me, now_);
  auto challenge = enroller_->Begin(begin);
  ASSERT_OK(challenge);

  EnrollmentRequest forged = SignEnrollmentRequest(EnrollStep::kBegin, w_.host[1], me, now_ + 1);
  forged.did = victim;
  auto replaced = enroller_->Begin(forged);
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code(), Code::kBadSignature) << replaced.error().ToString();
  EnrollmentRequest close = SignEnrollmentRequest(EnrollStep::kFinish, w_.host[1], me, now_, Bytes{1});
  close.did = victim;
  Status closed = enroller_->Finish(close);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code(), Code::kBadSignature);
  EXPECT_EQ(enroller_->open_count(), 1u);

  auto replayed = enroller_->Begin(begin);
  ASSERT_OK(replayed);
  EXPECT_EQ(replayed->credential, challenge->credential) << "a replay must not make a new credential";

  // A request made for another validator is refused here.
  auto elsewhere = enroller_->Begin(
      SignEnrollmentRequest(EnrollStep::kBegin, w_.host[0], lt::Did(w_.val[1]), now_ + 2));
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code(), Code::kBadSignature);

  auto secret = Activate(*tpm_, *ak_, *challenge);
  ASSERT_OK(secret);
  ASSERT_OK(enroller_->Finish(SignEnrollmentRequest(EnrollStep::kFinish, w_.host[0], me, now_, secret->Expose())));
  EXPECT_TRUE(Document(0)->certified);
}

TEST_F(EnrollmentTest, RequestsAreDatedAndOrdered) {
  RegisterHost(0, ak_->public_area().bytes(), ek_cert_);
  const std::string me = lt::Did(w_.val[0]);
  auto stale = enroller_->Begin(SignEnrollmentRequest(EnrollStep::kBegin, w_.host[0], me, now_ - 120));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), Code::kStaleNonce);
  EXPECT_NE(stale.error().message().find("is dated 120 s from this validator's clock"), std::string::npos)
      << stale.error().message();

  auto first = enroller_->Begin(SignEnrollmentRequest(EnrollStep::kBegin, w_.host[0], me, now_));
  ASSERT_OK(first);
  auto newer = enroller_->Begin(SignEnrollmentRequest(EnrollStep::kBegin, w_.host[0], me, now_ + 5));
  ASSERT_OK(newer);  // the host began again: it replaces the first
  auto older = enroller_->Begin(SignEnrollmentRequest(EnrollStep::kBegin, w_.host[0], me, now_));
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code(), Code::kStaleNonce);
  // A finish for the replaced enrollment does not close the open one.
  auto secret = Activate(*tpm_, *ak_, *newer);
  ASSERT_OK(secret);
  Status mismatched =
      enroller_->Finish(SignEnrollmentRequest(EnrollStep::kFinish, w_.host[0], me, now_, secret->Expose()));
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().code(), Code::kStaleNonce);
  ASSERT_OK(enroller_->Finish(
      SignEnrollmentRequest(EnrollStep::kFinish, w_.host[0], me, now_ + 5, secret->Expose())));
}

TEST_F(EnrollmentTest, UnknownAndRevokedHostsAreRefused) {
  auto unknown = BeginAs(2);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Code::kUnknownHost);

  RegisterHost(1, ak_->public_area().bytes(), ek_cert_);
  ASSERT_OK(writer_->Append(lt::Revoke(lt::Did(w_.host[1]), "stolen"), w_.host[1], t_++));
  auto revoked = BeginAs(1);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code(), Code::kRevoked);
}

}  // namespace
}  // namespace vouch::validator
