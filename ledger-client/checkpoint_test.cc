#include "vouch/ledger/checkpoint.h"

#include <gtest/gtest.h>

#include "testing/ledger_world.h"

namespace vouch::ledger {
namespace {

using testing::World;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(world_.Bootstrap(3).ok());
    // A prefix as a truncated copy of the ledger shows it: genesis and
    // three admissions; then one more entry that only the full ledger has.
    prefix_ = world_.state;
    ASSERT_TRUE(world_.Add(testing::HostRegistration(world_.host[0], 1), world_.host[0]).ok());
  }

  Checkpoint By(size_t validator, const ChainState& state) const {
    return SignCheckpoint(state, world_.val[validator], testing::kT0);
  }

  World world_;
  ChainState prefix_;
};

TEST_F(CheckpointTest, RoundTripsAndVerifies) {
  Checkpoint c = By(0, world_.state);
  EXPECT_EQ(c.index, world_.state.size() - 1);
  auto back = DecodeCheckpoint(EncodeCheckpoint(c));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->validator, c.validator);
  EXPECT_EQ(back->head, world_.state.head_digest());
  EXPECT_EQ(back->index, c.index);
}

TEST_F(CheckpointTest, AnAlteredCheckpointDoesNotVerify) {
  Checkpoint c = By(0, world_.state);
  c.index -= 1;  // claims an older head under the same signature
  auto back = DecodeCheckpoint(EncodeCheckpoint(c));
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code(), Code::kBadSignature);
  EXPECT_FALSE(DecodeCheckpoint(AsBytes("not cbor")).ok());
  Checkpoint other = By(1, world_.state);
  other.validator = By(0, world_.state).validator;  // someone else's name on it
  EXPECT_EQ(DecodeCheckpoint(EncodeCheckpoint(other)).error().code(), Code::kBadSignature);
}

TEST_F(CheckpointTest, ALedgerEveryoneVerifiedIsConfirmed) {
  CheckpointVerdict v = ConfirmWithCheckpoints(world_.state, {By(0, world_.state), By(1, world_.state)}, 2);
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.confirming, 2u);
  // An older head the reader still holds confirms too.
  v = ConfirmWithCheckpoints(world_.state, {By(0, prefix_), By(1, world_.state)}, 2);
  EXPECT_EQ(v.confirming, 2u);
}

// The attack: a ledger writer removes the newest entries (a revocation,
// say); a reader starting fresh sees a valid chain, and the validators'
// checkpoints show it cut.
TEST_F(CheckpointTest, ATruncatedLedgerIsRefusedAtTheQuorum) {
  CheckpointVerdict v = ConfirmWithCheckpoints(prefix_, {By(0, world_.state), By(1, world_.state)}, 2);
  ASSERT_FALSE(v.status.ok());
  EXPECT_EQ(v.status.error().code(), Code::kMalformed);
  EXPECT_NE(v.status.error().message().find("does not extend what 2 validators verified"), std::string::npos)
      << v.status.error().message();
  EXPECT_NE(v.status.error().message().find(StrCat("but it ends at entry ", prefix_.size() - 1)), std::string::npos);
}

// One rogue validator alone cannot make readers refuse an honest ledger.
TEST_F(CheckpointTest, OneContradictingValidatorIsANoteNotARefusal) {
  CheckpointVerdict v = ConfirmWithCheckpoints(prefix_, {By(0, world_.state), By(1, prefix_)}, 2);
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.confirming, 1u);
  ASSERT_EQ(v.notes.size(), 1u);
  EXPECT_NE(v.notes[0].find("but it ends at entry"), std::string::npos);
}

TEST_F(CheckpointTest, AForkIsNamedByTheEntryThatDiffers) {
  ChainState fork = prefix_;
  auto other = Entry::Sign(fork.size(), fork.head_digest(), testing::kT0 + 100,
                           testing::HostRegistration(world_.host[1], 2), world_.host[1]);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(fork.Apply(*other).ok());
  CheckpointVerdict v = ConfirmWithCheckpoints(fork, {By(0, world_.state), By(2, world_.state)}, 2);
  ASSERT_FALSE(v.status.ok());
  EXPECT_NE(v.status.error().message().find("but it holds"), std::string::npos) << v.status.error().message();
}

TEST_F(CheckpointTest, OnlyActiveValidatorsOfThisGenesisCountOncePerValidator) {
  // val[3] was never admitted.
  CheckpointVerdict v = ConfirmWithCheckpoints(prefix_, {By(3, world_.state), By(0, world_.state)}, 2);
  EXPECT_TRUE(v.status.ok());
  EXPECT_NE(v.notes[0].find("not an active validator"), std::string::npos);
  // The same validator twice is one voice.
  v = ConfirmWithCheckpoints(prefix_, {By(0, world_.state), By(0, world_.state)}, 2);
  EXPECT_TRUE(v.status.ok());
  // Another ledger's checkpoint is ignored.
  World other;
  ASSERT_TRUE(other.Bootstrap(1).ok());
  Checkpoint foreign = SignCheckpoint(other.state, world_.val[0], testing::kT0);
  v = ConfirmWithCheckpoints(world_.state, {foreign}, 1);
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.confirming, 0u);
  EXPECT_NE(v.notes[0].find("for genesis"), std::string::npos);
}

}  // namespace
}  // namespace vouch::ledger
