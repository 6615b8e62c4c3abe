// Against the real libvirtd at qemu:///system (root). Each test defines what
// it needs under a unique name and removes it again. The daemons are started
// if they are not running and left running (other e2e suites share them;
// ctest serializes the suites with RESOURCE_LOCK libvirtd).
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <regex>
#include <string>
#include <thread>

#include "vouch/core/random.h"
#include "vouch/qemu/config_digest.h"
#include "domain_events_testing.h"
#include "vouch/qemu/domain_events.h"
#include "vouch/qemu/domain_xml.h"
#include "vouch/qemu/libvirt.h"

#include <libvirt/virterror.h>
#include "vouch/qemu/launch_policy.h"

namespace vouch::qemu {
namespace {

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

CommandResult RunShell(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

bool LibvirtAnswers() { return RunShell("virsh -c qemu:///system version").status == 0; }

// Starts virtlogd and libvirtd if libvirt does not answer; they stay running.
void EnsureDaemons() {
  if (LibvirtAnswers()) return;
  // Stopped daemons can linger as zombies where nothing reaps them, so look
  // for a live process, not just a name (pgrep would match a zombie).
  auto running = [](const char* name) {
    return RunShell(std::string("ps -C ") + name + " -o stat= | grep -qv '^Z'").status == 0;
  };
  if (!running("virtlogd")) RunShell("virtlogd -d");
  if (!running("libvirtd")) RunShell("libvirtd -d");
  for (int i = 0; i < 150 && !LibvirtAnswers(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string NewUuid() {
  std::ifstream in("/proc/sys/kernel/random/uuid");
  std::string u;
  in >> u;
  return u;
}

std::string UniqueName(const std::string& what) {
  return "vouch-qtest-" + what + "-" + std::to_string(getpid()) + "-" + HexEncode(RandomBytes(3));
}

class LibvirtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { EnsureDaemons(); }

  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "these tests define system domains and secrets: run as root";
    ASSERT_TRUE(LibvirtAnswers()) << "libvirtd at qemu:///system does not answer: "
                                  << RunShell("virsh -c qemu:///system version").output;
    auto c = Connect();
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    conn_.emplace(std::move(c).value());
  }

  void TearDown() override {
    if (!conn_) return;
    for (const std::string& name : domains_) {
      virDomainPtr raw = virDomainLookupByName(conn_->get(), name.c_str());
      if (raw == nullptr) continue;
      VirDomainHandle dom(raw);
      if (virDomainIsActive(dom.get()) == 1) virDomainDestroy(dom.get());
      virDomainUndefineFlags(dom.get(), VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_TPM);
    }
    for (const std::string& uuid : secrets_) (void)conn_->UndefineSecret(uuid);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Defines `xml` (which names the domain `name`); removed in TearDown.
  void DefineDomain(const std::string& name, const std::string& xml) {
    domains_.push_back(name);
    VirDomainHandle dom(virDomainDefineXML(conn_->get(), xml.c_str()));
    ASSERT_TRUE(dom) << "define " << name << ": " << virGetLastErrorMessage();
  }

  std::string MinimalDomain(const std::string& name) {
    return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
           "<os><type arch='x86_64'>hvm</type></os><devices><memballoon model='none'/></devices></domain>";
  }

  // A scratch directory QEMU (user libvirt-qemu) can traverse.
  const std::string& Dir() {
    if (dir_.empty()) {
      char tmpl[] = "/tmp/vouch-qtest.XXXXXX";
      dir_ = mkdtemp(tmpl);
      chmod(dir_.c_str(), 0711);
    }
    return dir_;
  }

  std::string TrackSecret(std::string uuid) {
    secrets_.push_back(uuid);
    return uuid;
  }

  std::optional<LibvirtConnection> conn_;
  std::vector<std::string> domains_, secrets_;
  std::string dir_;
};

// --- secrets -----------------------------------------------------------------------

TEST_F(LibvirtTest, DefinesAnEphemeralPrivateSecretThatNoClientCanRead) {
  const std::string uuid = TrackSecret(NewUuid());
  const SecretBytes value(AsBytes(Base64UrlEncode(RandomBytes(32))));
  ASSERT_TRUE(conn_->DefineEphemeralSecret(uuid, "vouch test <&> 'quoted'", value).ok());

  auto exists = conn_->SecretExists(uuid);
  ASSERT_TRUE(exists.ok()) << exists.error().ToString();
  EXPECT_TRUE(*exists);

  CommandResult xml = RunShell("virsh -c qemu:///system secret-dumpxml " + uuid);
  ASSERT_EQ(xml.status, 0) << xml.output;
  EXPECT_NE(xml.output.find("ephemeral='yes'"), std::string::npos) << xml.output;
  EXPECT_NE(xml.output.find("private='yes'"), std::string::npos) << xml.output;
  EXPECT_NE(xml.output.find("vouch test &lt;&amp;&gt; &apos;quoted&apos;"), std::string::npos) << xml.output;
  EXPECT_EQ(xml.output.find("<usage"), std::string::npos) << xml.output;

  CommandResult get = RunShell("virsh -c qemu:///system secret-get-value " + uuid);
  EXPECT_NE(get.status, 0) << "a private secret's value was readable";
  EXPECT_NE(get.output.find("secret is private"), std::string::npos) << get.output;
  const std::string v = ToString(value.Expose());
  EXPECT_EQ(get.output.find(v), std::string::npos);
  EXPECT_EQ(get.output.find(Base64Encode(value.Expose())), std::string::npos);

  // Ephemeral: never written under /etc/libvirt/secrets or /var/lib/libvirt/secrets.
  EXPECT_FALSE(std::filesystem::exists("/etc/libvirt/secrets/" + uuid + ".xml"));
  EXPECT_FALSE(std::filesystem::exists("/etc/libvirt/secrets/" + uuid + ".base64"));

  ASSERT_TRUE(conn_->UndefineSecret(uuid).ok());
  exists = conn_->SecretExists(uuid);
  ASSERT_TRUE(exists.ok()) << exists.error().ToString();
  EXPECT_FALSE(*exists);
  Status again = conn_->UndefineSecret(uuid);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kNotFound) << again.error().ToString();
  EXPECT_EQ(again.error().message(), "libvirt secret '" + uuid + "' does not exist");
}

TEST_F(LibvirtTest, SecretCallsCheckTheirArguments) {
  const SecretBytes value(AsBytes("x"));
  for (const char* bad : {"", "not-a-uuid", "0d2a5c1e7b7f4e0b9c394d3b8a1e6f20", "0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f2g",
                          "0d2a5c1e-7b7f-4e0b-9c39-4d3b8a1e6f20'/><usage type='ceph"}) {
    Status s = conn_->DefineEphemeralSecret(bad, "d", value);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(conn_->UndefineSecret(bad).error().code(), Code::kInvalidArgument);
    EXPECT_EQ(conn_->SecretExists(bad).error().code(), Code::kInvalidArgument);
  }
  Status empty = conn_->DefineEphemeralSecret(NewUuid(), "d", SecretBytes());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), Code::kInvalidArgument);
  // Upper case is accepted and means the same secret.
  const std::string uuid = TrackSecret(NewUuid());
  std::string upper = uuid;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  ASSERT_TRUE(conn_->DefineEphemeralSecret(upper, "d", value).ok());
  EXPECT_TRUE(*conn_->SecretExists(uuid));
}

TEST_F(LibvirtTest, NeverPutsTheValueIntoAReadableSecretWithTheSameUuid) {
  // Someone defined a persistent, readable secret with the UUID first.
  const std::string uuid = TrackSecret(NewUuid());
  const std::string config = "/etc/libvirt/secrets/" + uuid + ".xml";
  const std::string xml_path = Dir() + "/public.xml";
  std::ofstream(xml_path) << "<secret ephemeral='no' private='no'><uuid>" << uuid << "</uuid></secret>";
  ASSERT_EQ(RunShell("virsh -c qemu:///system secret-define " + xml_path).status, 0);

  const SecretBytes value(AsBytes(Base64UrlEncode(RandomBytes(32))));
  Status s = conn_->DefineEphemeralSecret(uuid, "vouch", value);
  CommandResult get = RunShell("virsh -c qemu:///system secret-get-value " + uuid);
  EXPECT_EQ(get.output.find(Base64Encode(value.Expose())), std::string::npos)
      << "the value became readable: " << get.output;
  if (s.ok()) {
    // libvirt 9.0 redefines it as ephemeral and private: then it must really be.
    CommandResult xml = RunShell("virsh -c qemu:///system secret-dumpxml " + uuid);
    EXPECT_NE(xml.output.find("private='yes'"), std::string::npos) << xml.output;
    EXPECT_NE(xml.output.find("ephemeral='yes'"), std::string::npos) << xml.output;
    EXPECT_NE(get.status, 0);
  } else {
    EXPECT_EQ(s.error().message().find(ToString(value.Expose())), std::string::npos);
  }
  // The value never reaches the disk (libvirt keeps a value as UUID.base64).
  EXPECT_FALSE(std::filesystem::exists("/etc/libvirt/secrets/" + uuid + ".base64"));
  if (std::filesystem::exists(config)) {
    std::ifstream in(config);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find(Base64Encode(value.Expose())), std::string::npos);
  }

  // libvirt keeps the first definition's config file when an ephemeral
  // definition replaces it, and undefining the ephemeral one leaves it
  // (it would come back on the next daemon start): remove both.
  EXPECT_TRUE(conn_->UndefineSecret(uuid).ok());
  std::filesystem::remove(config);
}

// --- protection metadata -------------------------------------------------------------

TEST_F(LibvirtTest, ProtectionMetadataRoundTripsThroughLibvirt) {
  const std::string name = UniqueName("meta");
  DefineDomain(name, MinimalDomain(name));
  if (HasFatalFailure()) return;

  auto none = conn_->GetProtectionMetadata(name);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), Code::kNotFound) << none.error().ToString();

  const Bytes bundle = RandomBytes(8192);
  ASSERT_TRUE(conn_->SetProtectionMetadata(name, bundle).ok());
  auto got = conn_->GetProtectionMetadata(name);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(*got, bundle);

  // The persistent XML carries it in vouch's namespace, and ParseDomainXml finds it.
  CommandResult dump = RunShell("virsh -c qemu:///system dumpxml --inactive " + name);
  ASSERT_EQ(dump.status, 0) << dump.output;
  EXPECT_NE(dump.output.find("<vouch:protect xmlns:vouch=\"urn:vouch:domain:1\">"), std::string::npos)
      << dump.output.substr(0, 600);
  auto parsed = ParseDomainXml(dump.output);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  ASSERT_TRUE(parsed->protection_bundle.has_value());
  EXPECT_EQ(*parsed->protection_bundle, bundle);
  auto xml = conn_->DomainXml(name, /*inactive=*/true);
  ASSERT_TRUE(xml.ok()) << xml.error().ToString();
  EXPECT_EQ(ParseDomainXml(*xml)->protection_bundle, parsed->protection_bundle);

  // Replacing keeps exactly one element.
  const Bytes second = RandomBytes(100);
  ASSERT_TRUE(conn_->SetProtectionMetadata(name, second).ok());
  EXPECT_EQ(*conn_->GetProtectionMetadata(name), second);
  auto reparsed = ParseDomainXml(*conn_->DomainXml(name, true));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().ToString();
  EXPECT_EQ(*reparsed->protection_bundle, second);

  ASSERT_TRUE(conn_->RemoveProtectionMetadata(name).ok());
  auto removed = conn_->GetProtectionMetadata(name);
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code(), Code::kNotFound);
  EXPECT_FALSE(ParseDomainXml(*conn_->DomainXml(name, true))->protection_bundle.has_value());
}

TEST_F(LibvirtTest, ProtectionMetadataRefusesEmptyAndOversizedBundles) {
  const std::string name = UniqueName("metasize");
  DefineDomain(name, MinimalDomain(name));
  if (HasFatalFailure()) return;
  EXPECT_EQ(conn_->SetProtectionMetadata(name, Bytes()).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(conn_->SetProtectionMetadata(name, Bytes(kMaxBundleSize + 1, 1)).error().code(),
            Code::kInvalidArgument);
  ASSERT_TRUE(conn_->SetProtectionMetadata(name, Bytes(kMaxBundleSize, 1)).ok());
  EXPECT_EQ(conn_->GetProtectionMetadata(name)->size(), kMaxBundleSize);
}

TEST_F(LibvirtTest, DomainCallsOnAMissingDomainAreNotFound) {
  const std::string name = UniqueName("absent");
  EXPECT_EQ(conn_->SetProtectionMetadata(name, Bytes{1}).error().code(), Code::kNotFound);
  auto get = conn_->GetProtectionMetadata(name);
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code(), Code::kNotFound);
  EXPECT_EQ(get.error().message(), "libvirt domain '" + name + "' does not exist");
  EXPECT_EQ(conn_->RemoveProtectionMetadata(name).error().code(), Code::kNotFound);
  EXPECT_EQ(conn_->DomainXml(name, false).error().code(), Code::kNotFound);
  EXPECT_EQ(conn_->DomainIsActive(name).error().code(), Code::kNotFound);
  EXPECT_EQ(conn_->StopDomain(name, true).error().code(), Code::kNotFound);
}

// --- hypervisor facts ------------------------------------------------------------------

TEST_F(LibvirtTest, HypervisorFactsMatchVirshVersion) {
  auto facts = ReadHypervisorFacts(*conn_, "pc-q35-7.2");
  ASSERT_TRUE(facts.ok()) << facts.error().ToString();

  CommandResult v = RunShell("virsh -c qemu:///system version --daemon");
  ASSERT_EQ(v.status, 0) << v.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(v.output, m, std::regex(R"(Running against daemon: (\d+\.\d+\.\d+))")))
      << v.output;
  EXPECT_EQ(facts->libvirt, m[1].str());
  ASSERT_TRUE(std::regex_search(v.output, m, std::regex(R"(Running hypervisor: QEMU (\d+\.\d+\.\d+))")))
      << v.output;
  EXPECT_EQ(facts->qemu, m[1].str());

  CommandResult uname = RunShell("uname -r");
  ASSERT_EQ(uname.status, 0);
  EXPECT_EQ(facts->kernel + "\n", uname.output);
  EXPECT_EQ(facts->machine, "pc-q35-7.2");
}

// --- a protected domain start, end to end ----------------------------------------------

// Makes a 4 MiB LUKS image whose passphrase is `pass` (via a 0600 file, not
// the command line). qemu-img's PBKDF calibration fails ("Unable to get
// accurate CPU usage") about half the runs on 2-core VMs: retried as often
// as vouch seal retries it (25 attempts; 4 failed together 1 time in 16).
::testing::AssertionResult MakeLuksDisk(const std::string& path, const std::string& pass_file) {
  CommandResult r;
  for (int attempt = 0; attempt < 25; ++attempt) {
    r = RunShell("qemu-img create --object secret,id=sec0,file=" + pass_file +
            " -f luks -o key-secret=sec0,iter-time=10 " + path + " 4M");
    if (r.status == 0) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "qemu-img create failed: " << r.output;
}

TEST_F(LibvirtTest, LuksDomainStartsWithTheSecretAndKeepsItsConfigDigest) {
  const std::string name = UniqueName("luks");
  const std::string secret_uuid = TrackSecret(NewUuid());
  const std::string disk = Dir() + "/disk.luks";
  const SecretBytes pass(AsBytes(Base64UrlEncode(RandomBytes(32))));
  {
    const std::string pass_file = Dir() + "/pass";
    ASSERT_TRUE(WriteFile(pass_file, pass.Expose(), 0600).ok());
    ASSERT_TRUE(MakeLuksDisk(disk, pass_file));
    std::filesystem::remove(pass_file);
  }
  const std::string xml = R"(<domain type='qemu'>
  <name>)" + name + R"(</name>
  <memory unit='MiB'>64</memory>
  <vcpu placement='static'>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file=')" + disk + R"('>
        <encryption format='luks'><secret type='passphrase' uuid=')" + secret_uuid + R"('/></encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path=')" + Dir() + R"(/serial.log'/><target port='0'/></serial>
    <channel type='unix'><source mode='bind' path=')" + Dir() + R"(/attest.sock'/>
      <target type='virtio' name='org.vouch.attest.0'/></channel>
    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
    <memballoon model='none'/>
  </devices>
</domain>)";
  DefineDomain(name, xml);
  if (HasFatalFailure()) return;
  auto inactive_xml = conn_->DomainXml(name, true);
  ASSERT_TRUE(inactive_xml.ok()) << inactive_xml.error().ToString();
  auto inactive = ParseDomainXml(*inactive_xml);
  ASSERT_TRUE(inactive.ok()) << inactive.error().ToString();
  ASSERT_EQ(inactive->disks.size(), 1u);
  EXPECT_EQ(inactive->disks[0].encryption_secret_uuid, secret_uuid);

  // The hook's step 7: the secret named by the disk's <encryption>.
  ASSERT_TRUE(conn_->DefineEphemeralSecret(inactive->disks[0].encryption_secret_uuid, "vouch: " + name, pass).ok());
  VirDomainHandle dom(virDomainLookupByName(conn_->get(), name.c_str()));
  ASSERT_TRUE(dom);
  ASSERT_EQ(virDomainCreate(dom.get()), 0) << "start with the right secret: " << virGetLastErrorMessage();

  auto live_xml = conn_->DomainXml(name, false);
  ASSERT_TRUE(live_xml.ok()) << live_xml.error().ToString();
  EXPECT_NE(live_xml->find("<alias name='virtio-disk0'/>"), std::string::npos) << "not the live XML?";
  auto live = ParseDomainXml(*live_xml);
  ASSERT_TRUE(live.ok()) << live.error().ToString();
  EXPECT_EQ(ConfigDigestOf(*live), ConfigDigestOf(*inactive)) << *inactive_xml << "\n---\n" << *live_xml;
  EXPECT_TRUE(CheckLaunchPolicy(PinnedLimitsOf(*inactive), *live).ok());
  EXPECT_EQ(*live, *inactive);

  // What `vouch reattest --enforce` and `vouch agent` use on a running domain.
  auto active = conn_->DomainIsActive(name);
  ASSERT_TRUE(active.ok()) << active.error().ToString();
  EXPECT_TRUE(*active);
  auto running = conn_->ActiveDomains();
  ASSERT_TRUE(running.ok()) << running.error().ToString();
  EXPECT_NE(std::find(running->begin(), running->end(), name), running->end());
  ASSERT_TRUE(conn_->StopDomain(name, /*destroy=*/false).ok());
  int state = -1, reason = 0;
  ASSERT_EQ(virDomainGetState(dom.get(), &state, &reason, 0), 0);
  EXPECT_EQ(state, VIR_DOMAIN_PAUSED);
  EXPECT_TRUE(conn_->DomainIsActive(name).value());  // paused is still active
  ASSERT_TRUE(conn_->StopDomain(name, /*destroy=*/true).ok());
  EXPECT_FALSE(conn_->DomainIsActive(name).value());
  running = conn_->ActiveDomains();
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(std::find(running->begin(), running->end(), name), running->end());
  auto again = conn_->StopDomain(name, /*destroy=*/false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kInvalidArgument) << again.error().ToString();

  // The secret's value is what opens the disk: a wrong one is refused by QEMU ...
  const SecretBytes wrong(AsBytes(Base64UrlEncode(RandomBytes(32))));
  ASSERT_TRUE(conn_->DefineEphemeralSecret(secret_uuid, "vouch: " + name, wrong).ok());
  ASSERT_NE(virDomainCreate(dom.get()), 0) << "started with a wrong passphrase";
  std::string err = virGetLastErrorMessage();
  EXPECT_TRUE(std::regex_search(err, std::regex("password|keyslot", std::regex::icase))) << err;

  // ... and without the secret libvirt refuses to start.
  ASSERT_TRUE(conn_->UndefineSecret(secret_uuid).ok());
  ASSERT_NE(virDomainCreate(dom.get()), 0) << "started without the secret";
  err = virGetLastErrorMessage();
  EXPECT_NE(err.find(secret_uuid), std::string::npos) << err;
}

TEST_F(LibvirtTest, ConnectionIsUsableFromSeveralThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        auto e = conn_->SecretExists(NewUuid());
        if (e.ok() && !*e) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 20);
}

// --- domain events --------------------------------------------------------------

using event_testing::EventLog;
using event_testing::KindsOf;

constexpr std::chrono::milliseconds kEventWait{30000};

// Forwards one client to libvirtd's socket until Cut() closes both sides: a
// daemon connection that breaks under its client, without touching the
// daemon other suites share.
class CuttableProxy {
 public:
  explicit CuttableProxy(const std::string& dir) : path_(dir + "/proxy-sock") {
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = UnixAddress(path_);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << path_;
    EXPECT_EQ(listen(listen_fd_, 1), 0);
    EXPECT_EQ(pipe2(cut_, O_CLOEXEC), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CuttableProxy() {
    Cut();
    close(listen_fd_);
    close(cut_[0]);
    close(cut_[1]);
    unlink(path_.c_str());
  }

  std::string uri() const { return "qemu+unix:///system?socket=" + path_; }

  void Cut() {
    if (!thread_.joinable()) return;
    EXPECT_EQ(write(cut_[1], "x", 1), 1);
    thread_.join();
  }

 private:
  static sockaddr_un UnixAddress(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    return addr;
  }

  // False once either side closed or Cut() was called.
  static bool Pump(pollfd (&fds)[3]) {
    if (poll(fds, 3, -1) < 0 || fds[2].revents != 0) return false;
    for (int from = 0; from < 2; ++from) {
      if (fds[from].revents == 0) continue;
      char buf[65536];
      ssize_t n = read(fds[from].fd, buf, sizeof(buf));
      if (n <= 0 || write(fds[1 - from].fd, buf, static_cast<size_t>(n)) != n) return false;
    }
    return true;
  }

  void Serve() {
    pollfd wait[2] = {{listen_fd_, POLLIN, 0}, {cut_[0], POLLIN, 0}};
    if (poll(wait, 2, -1) <= 0 || wait[1].revents != 0) return;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    int daemon = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = UnixAddress("/run/libvirt/libvirt-sock");
    if (client >= 0 && connect(daemon, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      pollfd fds[3] = {{client, POLLIN, 0}, {daemon, POLLIN, 0}, {cut_[0], POLLIN, 0}};
      while (Pump(fds)) {
      }
    }
    close(client);
    close(daemon);
  }

  std::string path_;
  int listen_fd_ = -1;
  int cut_[2] = {-1, -1};
  std::thread thread_;
};

TEST_F(LibvirtTest, EventWatchFollowsAQemuDomain) {
  const std::string name = UniqueName("events");
  DefineDomain(name, MinimalDomain(name));
  EventLog log;
  auto watch = DomainEventWatch::Open(kDefaultLibvirtUri, log.Callback());
  ASSERT_TRUE(watch.ok()) << watch.error().ToString();

  ASSERT_TRUE(conn_->StartDomain(name, std::chrono::seconds(60)).ok());
  ASSERT_TRUE(conn_->StopDomain(name, /*destroy=*/false).ok());
  {
    VirDomainHandle dom(virDomainLookupByName(conn_->get(), name.c_str()));
    ASSERT_EQ(virDomainResume(dom.get()), 0) << virGetLastErrorMessage();
  }
  ASSERT_TRUE(conn_->StopDomain(name, /*destroy=*/true).ok());

  using Kind = DomainEvent::Kind;
  log.WaitFor([&](const DomainEvent& e) { return e.name == name && e.kind == Kind::kStopped; }, 1,
              kEventWait);
  // libvirt 9.0 with QEMU 7.2 says more than the four calls did: "resumed"
  // (unpaused) just before "started" as the vCPUs run for the first time,
  // and "shutdown" (host, as QEMU reports the SIGTERM) before "stopped".
  const std::vector<DomainEvent> all = log.WaitFor(name, 0, std::chrono::milliseconds(0));
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().kind, Kind::kResumed) << ::testing::PrintToString(all);
  std::vector<DomainEvent> events;
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].kind != Kind::kOther) events.push_back(all[i]);
  }
  ASSERT_EQ(KindsOf(events),
            (std::vector<Kind>{Kind::kStarted, Kind::kSuspended, Kind::kResumed, Kind::kStopped}))
      << ::testing::PrintToString(all);
  EXPECT_EQ(events[0].detail, VIR_DOMAIN_EVENT_STARTED_BOOTED);
  EXPECT_EQ(events[1].detail, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
  EXPECT_EQ(events[2].detail, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
  EXPECT_EQ(events[3].detail, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
  VirDomainHandle dom(virDomainLookupByName(conn_->get(), name.c_str()));
  char uuid[VIR_UUID_STRING_BUFLEN] = "";
  ASSERT_EQ(virDomainGetUUIDString(dom.get(), uuid), 0);
  for (const DomainEvent& e : events) EXPECT_EQ(e.uuid, uuid);
}

TEST_F(LibvirtTest, EventWatchReportsTheLossOfItsConnectionOnce) {
  CuttableProxy proxy(Dir());
  EventLog log;
  auto watch = DomainEventWatch::Open(proxy.uri(), log.Callback());
  ASSERT_TRUE(watch.ok()) << watch.error().ToString();

  proxy.Cut();
  auto lost = [](const DomainEvent& e) { return e.kind == DomainEvent::Kind::kConnectionLost; };
  std::vector<DomainEvent> events = log.WaitFor(lost, 1, kEventWait);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].detail, VIR_CONNECT_CLOSE_REASON_EOF);
  EXPECT_TRUE(events[0].name.empty());
  EXPECT_TRUE(events[0].uuid.empty());

  // Closing a watch whose connection is gone is prompt, and a new one opens.
  const auto start = std::chrono::steady_clock::now();
  watch->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(log.WaitFor(lost, 2, std::chrono::milliseconds(0)).size(), 1u);
  auto reopened = DomainEventWatch::Open(kDefaultLibvirtUri, [](const DomainEvent&) {});
  EXPECT_TRUE(reopened.ok()) << reopened.error().ToString();
}

// libvirt frees a closed connection's socket on the event loop; the last
// watch's destructor runs the loop until it has.
TEST_F(LibvirtTest, ClosingTheLastEventWatchLeavesNoDescriptorOpen) {
  auto open_fds = [] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  {  // the first watch of a process creates GLib's wake-up descriptor for good
    auto first = DomainEventWatch::Open(kDefaultLibvirtUri, [](const DomainEvent&) {});
    ASSERT_TRUE(first.ok()) << first.error().ToString();
  }
  const size_t before = open_fds();
  for (int round = 0; round < 3; ++round) {
    auto watch = DomainEventWatch::Open(kDefaultLibvirtUri, [](const DomainEvent&) {});
    ASSERT_TRUE(watch.ok()) << watch.error().ToString();
  }
  EXPECT_LE(open_fds(), before);
}

}  // namespace
}  // namespace vouch::qemu
