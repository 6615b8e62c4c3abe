#include "vouch/core/quote_binding.h"

#include <gtest/gtest.h>

namespace vouch {
namespace {

// CBOR [h'0101…', h'0202…'] = 0x82, then 0x58 0x20 ‖ 32 bytes, twice.
Bytes TwoNonceArray() {
  Bytes cbor = {0x82, 0x58, 0x20};
  cbor.insert(cbor.end(), 32, 1);
  cbor.insert(cbor.end(), {0x58, 0x20});
  cbor.insert(cbor.end(), 32, 2);
  return cbor;
}

const std::vector<Bytes> kNonces = {Bytes(32, 1), Bytes(32, 2)};

TEST(QuoteBinding, NonceDigestIsShaOfTheDeterministicCborArray) {
  EXPECT_EQ(NonceDigest(kNonces), Sha256(TwoNonceArray()));
}

TEST(QuoteBinding, HostIsShaOfNonceDigestEphemeralKeyAndConfig) {
  Bytes e(32, 3), cfg(32, 4);
  Sha256Digest nonce_digest = Sha256(TwoNonceArray());
  EXPECT_EQ(HostQuoteExtraData(kNonces, e, cfg), ToBytes(Sha256({nonce_digest, e, cfg})));
}

TEST(QuoteBinding, GuestIsShaOfLabelAndNonceDigest) {
  Sha256Digest nonce_digest = Sha256(TwoNonceArray());
  EXPECT_EQ(GuestQuoteExtraData(kNonces), ToBytes(Sha256({AsBytes("vouch-guest-v1"), nonce_digest})));
}

TEST(QuoteBinding, GuestAndHostBindingsDifferForTheSameNonces) {
  Bytes e(32, 3), cfg(32, 4);
  EXPECT_NE(GuestQuoteExtraData(kNonces), HostQuoteExtraData(kNonces, e, cfg));
  EXPECT_NE(GuestQuoteExtraData(kNonces), GuestQuoteExtraData({Bytes(32, 2), Bytes(32, 1)}));
}

}  // namespace
}  // namespace vouch
