// attest_probe: plays a misbehaving host against live vouchd validators for
// the end-to-end test (issue 6 scenario 6). It builds attest requests the
// way vouch-hook does (host/release.h LaunchClaims) from a hook config and
// a protected domain's XML, bends one thing per mode, and prints each
// validator answer as one line:
//   answer: ok
//   answer: refused CODE: REASON
// Modes:
//   replay        a valid request, then the very same request again
//   stale         a challenge, --wait DURATION (4s; a bare number is seconds), then the request
//   other-domain  a VC naming another domain UUID than the policy's
//   other-tpm     the quote made by another TPM's AK (--other-tcti, --other-ak-dir),
//                 the VC signed by this host's key
//   replay-vc     a host VC from the audit store (--vc FILE) sent again
// Exit 0 when every request was sent and answered (the shell test checks
// the answers), 1 on set-up errors. The validator is the policy's
// --validator INDEX, or the one at --endpoint URL.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "vouch/core/did_key.h"
#include "vouch/core/duration.h"
#include "vouch/core/hpke.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/random.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/release.h"
#include "vouch/host/validator_client.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"
#include "vouch/qemu/config_digest.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"

namespace vouch {
namespace {

struct Args {
  std::string config, xml, mode, other_tcti, other_ak_dir, vc, endpoint;
  size_t index = 0;
  std::chrono::milliseconds wait{0};
};

void Answer(const Result<host::AttestResponse>& r) {
  if (r.ok()) {
    std::printf("answer: ok\n");
  } else {
    std::printf("answer: refused %s: %s\n", CodeName(r.error().code()).data(),
                r.error().message().c_str());
  }
  std::fflush(stdout);
}

Status Run(const Args& a) {
  VOUCH_ASSIGN_OR_RETURN(host::HookConfig config, host::LoadHookConfig(a.config));
  VOUCH_ASSIGN_OR_RETURN(Bytes xml_bytes, ReadFile(a.xml));
  std::string xml = ToString(xml_bytes);
  VOUCH_ASSIGN_OR_RETURN(qemu::DomainConfig domain, qemu::ParseDomainXml(xml));
  if (!domain.protection_bundle) return Error(Code::kInvalidArgument, "the domain XML has no vouch bundle");
  VOUCH_ASSIGN_OR_RETURN(ProtectionBundle bundle, DecodeBundle(*domain.protection_bundle));
  VOUCH_ASSIGN_OR_RETURN(SignedPolicy policy, SignedPolicy::Parse(bundle.policy));
  size_t index = a.index;
  if (!a.endpoint.empty()) {
    index = policy.policy().validators.size();
    for (size_t i = 0; i < policy.policy().validators.size(); ++i) {
      if (policy.policy().validators[i].endpoint == a.endpoint) index = i;
    }
  }
  if (index >= policy.policy().validators.size()) {
    return Error(Code::kInvalidArgument, "no such validator in the policy (--validator / --endpoint)");
  }
  const PolicyValidator& v = policy.policy().validators[index];
  host::ValidatorClient client(v.endpoint, std::chrono::seconds(10));
  const Bytes& share = bundle.sealed_shares[index];

  if (a.mode == "replay-vc") {
    VOUCH_ASSIGN_OR_RETURN(Bytes vc, ReadFile(a.vc));
    Answer(client.Attest(vc, policy.encoded(), share, index));
    return Ok();
  }

  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey host_key, Ed25519PrivateKey::LoadPem(config.host_key));
  std::string host_did = DidKey::FromPublicKey(host_key.public_key()).did();
  bool other_tpm = a.mode == "other-tpm";
  VOUCH_ASSIGN_OR_RETURN(auto tpm, Tpm::Open(other_tpm ? a.other_tcti : config.tcti));
  VOUCH_ASSIGN_OR_RETURN(Ak ak, Ak::Load(other_tpm ? a.other_ak_dir : config.ak_dir));
  VOUCH_ASSIGN_OR_RETURN(qemu::LibvirtConnection conn, qemu::Connect(config.libvirt_uri));
  VOUCH_ASSIGN_OR_RETURN(HypervisorFacts facts, qemu::ReadHypervisorFacts(conn, domain.os.machine));

  host::ReleaseRequest req;
  req.domain_name = domain.name;
  req.policy = &policy;
  req.bundle = &bundle;
  req.domain_config = qemu::CanonicalConfigBytes(domain);
  host::HostContext host{&host_key, tpm.get(), &ak, facts, {}};

  VOUCH_ASSIGN_OR_RETURN(host::Challenge challenge, client.GetChallenge(host_did));
  if (a.mode == "stale") std::this_thread::sleep_for(a.wait);
  X25519PrivateKey ephemeral = X25519PrivateKey::Generate();
  VOUCH_ASSIGN_OR_RETURN(HostVcClaims claims,
                         host::LaunchClaims(req, host, {challenge.nonce}, ephemeral.public_key()));
  if (a.mode == "other-domain") claims.domain_uuid = "00000000-0000-4000-8000-000000000001";
  VOUCH_ASSIGN_OR_RETURN(HostVc vc, HostVc::Issue(claims, host_key));
  Bytes vc_bytes = vc.message().Encode();
  Answer(client.Attest(vc_bytes, policy.encoded(), share, index));
  if (a.mode == "replay") Answer(client.Attest(vc_bytes, policy.encoded(), share, index));
  return Ok();
}

}  // namespace
}  // namespace vouch

int main(int argc, char** argv) {
  vouch::Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--config") a.config = v;
    else if (k == "--xml") a.xml = v;
    else if (k == "--mode") a.mode = v;
    else if (k == "--validator") a.index = std::stoul(v);
    else if (k == "--wait") {
      auto d = vouch::ParseDurationIn("--wait", v, std::chrono::milliseconds(0), std::chrono::minutes(10));
      if (!d.ok()) {
        std::fprintf(stderr, "attest_probe: %s\n", d.error().message().c_str());
        return 2;
      }
      a.wait = *d;
    }
    else if (k == "--other-tcti") a.other_tcti = v;
    else if (k == "--other-ak-dir") a.other_ak_dir = v;
    else if (k == "--vc") a.vc = v;
    else if (k == "--endpoint") a.endpoint = v;
    else {
      std::fprintf(stderr, "attest_probe: unknown argument %s\n", k.c_str());
      return 2;
    }
  }
  vouch::Status s = vouch::Run(a);
  if (!s.ok()) {
    std::fprintf(stderr, "attest_probe: %s\n", s.error().ToString().c_str());
    return 1;
  }
  return 0;
}
