// The `vouch` subcommands. Each takes its arguments after the subcommand
// name, writes results to stdout, and returns the process exit status; on
// failure it prints exactly one line "vouch: <reason>" to stderr.
#ifndef VOUCH_CLI_COMMANDS_H_
#define VOUCH_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace vouch::cli {

// vouch vectors DIR — writes the DESIGN §3 test-vector set.
int VectorsCommand(const std::vector<std::string>& args);
// vouch verify FILE — checks a host VC or endorsed VC offline.
int VerifyCommand(const std::vector<std::string>& args);

// vouch seal … — encrypts a domain's image and attaches its protection bundle.
int SealCommand(const std::vector<std::string>& args);

// vouch host init … — the host's DID key and TPM attestation key.
int HostCommand(const std::vector<std::string>& args);
// vouch host install-hook … — installs vouch-hook as libvirt's
// hooks/qemu.d/vouch without touching an existing hook (--uninstall removes
// only vouch's own file). `args` follow "install-hook".
int HostInstallHookCommand(const std::vector<std::string>& args);
// vouch host register … — the host's DID document on the ledger.
int HostRegisterCommand(const std::vector<std::string>& args);
// vouch host enroll … — AK certification by the ledger's validators.
int HostEnrollCommand(const std::vector<std::string>& args);

// vouch start DOMAIN — releases the key, then starts the domain (no hook call-back).
int StartCommand(const std::vector<std::string>& args);
// vouch reattest DOMAIN [--config F] [--enforce]
int ReattestCommand(const std::vector<std::string>& args);
// vouch status DOMAIN [--config F] [--json]
int StatusCommand(const std::vector<std::string>& args);
// vouch agent [--config F] [--once]
int AgentCommand(const std::vector<std::string>& args);
// vouch revoke host|credential … (revoke_command.cc).
int RevokeCommand(const std::vector<std::string>& args);
// vouch reinstate HOST_DID DOMAIN_UUID | LAUNCH_VC (revoke_command.cc).
int ReinstateCommand(const std::vector<std::string>& args);
// vouch key generate KEY.pem [--force] | did KEY.pem (key_command.cc).
int KeyCommand(const std::vector<std::string>& args);
int BundleCommand(const std::vector<std::string>& args);
// vouch did resolve DID [--jcs] — the W3C DID document of a did:key (did_command.cc).
int DidCommand(const std::vector<std::string>& args);
// vouch vc export FILE --format di-jcs|vc+cose | verify FILE — the W3C VC 2.0 forms (vc_command.cc).
int VcCommand(const std::vector<std::string>& args);
int DoctorCommand(const std::vector<std::string>& args);
// vouch reference propose|show|list (reference_command.cc).
int ReferenceCommand(const std::vector<std::string>& args);
// vouch policy explain (policy_command.cc).
int PolicyCommand(const std::vector<std::string>& args);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_COMMANDS_H_
