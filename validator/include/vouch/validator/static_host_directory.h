// StaticHostDirectory: a HostDirectory held in memory — a test double for
// unit tests, and the table behind `vouchd --hosts FILE` for end-to-end tests
// while no ledger is wired. Production validators read the ledger.
//
// FILE format (text, one entry per line, '#' starts a comment):
//   host <did> <ak_public hex (TPM2B_PUBLIC)> uncertified
//   host <did> <ak_public hex> certified <validator DID>...  (the validators
//        that certified the AK: each validator appraises it only if listed)
//   revoked <subject: DID or cti:<hex>> <reason: rest of the line>
//   ledger <head digest hex, 32 bytes>
//
// Thread-safe.
#ifndef VOUCH_VALIDATOR_STATIC_HOST_DIRECTORY_H_
#define VOUCH_VALIDATOR_STATIC_HOST_DIRECTORY_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "vouch/validator/host_directory.h"

namespace vouch::validator {

class StaticHostDirectory : public HostDirectory {
 public:
  StaticHostDirectory() : ledger_head_(32, 0) {}

  // Reads a FILE in the format above. kNotFound / kIo for the file;
  // kMalformed naming the line for anything else (unknown keyword, bad hex,
  // a DID that is not a did:key, "certified" without validators, a
  // duplicate host).
  static Result<std::unique_ptr<StaticHostDirectory>> LoadFile(const std::string& path);
  // The same from text; `name` is used in messages.
  static Result<std::unique_ptr<StaticHostDirectory>> Parse(std::string_view text,
                                                            std::string_view name);

  // Adds or replaces a host.
  void Put(HostRecord record);
  // Revokes `subject` (a DID or "cti:<hex>"); a host with that DID becomes
  // revoked with `reason`.
  void Revoke(const std::string& subject, const std::string& reason);
  void SetLedgerHead(Bytes head);
  // Quarantines `host` for `domain`, as a revoked launch does on the ledger.
  void Quarantine(const std::string& host, const std::string& domain, const std::string& reason);
  // Makes `fragment` current in its class (replacing one of the same name),
  // or removes it if withdrawn, as a governance-admitted reference entry does.
  void PutReference(const BootReference& fragment);

  Result<HostRecord> Lookup(std::string_view did) override;
  bool IsRevoked(std::string_view subject) override;
  std::optional<std::string> QuarantineOf(std::string_view host, std::string_view domain) override;
  Bytes LedgerHead() override;
  PlatformClass PlatformClassOf(std::string_view name) override;

 private:
  std::mutex mu_;
  std::map<std::string, HostRecord, std::less<>> hosts_;
  std::map<std::string, std::string, std::less<>> revoked_;  // subject → reason
  std::map<std::pair<std::string, std::string>, std::string> quarantined_;  // (host, domain) → reason
  Bytes ledger_head_;
  std::map<std::string, std::map<std::string, BootReference>, std::less<>> references_;  // class → name →
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_STATIC_HOST_DIRECTORY_H_
