// The attestation a round keeps is what `vouch verify` accepts: the CLI's
// own command run on attestation.cbor of a good round.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "commands.h"
#include "core/testing/sample_claims.h"
#include "measure/testing/swtpm_fixture.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/random.h"
#include "vouch/core/unique_fd.h"
#include "vouch/shim/shim.h"

namespace vouch::shim {
namespace {

using namespace guest_channel;

std::string Did(const Ed25519PrivateKey& k) { return DidKey::FromPublicKey(k.public_key()).did(); }

class ShimVerifyTest : public testing::SwtpmTest {};

TEST_F(ShimVerifyTest, VouchVerifyAcceptsTheKeptAttestation) {
  Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), host = Ed25519PrivateKey::Generate();
  std::vector<Ed25519PrivateKey> validators;
  validators.push_back(Ed25519PrivateKey::Generate());
  validators.push_back(Ed25519PrivateKey::Generate());
  OwnerPolicy p;
  p.domain_uuid = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";
  p.threshold = 2;
  for (const auto& v : validators) {
    p.validators.push_back({Did(v), X25519PrivateKey::Generate().public_key(), "http://127.0.0.1:7400"});
    p.commit.push_back(RandomBytes(32));
  }
  p.pcrs = {0};
  p.kcv = RandomBytes(32);
  p.grace = 2;
  p.guest = GuestPolicy{{0, 9}, {}, 60, "none"};
  SignedPolicy policy = *SignedPolicy::Sign(p, owner);
  auto endorse = [&](HostVc vc) {
    for (const auto& v : validators) {
      Verdict verdict{true, 1764000000, Bytes(32, 0), ToBytes(policy.digest().value)};
      EXPECT_TRUE(AttachEndorsement(vc, *Endorse(vc, v, verdict)).ok());
    }
    return vc.message().Encode();
  };
  HostVcClaims l = testing::SampleClaims(host, RandomBytes(32));
  l.domain_uuid = p.domain_uuid;
  l.policy_digest = ToBytes(policy.digest().value);
  Bytes launch = endorse(*HostVc::Issue(l, host));

  auto tpm = Tpm::Open(swtpm_->tcti());
  ASSERT_TRUE(tpm.ok());
  ShimConfig config;
  config.owner = Did(owner);
  config.state_dir = work_ / "state";
  config.key_dir = work_ / "ak";
  auto ak = LoadOrCreateAk(**tpm, config.key_dir);
  ASSERT_TRUE(ak.ok());

  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  UniqueFd ours(fds[0]), theirs(fds[1]);
  std::thread agent([&] {
    FramedChannel ch(theirs.get());
    auto d = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<Bytes> nonces = {RandomBytes(32), RandomBytes(32)};
    if (!ch.Read(d).ok() || !ch.Write(PolicyOffer{policy.encoded(), launch}, d).ok() || !ch.Read(d).ok() ||
        !ch.Write(Challenge{1, nonces}, d).ok()) {
      return;
    }
    auto ev = ch.Read(d);
    if (!ev.ok()) return;
    HostVcClaims c = testing::SampleClaims(host, RandomBytes(32));
    c.type = "reattest";
    c.domain_uuid = p.domain_uuid;
    c.nonces = nonces;
    c.policy_digest = ToBytes(policy.digest().value);
    c.guest = std::get<Evidence>(*ev).guest;
    c.launch_cti = HostVc::Parse(launch)->claims().cti;
    (void)ch.Write(Endorsed{1, endorse(*HostVc::Issue(c, host))}, d);
  });
  auto r = RunRound(config, ours.get(), **tpm, *ak, work_ / "no-event-log", 1764000100,
                    std::chrono::steady_clock::now() + std::chrono::seconds(20));
  agent.join();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(cli::VerifyCommand({config.state_dir + "/" + kAttestationFile}), 0);
}

}  // namespace
}  // namespace vouch::shim
