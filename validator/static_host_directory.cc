#include "vouch/validator/static_host_directory.h"

#include <set>
#include <sstream>

#include "vouch/core/did_key.h"

namespace vouch::validator {

Result<std::unique_ptr<StaticHostDirectory>> StaticHostDirectory::LoadFile(
    const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes text, ReadFile(path));
  return Parse(ToString(text), path);
}

Result<std::unique_ptr<StaticHostDirectory>> StaticHostDirectory::Parse(std::string_view text,
                                                                        std::string_view name) {
  auto dir = std::make_unique<StaticHostDirectory>();
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto fail = [&](const std::string& what) {
      return Error(Code::kMalformed,
                   StrCat("host directory '", name, "' line ", number, ": ", what));
    };
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword)) continue;
    if (keyword == "host") {
      std::string did, ak_hex, status;
      if (!(words >> did >> ak_hex >> status)) {
        return fail(
            "expected 'host <did> <ak_public hex> certified <validator DID>...' or '... uncertified'");
      }
      if (auto d = DidKey::Parse(did); !d.ok()) return fail(d.error().message());
      auto ak = HexDecode(ak_hex);
      if (!ak.ok() || ak->empty()) return fail("AK public area is not hex");
      if (status != "certified" && status != "uncertified") {
        return fail(StrCat("expected 'certified' or 'uncertified', got '", status, "'"));
      }
      std::set<std::string> certified_by;
      for (std::string validator; words >> validator;) {
        if (status == "uncertified") return fail("'uncertified' takes no validator DIDs");
        if (auto v = DidKey::Parse(validator); !v.ok()) return fail(v.error().message());
        certified_by.insert(validator);
      }
      if (status == "certified" && certified_by.empty()) {
        return fail("'certified' needs the DIDs of the validators that certified the AK");
      }
      if (dir->hosts_.count(did) != 0) return fail(StrCat("host '", did, "' is listed twice"));
      dir->Put(HostRecord{did, *ak, status == "certified", std::move(certified_by), false, ""});
    } else if (keyword == "revoked") {
      std::string subject, reason;
      if (!(words >> subject)) return fail("expected 'revoked <subject> <reason>'");
      std::getline(words >> std::ws, reason);
      if (reason.empty()) reason = "revoked";
      dir->Revoke(subject, reason);
    } else if (keyword == "ledger") {
      std::string hex, extra;
      if (!(words >> hex) || (words >> extra)) return fail("expected 'ledger <head digest hex>'");
      auto head = HexDecode(hex);
      if (!head.ok() || head->size() != 32) return fail("ledger head must be 32 bytes of hex");
      dir->SetLedgerHead(*head);
    } else {
      return fail(StrCat("unknown keyword '", keyword, "' (expected host, revoked or ledger)"));
    }
  }
  return dir;
}

void StaticHostDirectory::Put(HostRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = revoked_.find(record.did); it != revoked_.end()) {
    record.revoked = true;
    record.revoked_reason = it->second;
  }
  std::string did = record.did;
  hosts_.insert_or_assign(std::move(did), std::move(record));
}

void StaticHostDirectory::Revoke(const std::string& subject, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  revoked_.insert_or_assign(subject, reason);
  if (auto it = hosts_.find(subject); it != hosts_.end()) {
    it->second.revoked = true;
    it->second.revoked_reason = reason;
  }
}

void StaticHostDirectory::SetLedgerHead(Bytes head) {
  std::lock_guard<std::mutex> lock(mu_);
  ledger_head_ = std::move(head);
}

Result<HostRecord> StaticHostDirectory::Lookup(std::string_view did) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hosts_.find(did);
  if (it == hosts_.end()) {
    return Error(Code::kUnknownHost, StrCat("host '", did, "' is not registered"));
  }
  return it->second;
}

bool StaticHostDirectory::IsRevoked(std::string_view subject) {
  std::lock_guard<std::mutex> lock(mu_);
  return revoked_.find(subject) != revoked_.end();
}

void StaticHostDirectory::Quarantine(const std::string& host, const std::string& domain, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  quarantined_[{host, domain}] = reason;
}

std::optional<std::string> StaticHostDirectory::QuarantineOf(std::string_view host, std::string_view domain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = quarantined_.find({std::string(host), std::string(domain)});
  if (it == quarantined_.end()) return std::nullopt;
  return StrCat("host '", host, "' is quarantined for domain ", domain, ": ", it->second);
}

void StaticHostDirectory::PutReference(const BootReference& fragment) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fragment.withdrawn) {
    references_[fragment.platform_class].erase(fragment.name);
  } else {
    references_[fragment.platform_class][fragment.name] = fragment;
  }
}

PlatformClass StaticHostDirectory::PlatformClassOf(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  PlatformClass out{std::string(name), {}};
  auto it = references_.find(name);
  if (it == references_.end()) return out;
  for (const auto& [fragment_name, fragment] : it->second) out.fragments.push_back(fragment);
  return out;
}

Bytes StaticHostDirectory::LedgerHead() {
  std::lock_guard<std::mutex> lock(mu_);
  return ledger_head_;
}

}  // namespace vouch::validator
