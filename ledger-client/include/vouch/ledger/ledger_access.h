// How a client proves who it is to an etcds:// ledger (DESIGN §6 "Access"):
// TLS with a client certificate the cluster's CA signed, then an etcd user
// whose password is read from a file. Roles decide what the user may do:
// vouch-writer (validators, the governance operator) reads and writes the
// ledger's keys, vouch-reader (hosts, owners) only reads them; hosts append
// through a validator (POST /v1/ledger/append).
//
// Configuration spells the fields as ledger_ca, ledger_cert, ledger_key,
// ledger_user, ledger_password_file (hook.conf), ledger-ca … (vouchd's
// config) and --ledger-ca … (flags). Only paths and a name are held here;
// the password is read when the ledger is opened, from an owner-only file.
#ifndef VOUCH_LEDGER_LEDGER_ACCESS_H_
#define VOUCH_LEDGER_LEDGER_ACCESS_H_

#include <string>
#include <string_view>

namespace vouch::ledger {

struct LedgerAccess {
  std::string ca_file;        // PEM bundle the members' certificates chain to; empty: the system's
  std::string cert_file;      // PEM client certificate, without a Common Name (etcd 3.4's gateway refuses one)
  std::string key_file;       // its PEM private key, owner-only (0600)
  std::string user;           // the etcd user
  std::string password_file;  // its password (the first line), owner-only (0600)

  bool empty() const {
    return ca_file.empty() && cert_file.empty() && key_file.empty() && user.empty() && password_file.empty();
  }
};

// The settings, as configuration names them after "ledger_".
inline constexpr std::string_view kLedgerAccessSettings[] = {"ca", "cert", "key", "user", "password_file"};

// The field `setting` names ("ca", "cert", "key", "user", "password_file";
// "password-file" too), or nullptr for any other name.
inline std::string* LedgerAccessField(LedgerAccess& access, std::string_view setting) {
  if (setting == "ca") return &access.ca_file;
  if (setting == "cert") return &access.cert_file;
  if (setting == "key") return &access.key_file;
  if (setting == "user") return &access.user;
  if (setting == "password_file" || setting == "password-file") return &access.password_file;
  return nullptr;
}

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_LEDGER_ACCESS_H_
