// Test helpers for ledger-client: a cast of keys (governance, validators,
// hosts), sample bodies, and a ChainState that entries are signed against.
#ifndef VOUCH_LEDGER_TESTING_LEDGER_WORLD_H_
#define VOUCH_LEDGER_TESTING_LEDGER_WORLD_H_

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/random.h"
#include "vouch/core/ssl_ptr.h"
#include "vouch/ledger/chain_state.h"
#include "vouch/ledger/entry.h"

namespace vouch::ledger::testing {

inline constexpr int64_t kT0 = 1764000000;

inline std::string Did(const Ed25519PrivateKey& key) {
  return DidKey::FromPublicKey(key.public_key()).did();
}

// A TPM2B_PUBLIC-shaped byte string (2-byte size + area); distinct per `tag`.
inline Bytes AkPublic(uint8_t tag) {
  Bytes b = {0x00, 0x22, 0x00, 0x23};  // size 34; type TPM_ALG_ECC
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(tag + i));
  return b;
}

inline Bytes AkDigest(const Bytes& ak_public) { return ToBytes(Sha256(ak_public)); }

// A self-signed Ed25519 X.509 certificate (DER), standing in for a TPM CA.
inline Bytes SelfSignedCertificate(const std::string& common_name) {
  SslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  SslPtr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), nullptr) <= 0) std::abort();
  int len = i2d_X509(cert.get(), nullptr);
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(cert.get(), &p);
  return der;
}

inline DidRegisterBody HostRegistration(const Ed25519PrivateKey& host, uint8_t ak_tag = 1) {
  DidRegisterBody b;
  b.did = Did(host);
  b.ak_public = AkPublic(ak_tag);
  b.facts = cbor::Value::Map({{"libvirt", "9.0.0"}, {"qemu", "7.2.0"}});
  return b;
}

inline ValidatorRegisterBody ValidatorRegistration(const Ed25519PrivateKey& v, std::string op = "op-a",
                                                   std::string region = "eu-west") {
  ValidatorRegisterBody b;
  b.did = Did(v);
  b.hpke_pk = RandomBytes(32);
  b.endpoint = "http://127.0.0.1:7" + std::to_string(v.public_key().raw()[0] % 100);
  b.operator_name = std::move(op);
  b.region = std::move(region);
  return b;
}

inline DidUpdateBody Certification(const std::string& host_did, const Bytes& ak_public) {
  DidUpdateBody b;
  b.did = host_did;
  b.certify_ak = AkDigest(ak_public);
  return b;
}

inline RevokeBody Revoke(const std::string& subject, std::string reason = "PCR 7 drift") {
  return RevokeBody{subject, std::move(reason), RandomBytes(32)};
}

// Three governance keys, four validators, three hosts, and a chain to sign
// entries against. Quorums default to 2 of each.
struct World {
  std::vector<Ed25519PrivateKey> gov, val, host;
  ChainState state;
  int64_t clock = kT0;

  World() {
    for (int i = 0; i < 3; ++i) gov.push_back(Ed25519PrivateKey::Generate());
    for (int i = 0; i < 4; ++i) val.push_back(Ed25519PrivateKey::Generate());
    for (int i = 0; i < 3; ++i) host.push_back(Ed25519PrivateKey::Generate());
  }

  GenesisBody Genesis(uint64_t certify = 2, uint64_t admit = 2, uint64_t revoke = 2) const {
    GenesisBody g;
    for (const auto& k : gov) g.governance.push_back(Did(k));
    g.certify_quorum = certify;
    g.admit_quorum = admit;
    g.revoke_quorum = revoke;
    return g;
  }

  // The next entry of `state`, signed by `author`, countersigned by `cosigners`.
  Result<Entry> Next(const EntryBody& body, const Ed25519PrivateKey& author,
                     const std::vector<const Ed25519PrivateKey*>& cosigners = {}) {
    VOUCH_ASSIGN_OR_RETURN(Entry e, Entry::Sign(state.size(), state.head_digest(), clock++, body, author));
    for (const auto* k : cosigners) {
      VOUCH_ASSIGN_OR_RETURN(e, e.Countersigned(*k));
    }
    return e;
  }

  // Signs the next entry and applies it; the Status of Apply (or of signing).
  Status Add(const EntryBody& body, const Ed25519PrivateKey& author,
             const std::vector<const Ed25519PrivateKey*>& cosigners = {}) {
    VOUCH_ASSIGN_OR_RETURN(Entry e, Next(body, author, cosigners));
    return state.Apply(e);
  }

  // Genesis, then validators 0..n-1 registered and admitted by gov 0 and 1.
  Status Bootstrap(int validators = 3, uint64_t certify = 2, uint64_t admit = 2, uint64_t revoke = 2) {
    VOUCH_RETURN_IF_ERROR(Add(Genesis(certify, admit, revoke), gov[0]));
    for (int i = 0; i < validators; ++i) {
      VOUCH_RETURN_IF_ERROR(Add(ValidatorRegistration(val[i], i % 2 ? "op-b" : "op-a"), val[i],
                                {&gov[0], &gov[1]}));
    }
    return Ok();
  }
};

// A fresh temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vouch-ledger-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace vouch::ledger::testing

#endif  // VOUCH_LEDGER_TESTING_LEDGER_WORLD_H_
