// vouch doctor [--config /etc/vouch/hook.conf] [--hooks-dir /etc/libvirt/hooks]:
// checks, in the order a start needs them, what this host's protected starts
// rely on — its config, key, TPM and AK, libvirt, the installed hook, the
// pinned ledger and the host's standing on it, each validator, the clock —
// and says for each problem what to fix. Exit 0 when nothing FAILed
// (warnings allowed), 1 otherwise.
#include <sys/timex.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "commands.h"
#include "installed_hook.h"
#include "vouch/core/did_key.h"
#include "vouch/core/flags.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/validator_client.h"
#include "vouch/ledger/checkpoint.h"
#include "vouch/ledger/ledger_client.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::cli {
namespace {

constexpr const char* kUsage =
    "usage: vouch doctor [--config /etc/vouch/hook.conf] [--hooks-dir /etc/libvirt/hooks]\n"
    "  checks what this host's protected starts rely on: hook.conf, the host key, the TPM\n"
    "  and its AK, libvirt, the installed hook (and that libvirtd loaded it), the ledger\n"
    "  (pinned to its genesis; this host registered, certified, not revoked), every\n"
    "  active validator (reachable, and the DID the ledger names), the clock. One line\n"
    "  each: ok, warn or FAIL with what to fix. Exit 0 with no FAIL, 1 otherwise.\n";

// The report: one line per check, and whether any failed.
class Report {
 public:
  void Ok(const std::string& what, const std::string& detail) { Line("ok  ", what, detail); }
  void Warn(const std::string& what, const std::string& detail) { Line("warn", what, detail); }
  void Fail(const std::string& what, const std::string& detail) {
    Line("FAIL", what, detail);
    ++failures_;
  }
  int failures() const { return failures_; }

 private:
  void Line(const char* level, const std::string& what, const std::string& detail) {
    std::printf("  %s  %s: %s\n", level, what.c_str(), detail.c_str());
  }
  int failures_ = 0;
};

void CheckHostKey(const host::HookConfig& c, Report& r, std::string* did) {
  auto key = Ed25519PrivateKey::LoadPem(c.host_key);
  if (!key.ok()) {
    r.Fail("host key", StrCat(key.error().message(), "; fix: 'vouch host init' or host_key in hook.conf"));
    return;
  }
  *did = DidKey::FromPublicKey(key->public_key()).did();
  r.Ok("host key", StrCat(*did, " (", c.host_key, ")"));
}

void CheckTpm(const host::HookConfig& c, Report& r) {
  auto tpm = Tpm::Open(c.tcti);
  if (!tpm.ok()) {
    r.Fail("TPM", StrCat(tpm.error().message(), "; fix: tcti in hook.conf, or the TPM's device permissions"));
  } else {
    r.Ok("TPM", StrCat(c.tcti, " (", (*tpm)->facts().manufacturer, ", firmware ", (*tpm)->facts().firmware, ")"));
  }
  auto ak = Ak::Load(c.ak_dir);
  if (!ak.ok()) {
    r.Fail("AK", StrCat(ak.error().message(), "; fix: 'vouch host init' or ak_dir in hook.conf"));
  } else {
    r.Ok("AK", c.ak_dir);
  }
}

void CheckLibvirt(const host::HookConfig& c, Report& r) {
  qemu::LibvirtOptions options;
  options.call_timeout = c.libvirt_timeout;
  auto conn = qemu::Connect(c.libvirt_uri, options);
  if (!conn.ok()) {
    r.Fail("libvirt", StrCat(conn.error().message(), "; fix: start libvirtd, or libvirt_uri in hook.conf"));
  } else {
    r.Ok("libvirt", c.libvirt_uri);
  }
}

void CheckHook(const std::string& hooks_dir, const std::string& config_path, Report& r) {
  auto hook = ReadInstalledHook(hooks_dir);
  if (!hook.ok()) {
    r.Fail("hook", StrCat(hook.error().message(), "; fix: 'vouch host install-hook --force' replaces it"));
    return;
  }
  if (!*hook) {
    r.Fail("hook", StrCat("no ", hooks_dir, "/qemu.d/vouch: libvirt starts protected domains without vouch; "
                          "fix: 'vouch host install-hook --config ", config_path, "'"));
    return;
  }
  const InstalledHook& h = **hook;
  if (::access(h.program.c_str(), X_OK) != 0) {
    r.Fail("hook", StrCat(h.path, " runs '", h.program, "', which is not an executable file; fix: "
                          "'vouch host install-hook'"));
    return;
  }
  if (h.config != config_path) {
    r.Warn("hook", StrCat(h.path, " reads '", h.config, "', not this config '", config_path, "'"));
  } else {
    r.Ok("hook", StrCat(h.path, " runs ", h.program, " --config ", h.config));
  }
  std::optional<LibvirtDaemon> daemon = RunningLibvirtDaemon();
  if (daemon && daemon->started < h.modified) {
    r.Warn("hook", StrCat(daemon->name, " (pid ", daemon->pid, ") started before the hook was installed and "
                          "does not run it; fix: restart ", daemon->name));
  }
}

ledger::LedgerClientOptions LedgerOptions(const host::HookConfig& c, std::vector<std::string>* warnings) {
  ledger::LedgerClientOptions options;
  options.pinned_genesis = c.genesis;
  options.access = c.ledger_access;
  options.checkpoint_timeout = ledger::kReaderCheckpointTimeout;
  options.on_warning = [warnings](const std::string& line) { warnings->push_back(line); };
  return options;
}

void CheckHostStanding(const ledger::ChainState& s, const std::string& did, Report& r) {
  const ledger::DidDocument* doc = did.empty() ? nullptr : s.FindHost(did);
  if (doc == nullptr) {
    r.Fail("host on the ledger", StrCat(did.empty() ? "(no host key)" : did, " is not registered; fix: "
                                        "'vouch host register' then 'vouch host enroll'"));
  } else if (doc->revoked) {
    r.Fail("host on the ledger", StrCat("REVOKED at entry ", doc->revoked_index, " (", doc->revoked_reason,
                                        "): validators refuse it; only governance can change that"));
  } else if (!doc->certified) {
    r.Fail("host on the ledger", StrCat("registered, AK not certified (", doc->certified_by.size(), " of ",
                                        s.genesis()->certify_quorum, "); fix: 'vouch host enroll'"));
  } else {
    r.Ok("host on the ledger", StrCat("registered and certified (", doc->certified_by.size(), " validators)"));
  }
}

void CheckValidators(const ledger::ChainState& s, const std::string& did, Report& r) {
  size_t active = 0;
  for (const auto& [vdid, v] : s.validators()) {
    if (!s.IsActiveValidator(vdid)) continue;
    ++active;
    host::ValidatorClient client(v.endpoint, std::chrono::milliseconds(2000));
    auto challenge = client.GetChallenge(did.empty() ? "did:key:doctor" : did);
    const std::string what = StrCat("validator ", v.endpoint);
    if (!challenge.ok()) {
      r.Fail(what, StrCat(challenge.error().message(), " (", vdid, ")"));
    } else if (challenge->validator_did != vdid) {
      r.Fail(what, StrCat("answers as ", challenge->validator_did, ", the ledger says ", vdid,
                          ": not the validator registered at this endpoint"));
    } else {
      r.Ok(what, StrCat(vdid, " answers"));
    }
  }
  if (active == 0) r.Fail("validators", "the ledger has no active validator: nothing can release a key");
}

void CheckLedger(const host::HookConfig& c, const std::string& did, Report& r) {
  if (c.ledger.empty()) {
    r.Fail("ledger", "hook.conf sets no ledger; fix: ledger and genesis in hook.conf");
    return;
  }
  std::vector<std::string> warnings;
  auto client = ledger::LedgerClient::Open(c.ledger, LedgerOptions(c, &warnings));
  if (!client.ok()) {
    r.Fail("ledger", StrCat(client.error().message()));
    return;
  }
  const ledger::ChainState& s = (*client)->state();
  r.Ok("ledger", StrCat(c.ledger, ": ", s.size(), " entries, pinned to genesis ",
                        HexEncode(*c.genesis).substr(0, 16), "…"));
  for (const std::string& w : warnings) r.Warn("ledger", w);
  CheckHostStanding(s, did, r);
  CheckValidators(s, did, r);
  // The newest entry from the future: this clock is behind the writers'.
  if (s.size() > 0) {
    auto last = (*client)->ReadApplied(s.size() - 1, s.size());
    std::time_t now = std::time(nullptr);
    if (last.ok() && !last->empty() && last->back().at() > now + 60) {
      r.Fail("clock", StrCat("the newest ledger entry is ", last->back().at() - now,
                             " s in the future: this clock is behind; fix: NTP"));
    }
  }
}

void CheckClockSync(Report& r) {
  struct timex tx {};
  int state = ::adjtimex(&tx);
  if (state == TIME_ERROR || (tx.status & STA_UNSYNC) != 0) {
    r.Warn("clock", "not synchronized (adjtimex: unsynchronized): VCs carry times validators check against "
                    "theirs; run an NTP client");
  } else {
    r.Ok("clock", "synchronized");
  }
}

}  // namespace

int DoctorCommand(const std::vector<std::string>& args) {
  if (AsksForHelp(args)) return PrintUsage({kUsage});
  auto flags = Flags::Parse(args, {"config", "hooks-dir"});
  if (!flags.ok() || !flags->positional().empty()) {
    if (!flags.ok()) std::fprintf(stderr, "vouch: %s\n", flags.error().message().c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string config_path = flags->GetOr("config", host::kDefaultHookConfig);
  auto config = host::LoadHookConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "vouch: %s (every other check needs it; 'vouch host init' writes one)\n",
                 config.error().message().c_str());
    return 1;
  }
  std::printf("vouch doctor (config %s)\n", config_path.c_str());
  Report report;
  report.Ok("config", config_path);
  std::string did;
  CheckHostKey(*config, report, &did);
  CheckTpm(*config, report);
  CheckLibvirt(*config, report);
  CheckHook(flags->GetOr("hooks-dir", "/etc/libvirt/hooks"), config_path, report);
  CheckLedger(*config, did, report);
  CheckClockSync(report);
  if (report.failures() == 0) {
    std::printf("no problem found\n");
    return 0;
  }
  std::printf("%d problem%s: fix the FAIL lines above\n", report.failures(), report.failures() == 1 ? "" : "s");
  return 1;
}

}  // namespace vouch::cli
