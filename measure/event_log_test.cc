// Event log parsing and replay: real logs from real machines (the tpm2-tools
// fixtures, replayed by vouch and by tpm2_eventlog), a log written for PCRs
// extended on a real swtpm, and malformed input (truncation, bit flips).
#include "vouch/measure/event_log.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <sstream>

#include "measure/testing/subprocess.h"
#include "measure/testing/swtpm_fixture.h"
#include "measure/testing/temp_dir.h"
#include "vouch/measure/tpm.h"

namespace vouch {
namespace {

const char* const kFixtures[] = {
    "event.bin",           "event-uefivar.bin",           "event-uefiaction.bin",
    "event-uefiservices.bin", "event-bootorder.bin",      "event-arch-linux.bin",
    "event-gce-ubuntu-2104-log.bin", "event-moklisttrusted.bin", "event-postcode.bin",
    "event-sd-boot-fedora37.bin", "event-uefi-sha1-log.bin",
};

std::string FixturePath(const std::string& name) {
  return std::string(VOUCH_SOURCE_DIR) + "/measure/testdata/eventlog/" + name;
}

Bytes LoadFixture(const std::string& name) {
  auto b = ReadFile(FixturePath(name));
  EXPECT_TRUE(b.ok()) << b.error().ToString();
  return b.ok() ? *b : Bytes{};
}

// The "pcrs:" section of `tpm2_eventlog FILE`:
//   pcrs:
//     sha1:
//       0  : 0x…
PcrBanks Tpm2EventlogPcrs(const std::string& path) {
  auto run = testing::RunCommand({"tpm2_eventlog", path});
  EXPECT_TRUE(run.ok()) << run.error().ToString();
  if (!run.ok()) return {};
  EXPECT_EQ(run->exit_code, 0) << run->output;
  PcrBanks banks;
  std::istringstream in(run->output);
  std::string line, bank;
  bool in_pcrs = false;
  while (std::getline(in, line)) {
    if (line.rfind("pcrs:", 0) == 0) {
      in_pcrs = true;
      continue;
    }
    if (!in_pcrs) continue;
    if (line.rfind("  ", 0) != 0) break;
    if (line.rfind("    ", 0) != 0) {
      bank = line.substr(2, line.find(':') - 2);
      banks[bank];
      continue;
    }
    auto colon = line.find(':');
    auto hex = line.find("0x", colon);
    if (colon == std::string::npos || hex == std::string::npos) continue;
    uint32_t pcr = static_cast<uint32_t>(std::stoul(line.substr(0, colon)));
    auto value = HexDecode(line.substr(hex + 2));
    EXPECT_TRUE(value.ok()) << line;
    if (value.ok()) banks[bank][pcr] = *value;
  }
  return banks;
}

// ---- Writing logs -----------------------------------------------------------

void PutU32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void Put(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

// The Spec ID event for `algs` ({alg, size}).
Bytes SpecIdEvent(const std::vector<EventLogAlgorithm>& algs) {
  Bytes data;
  Put(data, AsBytes(std::string_view("Spec ID Event03\0", 16)));
  PutU32(data, 0);  // platformClass
  data.insert(data.end(), {0, 2, 0, 2});  // minor, major, errata, uintnSize
  PutU32(data, static_cast<uint32_t>(algs.size()));
  for (const auto& a : algs) {
    PutU16(data, a.alg);
    PutU16(data, a.digest_size);
  }
  data.push_back(0);  // vendorInfoSize
  Bytes out;
  PutU32(out, 0);
  PutU32(out, kEvNoAction);
  out.insert(out.end(), 20, 0);
  PutU32(out, static_cast<uint32_t>(data.size()));
  Put(out, data);
  return out;
}

Bytes Event2(uint32_t pcr, uint32_t type, const std::vector<EventDigest>& digests, ByteView data) {
  Bytes out;
  PutU32(out, pcr);
  PutU32(out, type);
  PutU32(out, static_cast<uint32_t>(digests.size()));
  for (const auto& d : digests) {
    PutU16(out, d.alg);
    Put(out, d.digest);
  }
  PutU32(out, static_cast<uint32_t>(data.size()));
  Put(out, data);
  return out;
}

Bytes Hash(const EVP_MD* md, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr), 1);
  out.resize(n);
  return out;
}

// Digests of `data` in sha1 and sha256.
std::vector<EventDigest> Both(std::string_view data) {
  return {{kEventLogSha1, Hash(EVP_sha1(), AsBytes(data))},
          {kEventLogSha256, Hash(EVP_sha256(), AsBytes(data))}};
}

const std::vector<EventLogAlgorithm> kSha1Sha256 = {{kEventLogSha1, 20}, {kEventLogSha256, 32}};

Bytes StartupLocalityEvent(uint8_t locality) {
  Bytes data = ToBytes(std::string_view("StartupLocality\0", 16));
  data.push_back(locality);
  return Event2(0, kEvNoAction, {{kEventLogSha1, Bytes(20, 0)}, {kEventLogSha256, Bytes(32, 0)}}, data);
}

// ---- Real logs --------------------------------------------------------------

TEST(EventLog, EveryTpm2ToolsFixtureReplaysToWhatTpm2EventlogPrints) {
  size_t compared = 0;
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    Bytes bytes = LoadFixture(name);
    ASSERT_FALSE(bytes.empty());
    auto log = ParseEventLog(bytes);
    ASSERT_TRUE(log.ok()) << log.error().ToString();
    auto replayed = ReplayEventLog(*log);
    ASSERT_TRUE(replayed.ok()) << replayed.error().ToString();
    PcrBanks theirs = Tpm2EventlogPcrs(FixturePath(name));
    for (const auto& [bank, pcrs] : *replayed) {
      // tpm2_eventlog leaves out a bank no event extends.
      if (pcrs.empty()) continue;
      ASSERT_EQ(theirs.count(bank), 1u) << bank << " missing from tpm2_eventlog";
    }
    for (const auto& [bank, pcrs] : theirs) {
      ASSERT_EQ(replayed->count(bank), 1u) << bank << " missing from vouch's replay";
      const auto& ours = replayed->at(bank);
      ASSERT_EQ(ours.size(), pcrs.size()) << bank;
      for (const auto& [pcr, value] : pcrs) {
        ASSERT_EQ(ours.count(pcr), 1u) << bank << " PCR " << pcr;
        EXPECT_EQ(HexEncode(ours.at(pcr)), HexEncode(value)) << bank << " PCR " << pcr;
        ++compared;
      }
      // And the comparison function agrees with the independent tool.
      EXPECT_TRUE(CompareReplayedPcrs(*replayed, bank, pcrs).ok()) << bank;
    }
  }
  EXPECT_EQ(compared, 130u);  // the PCR values tpm2_eventlog prints for these 11 logs
}

TEST(EventLog, ReplayingOneBankGivesThatBankOfTheFullReplay) {
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    auto log = ParseEventLog(LoadFixture(name));
    ASSERT_TRUE(log.ok()) << log.error().ToString();
    auto all = ReplayEventLog(*log);
    ASSERT_TRUE(all.ok());
    for (uint16_t alg : {kEventLogSha1, kEventLogSha256, kEventLogSha384, kEventLogSha512}) {
      auto one = ReplayEventLog(*log, alg);
      ASSERT_TRUE(one.ok());
      std::string bank = EventLogAlgorithmName(alg);
      if (all->count(bank) == 0) {
        EXPECT_TRUE(one->empty()) << bank << ": the log does not list it";
        continue;
      }
      ASSERT_EQ(one->size(), 1u) << bank;
      EXPECT_EQ(one->at(bank), all->at(bank)) << bank;
    }
  }
}

TEST(EventLog, FixturesParseToTheirKnownShape) {
  auto agile = ParseEventLog(LoadFixture("event.bin"));
  ASSERT_TRUE(agile.ok()) << agile.error().ToString();
  EXPECT_EQ(agile->format, EventLogFormat::kCryptoAgile);
  ASSERT_EQ(agile->algorithms.size(), 4u);
  EXPECT_EQ(agile->algorithms[0].alg, kEventLogSha1);
  EXPECT_EQ(agile->algorithms[3].alg, kEventLogSha512);
  EXPECT_EQ(agile->algorithms[3].digest_size, 64);
  ASSERT_EQ(agile->events.size(), 1u);
  EXPECT_EQ(agile->events[0].number, 1u);
  EXPECT_EQ(agile->events[0].pcr, 0u);
  EXPECT_EQ(agile->events[0].type, 0x80000008u);  // EV_EFI_PLATFORM_FIRMWARE_BLOB
  ASSERT_EQ(agile->events[0].digests.size(), 4u);
  EXPECT_EQ(HexEncode(agile->events[0].digests[0].digest), "d1ee7e857e2ae54671be58f83f3b0355c4c929f1");

  auto sha512 = ParseEventLog(LoadFixture("event-gce-ubuntu-2104-log.bin"));
  ASSERT_TRUE(sha512.ok());
  auto banks = ReplayEventLog(*sha512);
  ASSERT_TRUE(banks.ok());
  EXPECT_EQ(banks->at("sha384").size(), 11u);
  auto all4 = ReplayEventLog(*agile);
  ASSERT_TRUE(all4.ok());
  EXPECT_EQ(all4->size(), 4u);
  EXPECT_EQ(all4->at("sha512").at(0).size(), 64u);

  auto sha1 = ParseEventLog(LoadFixture("event-uefi-sha1-log.bin"));
  ASSERT_TRUE(sha1.ok());
  EXPECT_EQ(sha1->format, EventLogFormat::kSha1);
  EXPECT_EQ(sha1->events.front().number, 0u);
  EXPECT_EQ(sha1->events.front().type, 0x00000008u);  // EV_S_CRTM_VERSION
}

// tpm2-tools' specid-vendordata.bin declares a 37-byte Spec ID event but
// carries its 4 vendorInfo bytes after it (tpm2-tools reads past the declared
// size); vouch holds each event to its own size.
TEST(EventLog, VendorInfoPastTheSpecIdEventIsMalformed) {
  auto p = ParseEventLog(LoadFixture("specid-vendordata.bin"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), Code::kMalformed);
  EXPECT_EQ(p.error().message(),
            "event log: event 0 at offset 0: Spec ID vendorInfo needs 4 bytes at offset 69, only 0 "
            "remain (truncated)");
}

// ---- StartupLocality ----------------------------------------------------------

TEST(EventLog, StartupLocalitySetsTheLastByteOfPcr0InitialValue) {
  Bytes log = SpecIdEvent(kSha1Sha256);
  Put(log, StartupLocalityEvent(3));
  Put(log, Event2(0, 0x00000008, Both("crtm"), AsBytes("crtm")));
  Put(log, Event2(1, 0x00000001, Both("one"), AsBytes("one")));

  auto parsed = ParseEventLog(log);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->pcr0_locality, 3);
  auto banks = ReplayEventLog(*parsed);
  ASSERT_TRUE(banks.ok());
  Bytes initial(32, 0);
  initial.back() = 3;
  Bytes expected = Hash(EVP_sha256(), Concat({initial, Hash(EVP_sha256(), AsBytes("crtm"))}));
  EXPECT_EQ(HexEncode(banks->at("sha256").at(0)), HexEncode(expected));
  Bytes pcr1 = Hash(EVP_sha256(), Concat({Bytes(32, 0), Hash(EVP_sha256(), AsBytes("one"))}));
  EXPECT_EQ(HexEncode(banks->at("sha256").at(1)), HexEncode(pcr1));

  // (Not cross-checked with the installed tpm2_eventlog 5.4: it extends
  // EV_NO_ACTION events and ignores StartupLocality; 5.8 fixed both.)
}

TEST(EventLog, HcrtmEventStartsPcr0AtLocality4) {
  Bytes log = SpecIdEvent(kSha1Sha256);
  Put(log, Event2(0, kEvEfiHcrtmEvent, Both("HCRTM"), AsBytes("HCRTM")));
  auto parsed = ParseEventLog(log);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->pcr0_locality, 4);
  Bytes initial(20, 0);
  initial.back() = 4;
  Bytes expected = Hash(EVP_sha1(), Concat({initial, Hash(EVP_sha1(), AsBytes("HCRTM"))}));
  EXPECT_EQ(HexEncode(ReplayEventLog(*parsed)->at("sha1").at(0)), HexEncode(expected));
}

TEST(EventLog, StartupLocalityAfterPcr0WasExtendedIsMalformed) {
  Bytes log = SpecIdEvent(kSha1Sha256);
  Put(log, Event2(0, 0x00000008, Both("crtm"), AsBytes("crtm")));
  size_t offset = log.size();
  Put(log, StartupLocalityEvent(3));
  auto parsed = ParseEventLog(log);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), Code::kMalformed);
  EXPECT_EQ(parsed.error().message(),
            StrCat("event log: event 2 at offset ", offset,
                   ": StartupLocality event: logged after PCR 0 was extended"));
}

// ---- A log for a real TPM ----------------------------------------------------

class EventLogSwtpm : public testing::SwtpmTest {
 protected:
  // Extends `pcr` on the swtpm with the sha1 and sha256 digests of `data`,
  // and logs the event.
  void Measure(Bytes& log, uint32_t pcr, uint32_t type, std::string_view data) {
    auto d = Both(data);
    Tool({"tpm2_pcrextend", StrCat(pcr, ":sha1=", HexEncode(d[0].digest),
                                   ",sha256=", HexEncode(d[1].digest))});
    Put(log, Event2(pcr, type, d, AsBytes(data)));
  }

  // The TPM's PCR values of `bank`, by tpm2_pcrread.
  std::map<uint32_t, Bytes> Read(const std::string& bank, const std::string& list) {
    std::string out = Tool({"tpm2_pcrread", bank + ":" + list});
    std::map<uint32_t, Bytes> values;
    std::istringstream in(out);
    std::string line;
    bool in_bank = false;
    while (std::getline(in, line)) {
      if (line.rfind("  " + bank + ":", 0) == 0) {
        in_bank = true;
        continue;
      }
      if (!in_bank || line.find("0x") == std::string::npos) continue;
      if (line.rfind("    ", 0) != 0) break;
      uint32_t pcr = static_cast<uint32_t>(std::stoul(line.substr(0, line.find(':'))));
      values[pcr] = HexDecode(line.substr(line.find("0x") + 2)).value();
    }
    return values;
  }
};

TEST_F(EventLogSwtpm, LogWrittenForSwtpmExtensionsReplaysToItsPcrs) {
  Bytes log = SpecIdEvent(kSha1Sha256);
  Measure(log, 0, 0x00000008, "EFI firmware version 1.0");          // EV_S_CRTM_VERSION
  Put(log, Event2(0, kEvNoAction, Both("not extended"), AsBytes("not extended")));
  Measure(log, 7, 0x80000001, "SecureBoot=1");                      // EV_EFI_VARIABLE_DRIVER_CONFIG
  for (uint32_t pcr = 0; pcr < 8; ++pcr) Measure(log, pcr, kEvSeparator, std::string(4, '\0'));
  Measure(log, 4, 0x80000003, "\\EFI\\BOOT\\BOOTX64.EFI");          // EV_EFI_BOOT_SERVICES_APPLICATION
  Measure(log, 14, 0x0000000d, "MokList");                          // EV_IPL
  Measure(log, 16, 0x0000000d, "debug PCR");

  auto parsed = ParseEventLog(log);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->events.size(), 14u);
  auto banks = ReplayEventLog(*parsed);
  ASSERT_TRUE(banks.ok()) << banks.error().ToString();

  const std::string list = "0,1,2,3,4,5,6,7,8,14,16";
  for (const std::string bank : {"sha1", "sha256"}) {
    auto tpm = Read(bank, list);
    ASSERT_EQ(tpm.size(), 11u) << bank;
    Status same = CompareReplayedPcrs(*banks, bank, tpm);
    EXPECT_TRUE(same.ok()) << same.error().ToString();
    EXPECT_EQ(HexEncode(banks->at(bank).at(7)), HexEncode(tpm.at(7))) << bank;
  }
  // The same through ESAPI (vouch::Tpm reads the SHA-256 bank).
  auto tpm = Tpm::Open(swtpm_->tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.error().ToString();
  auto esapi = (*tpm)->ReadPcrs({0, 4, 7, 14, 16});
  ASSERT_TRUE(esapi.ok()) << esapi.error().ToString();
  EXPECT_TRUE(CompareReplayedPcrs(*banks, "sha256", *esapi).ok());

  // One byte of the sha256 digest of the PCR 7 event changed: the log still
  // parses but replays to another PCR 7, and the comparison names it.
  Bytes tampered = log;
  const LoggedEvent& var = parsed->events[2];
  ASSERT_EQ(var.pcr, 7u);
  size_t sha256_digest = var.offset + 12 + (2 + 20) + 2;
  tampered[sha256_digest + 5] ^= 0x40;
  auto bad = ParseEventLog(tampered);
  ASSERT_TRUE(bad.ok()) << bad.error().ToString();
  auto bad_banks = ReplayEventLog(*bad);
  ASSERT_TRUE(bad_banks.ok());
  auto tpm256 = Read("sha256", list);
  Status mismatch = CompareReplayedPcrs(*bad_banks, "sha256", tpm256);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), Code::kPcrMismatch);
  EXPECT_EQ(mismatch.error().message(),
            StrCat("PCR 7: log replays to ", HexEncode(bad_banks->at("sha256").at(7)),
                   ", TPM has ", HexEncode(tpm256.at(7)), " (sha256 bank)"));
  // The untouched sha1 bank still matches.
  EXPECT_TRUE(CompareReplayedPcrs(*bad_banks, "sha1", Read("sha1", list)).ok());
}

// ---- Comparison ------------------------------------------------------------

TEST(EventLog, CompareNamesTheFirstMismatchingPcrAndRefusesUnknownBanks) {
  Bytes log = SpecIdEvent(kSha1Sha256);
  Put(log, Event2(3, 1, Both("three"), AsBytes("three")));
  Put(log, Event2(9, 1, Both("nine"), AsBytes("nine")));
  auto banks = ReplayEventLog(ParseEventLog(log).value()).value();
  std::map<uint32_t, Bytes> tpm = banks.at("sha256");
  tpm[5] = Bytes(32, 0);  // never logged: still at its initial value
  EXPECT_TRUE(CompareReplayedPcrs(banks, "sha256", tpm).ok());
  tpm[9][0] ^= 1;
  tpm[5][31] = 1;
  Status s = CompareReplayedPcrs(banks, "sha256", tpm);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kPcrMismatch);
  EXPECT_EQ(s.error().message().rfind("PCR 5: log replays to " + std::string(64, '0') + ", TPM has ", 0), 0u)
      << s.error().message();
  EXPECT_EQ(CompareReplayedPcrs(banks, "sha384", tpm).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(CompareReplayedPcrs(banks, "sha256", {{24, Bytes(32, 0)}}).error().code(),
            Code::kInvalidArgument);
}

// ---- Malformed input -------------------------------------------------------

void ExpectMalformed(const Bytes& log, const std::string& message) {
  auto parsed = ParseEventLog(log);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), Code::kMalformed);
  EXPECT_EQ(parsed.error().message(), message);
}

TEST(EventLog, MalformedLogsGiveASentenceNamingEventAndOffset) {
  ExpectMalformed({}, "event log: event 0 at offset 0: the log is empty");
  Bytes spec = SpecIdEvent(kSha1Sha256);
  size_t at = spec.size();

  Bytes big = spec;
  Put(big, Event2(1, 1, Both("x"), AsBytes("x")));
  size_t second = big.size();
  Put(big, Event2(2, 1, Both("y"), AsBytes("y")));
  big[second + 12 + 22 + 34] = 0xff;  // eventSize low byte
  big[second + 12 + 22 + 34 + 3] = 0x7f;
  ExpectMalformed(big, StrCat("event log: event 2 at offset ", second,
                              ": event size 2130706687 exceeds the limit of 1048576"));

  Bytes pcr = spec;
  Put(pcr, Event2(24, 1, Both("x"), AsBytes("x")));
  ExpectMalformed(pcr, StrCat("event log: event 1 at offset ", at,
                              ": expected a PCR index below 24, got 24"));

  Bytes alg = spec;
  Put(alg, Event2(1, 1, {{kEventLogSha384, Bytes(48, 1)}}, AsBytes("x")));
  ExpectMalformed(alg, StrCat("event log: event 1 at offset ", at,
                              ": digest 0: sha384 is not listed in the Spec ID event"));

  Bytes twice = spec;
  Put(twice, Event2(1, 1, {{kEventLogSha1, Bytes(20, 1)}, {kEventLogSha1, Bytes(20, 1)}}, AsBytes("x")));
  ExpectMalformed(twice, StrCat("event log: event 1 at offset ", at, ": digest 1: sha1 appears twice"));

  Bytes many = spec;
  Put(many, Event2(1, 1, Both("x"), AsBytes("x")));
  many[at + 8] = 3;
  ExpectMalformed(many, StrCat("event log: event 1 at offset ", at,
                               ": expected at most 2 digests (the Spec ID event's algorithms), got 3"));

  Bytes cut = spec;
  Put(cut, Event2(1, 1, Both("hello"), AsBytes("hello")));
  cut.resize(cut.size() - 2);
  ExpectMalformed(cut, StrCat("event log: event 1 at offset ", at, ": event data needs 5 bytes at offset ",
                              cut.size() - 3, ", only 3 remain (truncated)"));

  ExpectMalformed(SpecIdEvent({}), "event log: event 0 at offset 0: Spec ID event: expected 1 to 8 "
                                   "algorithms, got 0");
  ExpectMalformed(SpecIdEvent({{kEventLogSha256, 20}}),
                  "event log: event 0 at offset 0: Spec ID event: sha256: expected a digest size of "
                  "32, got 20");
  ExpectMalformed(SpecIdEvent({{kEventLogSha1, 20}, {kEventLogSha1, 20}}),
                  "event log: event 0 at offset 0: Spec ID event: sha1 is listed twice");
}

// Event boundaries of a parsed log: where a prefix of it is itself a log.
std::set<size_t> Boundaries(const EventLog& log, size_t size) {
  std::set<size_t> b = {size};
  for (const auto& e : log.events) b.insert(e.offset);
  b.erase(0);  // an empty log is malformed
  return b;
}

TEST(EventLog, EveryTruncationIsMalformedOrAShorterLog) {
  for (const char* name : {"event.bin", "event-uefivar.bin", "event-sd-boot-fedora37.bin",
                           "event-uefi-sha1-log.bin"}) {
    SCOPED_TRACE(name);
    Bytes full = LoadFixture(name);
    auto log = ParseEventLog(full);
    ASSERT_TRUE(log.ok());
    std::set<size_t> ok_at = Boundaries(*log, full.size());
    size_t refused = 0;
    for (size_t n = 0; n < full.size(); ++n) {
      Bytes prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
      auto p = ParseEventLog(prefix);
      if (ok_at.count(n)) {
        EXPECT_TRUE(p.ok()) << "at " << n << ": " << p.error().ToString();
        continue;
      }
      ASSERT_FALSE(p.ok()) << "a " << n << "-byte prefix parsed";
      EXPECT_EQ(p.error().code(), Code::kMalformed);
      EXPECT_NE(p.error().message().find(" at offset "), std::string::npos) << p.error().message();
      ++refused;
    }
    EXPECT_GT(refused, full.size() / 2);
  }
}

TEST(EventLog, BitFlipsNeverCrashAndRefusalsAreMalformed) {
  for (const char* name : {"event.bin", "event-uefiaction.bin", "event-sd-boot-fedora37.bin"}) {
    SCOPED_TRACE(name);
    Bytes full = LoadFixture(name);
    size_t refused = 0, parsed = 0;
    for (size_t bit = 0; bit < full.size() * 8; ++bit) {
      Bytes flipped = full;
      flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      auto p = ParseEventLog(flipped);
      if (!p.ok()) {
        EXPECT_EQ(p.error().code(), Code::kMalformed) << p.error().ToString();
        EXPECT_NE(p.error().message().find(" at offset "), std::string::npos);
        ++refused;
        continue;
      }
      ++parsed;
      EXPECT_TRUE(ReplayEventLog(*p).ok());
    }
    EXPECT_GT(refused, 0u);
    EXPECT_GT(parsed, 0u);  // flips inside digests and event data still parse
  }
}

TEST(EventLog, TooManyEventsAndTooLargeLogsAreRefused) {
  Bytes log = SpecIdEvent({{kEventLogSha1, 20}});
  Bytes one = Event2(1, 1, {{kEventLogSha1, Bytes(20, 7)}}, {});
  log.reserve(log.size() + one.size() * (kMaxEventLogEvents + 1));
  for (size_t i = 0; i <= kMaxEventLogEvents; ++i) Put(log, one);
  auto p = ParseEventLog(log);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), Code::kMalformed);
  EXPECT_NE(p.error().message().find("event 65537 at offset"), std::string::npos)
      << p.error().message();
  EXPECT_NE(p.error().message().find("more than 65536 events"), std::string::npos);

  Bytes huge(kMaxEventLogSize + 1, 0);
  EXPECT_EQ(ParseEventLog(huge).error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch
