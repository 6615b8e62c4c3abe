// vouch — the owner's and operator's command line (DESIGN §1).
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "ledger_command.h"
#include "tpm_command.h"
#include "vouch/core/version.h"

namespace {

constexpr const char* kUsage =
    "usage: vouch <command> [args]   (vouch --version)\n"
    "\n"
    "commands:\n"
    "  key generate KEY.pem | did KEY.pem   a new Ed25519 key (0600), or a key's did:key\n"
    "  did resolve DID   the W3C DID document of a did:key, as JSON (--jcs: RFC 8785 form)\n"
    "  vc export FILE --format di-jcs|vc+cose | verify FILE   a host VC as a W3C VC 2.0 with\n"
    "                Data Integrity proofs (eddsa-jcs-2022) or as vc+cose, and checking one\n"
    "                (vouch vc --help)\n"
    "  vectors DIR   write a set of test vectors (host VC, endorsed VC, sealed share,\n"
    "                Shamir split) and manifest.json into DIR\n"
    "  verify FILE   check a host VC or endorsed VC offline and print who signed it\n"
    "  seal ...      encrypt a domain's image and attach its protection bundle\n"
    "                (vouch seal --help)\n"
    "  bundle show BUNDLE | --domain NAME   a protection bundle's owner policy, checked\n"
    "  host init     create this host's DID key and TPM attestation key\n"
    "  host register|enroll   put the host on the ledger; have validators certify its AK\n"
    "  host install-hook      install vouch-hook as libvirt's hooks/qemu.d/vouch\n"
    "  doctor        check what this host's protected starts rely on, saying what to fix\n"
    "  start DOMAIN  release a protected domain's key, then start it (no hook call-back)\n"
    "  reattest DOMAIN   re-attest a running protected domain against its launch\n"
    "                baseline; --enforce applies the policy's on_drift on drift\n"
    "  agent         keep re-attesting every running protected domain (--once: one round)\n"
    "  status DOMAIN   a protected domain's launch, rounds, lease and revocations (--json)\n"
    "  revoke host DID | credential cti:HEX|LAUNCH_VC   revoke on the ledger (vouch revoke --help)\n"
    "  reinstate HOST_DID DOMAIN_UUID | LAUNCH_VC   lift a quarantine (its owner or governance; vouch reinstate --help)\n"
    "  ledger ...    init|append|show|verify the ledger (vouch ledger --help)\n"
    "  reference propose|show|list   boot reference values of platform classes, from a\n"
    "                known-good event log (vouch reference --help)\n"
    "  policy explain --from-eventlog FILE ...   how platform classes judge a host's event log,\n"
    "                event by event (vouch policy --help)\n"
    "  tpm pcrs|quote|verify-quote|eventlog   the host TPM's PCRs, quotes checked without\n"
    "                a TPM, firmware event logs (vouch tpm --help)\n"
    "\n"
    "every command takes -h/--help. Exit status: 0 done; 1 refused or failed (one line on\n"
    "stderr saying why); 2 a usage error (the command's usage follows).\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::printf("vouch %s\n", vouch::kVersion);
    return 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "vectors") return vouch::cli::VectorsCommand(args);
  if (command == "verify") return vouch::cli::VerifyCommand(args);
  if (command == "seal") return vouch::cli::SealCommand(args);
  if (command == "host") return vouch::cli::HostCommand(args);
  if (command == "start") return vouch::cli::StartCommand(args);
  if (command == "reattest") return vouch::cli::ReattestCommand(args);
  if (command == "agent") return vouch::cli::AgentCommand(args);
  if (command == "status") return vouch::cli::StatusCommand(args);
  if (command == "revoke") return vouch::cli::RevokeCommand(args);
  if (command == "reinstate") return vouch::cli::ReinstateCommand(args);
  if (command == "ledger") return vouch::cli::LedgerCommand(args);
  if (command == "tpm") return vouch::cli::TpmCommand(args);
  if (command == "key") return vouch::cli::KeyCommand(args);
  if (command == "did") return vouch::cli::DidCommand(args);
  if (command == "reference") return vouch::cli::ReferenceCommand(args);
  if (command == "policy") return vouch::cli::PolicyCommand(args);
  if (command == "vc") return vouch::cli::VcCommand(args);
  if (command == "bundle") return vouch::cli::BundleCommand(args);
  if (command == "doctor") return vouch::cli::DoctorCommand(args);
  std::fprintf(stderr, "vouch: unknown command '%s' (try 'vouch --help')\n", command.c_str());
  return 2;
}
