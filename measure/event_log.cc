#include "vouch/measure/event_log.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "vouch/core/ssl_ptr.h"

namespace vouch {
namespace {

constexpr char kSpecIdSignature[16] = "Spec ID Event03";     // with its NUL
constexpr char kStartupLocalitySignature[16] = "StartupLocality";  // with its NUL
constexpr size_t kStartupLocalityEventSize = 17;

// A bounds-checked little-endian reader over the whole log; every failure
// names the event being read and where it starts.
class Reader {
 public:
  // `origin` is the offset of in[0] in the log (for messages).
  explicit Reader(ByteView in, size_t origin = 0) : in_(in), origin_(origin) {}

  size_t pos() const { return origin_ + pos_; }
  bool done() const { return pos_ == in_.size(); }
  size_t consumed() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

  void StartEvent(size_t number) { StartEvent(number, pos()); }
  void StartEvent(size_t number, size_t offset) {
    number_ = number;
    event_offset_ = offset;
  }
  size_t event_offset() const { return event_offset_; }

  Error Fail(const std::string& what) const {
    return Error(Code::kMalformed, StrCat("event log: event ", number_, " at offset ",
                                          event_offset_, ": ", what));
  }

  Result<uint32_t> U32(const char* field) {
    VOUCH_ASSIGN_OR_RETURN(ByteView b, Take(4, field));
    return uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
  }
  Result<uint16_t> U16(const char* field) {
    VOUCH_ASSIGN_OR_RETURN(ByteView b, Take(2, field));
    return static_cast<uint16_t>(b[0] | (b[1] << 8));
  }
  Result<uint8_t> U8(const char* field) {
    VOUCH_ASSIGN_OR_RETURN(ByteView b, Take(1, field));
    return b[0];
  }
  Result<ByteView> Take(size_t n, const char* field) {
    if (n > remaining()) {
      return Fail(StrCat(field, " needs ", n, " bytes at offset ", pos(), ", only ", remaining(),
                         " remain (truncated)"));
    }
    ByteView out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  ByteView in_;
  size_t origin_ = 0;
  size_t pos_ = 0;
  size_t number_ = 0;
  size_t event_offset_ = 0;
};

// "sha256", or "algorithm 0x0012" for one without a name here.
std::string AlgLabel(uint16_t alg) {
  std::string name = EventLogAlgorithmName(alg);
  if (!name.empty()) return name;
  return StrCat("algorithm 0x", HexEncode(Bytes{uint8_t(alg >> 8), uint8_t(alg & 0xff)}));
}

// The TCG_PCClientPCREvent header fields {pcrIndex, eventType, digest[20],
// eventDataSize, event}.
struct Sha1Event {
  uint32_t pcr;
  uint32_t type;
  ByteView digest;
  ByteView data;
  size_t data_offset;
};

Result<Sha1Event> ReadSha1Event(Reader& r) {
  Sha1Event e;
  VOUCH_ASSIGN_OR_RETURN(e.pcr, r.U32("pcrIndex"));
  VOUCH_ASSIGN_OR_RETURN(e.type, r.U32("eventType"));
  VOUCH_ASSIGN_OR_RETURN(e.digest, r.Take(20, "SHA-1 digest"));
  VOUCH_ASSIGN_OR_RETURN(uint32_t size, r.U32("eventDataSize"));
  if (size > kMaxEventDataSize) {
    return r.Fail(StrCat("event data size ", size, " exceeds the limit of ", kMaxEventDataSize));
  }
  e.data_offset = r.pos();
  VOUCH_ASSIGN_OR_RETURN(e.data, r.Take(size, "event data"));
  return e;
}

bool IsSpecIdEvent(const Sha1Event& e) {
  return e.type == kEvNoAction && e.data.size() >= sizeof(kSpecIdSignature) &&
         std::memcmp(e.data.data(), kSpecIdSignature, sizeof(kSpecIdSignature)) == 0;
}

// TCG_EfiSpecIDEvent: signature[16], platformClass u32, specVersionMinor u8,
// specVersionMajor u8, specErrata u8, uintnSize u8, numberOfAlgorithms u32,
// {algorithmId u16, digestSize u16}…, vendorInfoSize u8, vendorInfo.
Status ParseSpecId(const Sha1Event& e, EventLog& log) {
  Reader r(e.data, e.data_offset);
  r.StartEvent(0, 0);
  auto fail = [&](const std::string& what) { return r.Fail(StrCat("Spec ID event: ", what)); };
  if (e.pcr != 0) return fail(StrCat("expected PCR 0, got PCR ", e.pcr));
  if (std::any_of(e.digest.begin(), e.digest.end(), [](uint8_t b) { return b != 0; })) {
    return fail("expected an all-zero digest");
  }
  VOUCH_RETURN_IF_ERROR(r.Take(16 + 4 + 4, "Spec ID header"));
  VOUCH_ASSIGN_OR_RETURN(uint32_t count, r.U32("Spec ID numberOfAlgorithms"));
  if (count == 0 || count > kMaxEventLogAlgorithms) {
    return fail(StrCat("expected 1 to ", kMaxEventLogAlgorithms, " algorithms, got ", count));
  }
  std::set<uint16_t> seen;
  for (uint32_t i = 0; i < count; ++i) {
    VOUCH_ASSIGN_OR_RETURN(uint16_t alg, r.U16("Spec ID algorithmId"));
    VOUCH_ASSIGN_OR_RETURN(uint16_t size, r.U16("Spec ID digestSize"));
    std::string name = AlgLabel(alg);
    size_t expected = alg == kEventLogSha1     ? 20
                      : alg == kEventLogSha256 ? 32
                      : alg == kEventLogSha384 ? 48
                      : alg == kEventLogSha512 ? 64
                                             : size;
    if (size == 0 || size > kMaxEventDigestSize || size != expected) {
      return fail(StrCat(name, ": expected a digest size of ",
                         expected == size ? StrCat("1 to ", kMaxEventDigestSize) : StrCat(expected),
                         ", got ", size));
    }
    if (!seen.insert(alg).second) return fail(StrCat(name, " is listed twice"));
    log.algorithms.push_back({alg, size});
  }
  VOUCH_ASSIGN_OR_RETURN(uint8_t vendor_size, r.U8("Spec ID vendorInfoSize"));
  VOUCH_RETURN_IF_ERROR(r.Take(vendor_size, "Spec ID vendorInfo"));
  if (!r.done()) {
    return fail(StrCat("expected ", r.consumed(), " bytes of event data, got ", e.data.size()));
  }
  return Ok();
}

// Tracks the StartupLocality and H-CRTM rules while events are read.
struct Pcr0State {
  bool extended = false;
  bool locality_seen = false;
};

Status CheckPcr0(Reader& r, const LoggedEvent& e, Pcr0State& s, EventLog& log) {
  if (e.pcr != 0) return Ok();
  bool startup_locality = e.type == kEvNoAction && e.data.size() >= sizeof(kStartupLocalitySignature) &&
                          std::memcmp(e.data.data(), kStartupLocalitySignature,
                                      sizeof(kStartupLocalitySignature)) == 0;
  if (startup_locality) {
    if (e.data.size() != kStartupLocalityEventSize) {
      return r.Fail(StrCat("StartupLocality event: expected ", kStartupLocalityEventSize,
                           " bytes of event data, got ", e.data.size()));
    }
    if (s.locality_seen) return r.Fail("StartupLocality event: logged twice");
    if (s.extended) return r.Fail("StartupLocality event: logged after PCR 0 was extended");
    s.locality_seen = true;
    log.pcr0_locality = e.data[16];
  } else if (e.type == kEvEfiHcrtmEvent && !s.extended) {
    if (s.locality_seen) return r.Fail("H-CRTM event: logged after a StartupLocality event");
    log.pcr0_locality = 4;
  }
  if (e.type != kEvNoAction) s.extended = true;
  return Ok();
}

Status ParseAgileEvents(Reader& r, EventLog& log) {
  std::map<uint16_t, uint16_t> sizes;
  for (const auto& a : log.algorithms) sizes[a.alg] = a.digest_size;
  Pcr0State pcr0;
  for (size_t number = 1; !r.done(); ++number) {
    r.StartEvent(number);
    if (log.events.size() >= kMaxEventLogEvents) {
      return r.Fail(StrCat("more than ", kMaxEventLogEvents, " events"));
    }
    LoggedEvent e;
    e.number = number;
    e.offset = r.pos();
    VOUCH_ASSIGN_OR_RETURN(e.pcr, r.U32("pcrIndex"));
    if (e.pcr >= kEventLogPcrCount) {
      return r.Fail(StrCat("expected a PCR index below ", kEventLogPcrCount, ", got ", e.pcr));
    }
    VOUCH_ASSIGN_OR_RETURN(e.type, r.U32("eventType"));
    VOUCH_ASSIGN_OR_RETURN(uint32_t count, r.U32("digest count"));
    if (count > log.algorithms.size()) {
      return r.Fail(StrCat("expected at most ", log.algorithms.size(),
                           " digests (the Spec ID event's algorithms), got ", count));
    }
    e.digests.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      VOUCH_ASSIGN_OR_RETURN(uint16_t alg, r.U16("hashAlg"));
      auto it = sizes.find(alg);
      if (it == sizes.end()) {
        return r.Fail(StrCat("digest ", i, ": ", AlgLabel(alg),
                             " is not listed in the Spec ID event"));
      }
      if (std::any_of(e.digests.begin(), e.digests.end(),
                      [&](const EventDigest& d) { return d.alg == alg; })) {
        return r.Fail(StrCat("digest ", i, ": ", AlgLabel(alg), " appears twice"));
      }
      VOUCH_ASSIGN_OR_RETURN(ByteView d, r.Take(it->second, "digest"));
      e.digests.push_back({alg, Bytes(d.begin(), d.end())});
    }
    VOUCH_ASSIGN_OR_RETURN(uint32_t size, r.U32("eventSize"));
    if (size > kMaxEventDataSize) {
      return r.Fail(StrCat("event size ", size, " exceeds the limit of ", kMaxEventDataSize));
    }
    VOUCH_ASSIGN_OR_RETURN(ByteView data, r.Take(size, "event data"));
    e.data.assign(data.begin(), data.end());
    VOUCH_RETURN_IF_ERROR(CheckPcr0(r, e, pcr0, log));
    log.events.push_back(std::move(e));
  }
  return Ok();
}

Status ParseSha1Events(Reader& r, EventLog& log) {
  Pcr0State pcr0;
  for (size_t number = 0; !r.done(); ++number) {
    r.StartEvent(number);
    if (log.events.size() >= kMaxEventLogEvents) {
      return r.Fail(StrCat("more than ", kMaxEventLogEvents, " events"));
    }
    size_t offset = r.pos();
    VOUCH_ASSIGN_OR_RETURN(Sha1Event s, ReadSha1Event(r));
    if (s.pcr >= kEventLogPcrCount) {
      return r.Fail(StrCat("expected a PCR index below ", kEventLogPcrCount, ", got ", s.pcr));
    }
    LoggedEvent e;
    e.number = number;
    e.offset = offset;
    e.pcr = s.pcr;
    e.type = s.type;
    e.digests.push_back({kEventLogSha1, Bytes(s.digest.begin(), s.digest.end())});
    e.data.assign(s.data.begin(), s.data.end());
    VOUCH_RETURN_IF_ERROR(CheckPcr0(r, e, pcr0, log));
    log.events.push_back(std::move(e));
  }
  return Ok();
}

// The bank's digest, fetched once per replay: a digest named by EVP_sha256()
// is looked up again (under a lock) at every EVP_DigestInit_ex.
SslPtr<EVP_MD> Md(uint16_t alg) {
  const char* name = nullptr;
  switch (alg) {
    case kEventLogSha1: name = "SHA1"; break;
    case kEventLogSha256: name = "SHA256"; break;
    case kEventLogSha384: name = "SHA384"; break;
    case kEventLogSha512: name = "SHA512"; break;
    default: return nullptr;
  }
  return SslPtr<EVP_MD>(EVP_MD_fetch(nullptr, name, nullptr));
}

Bytes InitialValue(uint32_t pcr, size_t size, uint8_t pcr0_locality) {
  Bytes v(size, 0);
  if (pcr == 0 && size > 0) v.back() = pcr0_locality;
  return v;
}

}  // namespace

std::string EventLogAlgorithmName(uint16_t alg) {
  switch (alg) {
    case kEventLogSha1: return "sha1";
    case kEventLogSha256: return "sha256";
    case kEventLogSha384: return "sha384";
    case kEventLogSha512: return "sha512";
    default: return "";
  }
}

Result<EventLog> ParseEventLog(ByteView in) {
  if (in.size() > kMaxEventLogSize) {
    return Error(Code::kInvalidArgument, StrCat("event log: ", in.size(),
                                                " bytes exceed the limit of ", kMaxEventLogSize));
  }
  EventLog log;
  Reader r(in);
  r.StartEvent(0);
  if (r.done()) return r.Fail("the log is empty");
  VOUCH_ASSIGN_OR_RETURN(Sha1Event first, ReadSha1Event(r));
  if (IsSpecIdEvent(first)) {
    log.format = EventLogFormat::kCryptoAgile;
    VOUCH_RETURN_IF_ERROR(ParseSpecId(first, log));
    VOUCH_RETURN_IF_ERROR(ParseAgileEvents(r, log));
  } else {
    log.format = EventLogFormat::kSha1;
    log.algorithms.push_back({kEventLogSha1, 20});
    Reader again(in);
    VOUCH_RETURN_IF_ERROR(ParseSha1Events(again, log));
  }
  return log;
}

Result<PcrBanks> ReplayEventLog(const EventLog& log, std::optional<uint16_t> only) {
  PcrBanks banks;
  SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx) return Error(Code::kInternal, "event log replay: EVP_MD_CTX_new failed");
  for (const auto& a : log.algorithms) {
    if (only && a.alg != *only) continue;
    SslPtr<EVP_MD> fetched = Md(a.alg);
    if (!fetched) {
      if (EventLogAlgorithmName(a.alg).empty()) continue;  // a bank vouch does not replay
      return Error(Code::kInternal, StrCat("event log replay: cannot fetch ", EventLogAlgorithmName(a.alg), ": ",
                                           SslErrorString()));
    }
    const EVP_MD* md = fetched.get();
    auto& bank = banks[EventLogAlgorithmName(a.alg)];
    for (const auto& e : log.events) {
      auto d = std::find_if(e.digests.begin(), e.digests.end(),
                            [&](const EventDigest& x) { return x.alg == a.alg; });
      if (d == e.digests.end()) continue;
      auto [it, fresh] = bank.try_emplace(e.pcr);
      if (fresh) it->second = InitialValue(e.pcr, a.digest_size, log.pcr0_locality);
      if (e.type == kEvNoAction) continue;
      Bytes& pcr = it->second;
      unsigned int out_len = 0;
      uint8_t out[EVP_MAX_MD_SIZE];
      if (EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
          EVP_DigestUpdate(ctx.get(), pcr.data(), pcr.size()) != 1 ||
          EVP_DigestUpdate(ctx.get(), d->digest.data(), d->digest.size()) != 1 ||
          EVP_DigestFinal_ex(ctx.get(), out, &out_len) != 1) {
        return Error(Code::kInternal, StrCat("event log replay: ", EventLogAlgorithmName(a.alg),
                                             " digest failed: ", SslErrorString()));
      }
      pcr.assign(out, out + out_len);  // same size: no allocation
    }
  }
  return banks;
}

Result<std::optional<ReplayMismatch>> FirstReplayMismatch(const PcrBanks& replayed,
                                                          const std::string& bank,
                                                          const std::map<uint32_t, Bytes>& tpm_pcrs) {
  auto b = replayed.find(bank);
  if (b == replayed.end()) {
    return Error(Code::kInvalidArgument, StrCat("event log: no ", bank.empty() ? "(unnamed)" : bank,
                                                " bank was replayed"));
  }
  // The bank's digest size, for PCRs the log never names (they stay at zero:
  // a StartupLocality or H-CRTM event names PCR 0).
  size_t size = b->first == "sha1" ? 20 : b->first == "sha256" ? 32 : b->first == "sha384" ? 48 : 64;
  for (const auto& [index, value] : tpm_pcrs) {
    if (index >= kEventLogPcrCount) {
      return Error(Code::kInvalidArgument, StrCat("PCR ", index, ": expected an index below ",
                                                  kEventLogPcrCount));
    }
    auto it = b->second.find(index);
    Bytes expected = it != b->second.end() ? it->second : InitialValue(index, size, 0);
    if (expected != value) return std::optional<ReplayMismatch>(ReplayMismatch{index, std::move(expected), value});
  }
  return std::optional<ReplayMismatch>();
}

Status CompareReplayedPcrs(const PcrBanks& replayed, const std::string& bank,
                           const std::map<uint32_t, Bytes>& tpm_pcrs) {
  VOUCH_ASSIGN_OR_RETURN(std::optional<ReplayMismatch> m,
                         FirstReplayMismatch(replayed, bank, tpm_pcrs));
  if (!m) return Ok();
  return Error(Code::kPcrMismatch,
               StrCat("PCR ", m->pcr, ": log replays to ", HexEncode(m->replayed), ", TPM has ",
                      m->tpm.empty() ? "an empty value" : HexEncode(m->tpm), " (", bank, " bank)"));
}

}  // namespace vouch
