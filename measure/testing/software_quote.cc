#include "measure/testing/software_quote.h"

#include "vouch/core/digest.h"

namespace vouch::testing {
namespace {

void Put(Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutSized(Bytes& out, ByteView v) {
  Put(out, v.size(), 2);
  out.insert(out.end(), v.begin(), v.end());
}

}  // namespace

Bytes PcrDigest(const std::map<uint32_t, Bytes>& pcr_values) {
  Bytes all;
  for (const auto& [index, value] : pcr_values) all.insert(all.end(), value.begin(), value.end());
  return ToBytes(Sha256(all));
}

QuoteAttestFields QuoteFieldsFor(const std::map<uint32_t, Bytes>& pcr_values, ByteView extra_data) {
  QuoteAttestFields f;
  f.extra_data.assign(extra_data.begin(), extra_data.end());
  for (const auto& [index, value] : pcr_values) {
    if (index / 8 >= f.pcr_select.size()) f.pcr_select.resize(index / 8 + 1, 0);
    f.pcr_select[index / 8] = static_cast<uint8_t>(f.pcr_select[index / 8] | (1u << (index % 8)));
  }
  f.pcr_digest = PcrDigest(pcr_values);
  return f;
}

Bytes MarshalQuoteAttest(const QuoteAttestFields& f) {
  Bytes out;
  Put(out, f.magic, 4);
  Put(out, f.type, 2);
  PutSized(out, f.qualified_signer);
  PutSized(out, f.extra_data);
  Put(out, f.clock, 8);
  Put(out, f.reset_count, 4);
  Put(out, f.restart_count, 4);
  Put(out, f.safe, 1);
  Put(out, f.firmware_version, 8);
  Put(out, f.bank_count, 4);
  for (uint32_t i = 0; i < f.bank_count; ++i) {
    Put(out, f.bank_hash, 2);
    Put(out, f.pcr_select.size(), 1);
    out.insert(out.end(), f.pcr_select.begin(), f.pcr_select.end());
  }
  PutSized(out, f.pcr_digest);
  return out;
}

std::map<uint32_t, Bytes> ExamplePcrValues(const std::vector<uint32_t>& pcrs) {
  std::map<uint32_t, Bytes> out;
  for (uint32_t i : pcrs) out[i] = ToBytes(Sha256(AsBytes(StrCat("pcr ", i))));
  return out;
}

SoftwareAk::SoftwareAk(EccPublicFields fields)
    : fields_(fields), key_(P256PrivateKey::Generate()) {}

Bytes SoftwareAk::PublicArea() const {
  Bytes t;
  Put(t, fields_.type, 2);
  Put(t, fields_.name_alg, 2);
  Put(t, fields_.attributes, 4);
  Put(t, 0, 2);       // authPolicy: empty
  Put(t, 0x0010, 2);  // symmetric: TPM_ALG_NULL
  Put(t, fields_.scheme, 2);
  if (fields_.scheme != 0x0010) Put(t, fields_.scheme_hash, 2);
  Put(t, fields_.curve, 2);
  Put(t, 0x0010, 2);  // kdf: TPM_ALG_NULL
  PutSized(t, key_.public_key().x());
  PutSized(t, key_.public_key().y());
  Bytes out;
  PutSized(out, t);
  return out;
}

Bytes SoftwareAk::Sign(ByteView message, uint16_t sig_alg, uint16_t hash) const {
  Bytes rs = key_.Sign(message);
  Bytes out;
  Put(out, sig_alg, 2);
  Put(out, hash, 2);
  PutSized(out, ByteView(rs).subspan(0, 32));
  PutSized(out, ByteView(rs).subspan(32, 32));
  return out;
}

TpmQuote SoftwareAk::Quote(const std::map<uint32_t, Bytes>& pcr_values, ByteView extra_data) const {
  TpmQuote q;
  q.attest = MarshalQuoteAttest(QuoteFieldsFor(pcr_values, extra_data));
  q.signature = Sign(q.attest);
  q.pcr_values = pcr_values;
  return q;
}

}  // namespace vouch::testing
