// The Proxmox hookscript's checks before any validator is asked, played as
// the party who edits VM configs (a second VM reaching for the first one's
// key, a protected VM changed after its seal, a key directory others may
// enter), and its cleanup of the key file. The release itself, against real
// validators and a real QEMU, is tests/e2e/scenes/proxmox.sh.
#include "vouch/host/pve_hook.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>

#include "host/testing/sham_bundle.h"
#include "measure/testing/temp_dir.h"
#include "vouch/core/run_program.h"
#include "vouch/qemu/launch_policy.h"
#include "vouch/qemu/pve_config.h"

namespace vouch::host {
namespace {

using testing::TempDir;

constexpr const char* kUuid = "5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a88";
constexpr int64_t kNow = 1764000000;

class PveHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = dir_ / "keys";
    config_ = dir_ / "hook.conf";
    ASSERT_EQ(::mkdir((dir_ / "qemu-server").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((dir_ / "domains").c_str(), 0700), 0);
    WriteConfig("");
  }

  void WriteConfig(const std::string& extra) {
    ASSERT_TRUE(WriteFile(config_,
                          AsBytes(StrCat("pve_config_dir = ", dir_ / "qemu-server", "\npve_key_dir = ", keys_,
                                         "\nbundle_dir = ", dir_ / "domains", "\nstate_dir = ", dir_ / "state",
                                         "\naudit_dir = ", dir_ / "audit", "\nhost_key = ", dir_ / "host.pem",
                                         "\n", extra)),
                          0600)
                    .ok());
  }

  // VM `vmid`'s config, its LUKS disk keyed by `key_file` (its own by default).
  void WriteVm(const std::string& vmid, const std::string& memory = "512", std::string key_file = "") {
    if (key_file.empty()) key_file = StrCat(keys_, "/", vmid, ".key");
    std::string text = StrCat("memory: ", memory, "\nsmbios1: uuid=", kUuid,
                              "\nargs: -object secret,id=vk,file=", key_file,
                              ",format=raw -blockdev driver=luks,node-name=v0,key-secret=vk,file.driver=file,"
                              "file.filename=/var/lib/vz/images/",
                              vmid, ".luks -device virtio-blk-pci,drive=v0\n");
    ASSERT_TRUE(WriteFile(dir_ / StrCat("qemu-server/", vmid, ".conf"), AsBytes(text), 0600).ok());
  }

  // The bundle `vouch seal --pve-config` would write for VM `vmid` as it is
  // now (the shares are never opened here).
  void Seal(const std::string& vmid) {
    auto text = ReadFile(dir_ / StrCat("qemu-server/", vmid, ".conf"));
    ASSERT_TRUE(text.ok());
    auto vm = qemu::ParsePveConfig(ToString(*text), vmid);
    ASSERT_TRUE(vm.ok()) << vm.error().ToString();
    OwnerPolicy p;
    p.domain_uuid = vm->uuid;
    p.rt = qemu::PinnedLimitsOf(*vm);
    p.threshold = 2;
    auto bundle = vouch::testing::ShamBundle(p, vouch::testing::FreshValidatorDids(2));
    ASSERT_TRUE(bundle.ok()) << bundle.error().ToString();
    ASSERT_TRUE(WriteFile(dir_ / StrCat("domains/", vm->uuid, ".bundle"), *bundle, 0600).ok());
  }

  Status Run(const std::string& vmid, const std::string& phase) { return RunPveHook(config_, vmid, phase, kNow); }

  static bool Exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
  }

  TempDir dir_;
  std::string keys_, config_;
};

void ExpectRefused(const Status& s, const std::string& says) {
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find(says), std::string::npos) << s.error().message();
  EXPECT_EQ(s.error().message().find('\n'), std::string::npos) << s.error().message();
}

TEST_F(PveHookTest, AVmidIsDigitsOnly) {
  for (const char* vmid : {"", "../100", "100/../../etc", "abc", "1234567890", "-1"}) {
    ExpectRefused(Run(vmid, "pre-start"), "is not a Proxmox VMID");
  }
}

TEST_F(PveHookTest, AnUnprotectedVmStartsAndGetsNoKey) {
  WriteVm("100");
  EXPECT_TRUE(Run("100", "pre-start").ok());
  EXPECT_FALSE(Exists(keys_));
  EXPECT_TRUE(Run("100", "post-start").ok());
  EXPECT_TRUE(Run("100", "pre-stop").ok());
  EXPECT_TRUE(Run("100", "post-stop").ok());
}

// VM 101 names VM 100's key file: started while 100's key waits for its
// QEMU, it would read that key. Refused whether 101 is protected or not.
TEST_F(PveHookTest, AVmNamingAnotherVmsKeyFileIsRefused) {
  WriteVm("101", "512", StrCat(keys_, "/100.key"));
  ExpectRefused(Run("101", "pre-start"), StrCat("its args name '", keys_, "/100.key', another VM's key file"));
  Seal("101");
  ExpectRefused(Run("101", "pre-start"), "another VM's key file");
}

TEST_F(PveHookTest, AProtectedVmChangedAfterItsSealIsRefusedBeforeAnyValidator) {
  WriteVm("100");
  Seal("100");
  WriteVm("100", "65536");
  ExpectRefused(Run("100", "pre-start"), "not released: memory");
  EXPECT_FALSE(Exists(StrCat(keys_, "/100.key")));
}

TEST_F(PveHookTest, AProtectedVmsLuksDiskMustReadTheKeyFile) {
  const std::string text = StrCat("smbios1: uuid=", kUuid,
                                  "\nargs: -object secret,id=vk,file=/tmp/elsewhere.key -blockdev "
                                  "driver=luks,node-name=v0,key-secret=vk,file.filename=/x.luks\n");
  ASSERT_TRUE(WriteFile(dir_ / "qemu-server/100.conf", AsBytes(text), 0600).ok());
  Seal("100");
  ExpectRefused(Run("100", "pre-start"),
                StrCat("LUKS disk 'v0' must take key-secret from -object secret,id=vk,file=", keys_, "/100.key"));
  ASSERT_TRUE(WriteFile(dir_ / "qemu-server/100.conf", AsBytes(StrCat("smbios1: uuid=", kUuid, "\n")), 0600).ok());
  Seal("100");
  ExpectRefused(Run("100", "pre-start"), "no LUKS disk in its args");
}

// The key file's name is predictable; its directory must not be anyone
// else's to prepare (a symlink, a 0755 directory).
TEST_F(PveHookTest, AKeyDirectoryOthersMayEnterIsRefused) {
  WriteVm("100");
  Seal("100");
  ASSERT_EQ(::mkdir(keys_.c_str(), 0755), 0);
  ExpectRefused(Run("100", "pre-start"), "must be a directory that only its owner");
  ASSERT_EQ(::rmdir(keys_.c_str()), 0);
  ASSERT_EQ(::mkdir((dir_ / "elsewhere").c_str(), 0700), 0);
  ASSERT_EQ(::symlink((dir_ / "elsewhere").c_str(), keys_.c_str()), 0);
  ExpectRefused(Run("100", "pre-start"), "not a directory");
}

TEST_F(PveHookTest, PostStartAndPostStopRemoveTheKeyFile) {
  WriteVm("100");
  ASSERT_EQ(::mkdir(keys_.c_str(), 0700), 0);
  for (const char* phase : {"post-start", "post-stop"}) {
    ASSERT_TRUE(WriteFile(StrCat(keys_, "/100.key"), AsBytes("k"), 0600).ok());
    EXPECT_TRUE(Run("100", phase).ok());
    EXPECT_FALSE(Exists(StrCat(keys_, "/100.key"))) << phase;
  }
}

// A hook.conf that does not parse refuses a start (it may name the bundle
// dir) but never blocks the cleanup after a stop.
TEST_F(PveHookTest, ABrokenHookConfigRefusesTheStartButNotTheCleanup) {
  WriteVm("100");
  WriteConfig("pve_key_dri = /tmp\n");
  ExpectRefused(Run("100", "pre-start"), "VM 100 not started: hook config");
  EXPECT_TRUE(Run("100", "post-stop").ok());
}

TEST_F(PveHookTest, AConfigThatIsNotAFileIsOneLine) {
  ASSERT_EQ(::mkdir((dir_ / "qemu-server/100.conf").c_str(), 0700), 0);
  ExpectRefused(Run("100", "pre-start"), "VM 100 not started: its config");
  ExpectRefused(Run("200", "pre-start"), "VM 200 not started: its config");
}

TEST(EmulatorFactsTest, ReadsTheVersionTheEmulatorPrints) {
  auto printed = RunProgram({"qemu-system-x86_64", "--version"});
  ASSERT_TRUE(printed.ok());
  auto facts = EmulatorFacts("qemu-system-x86_64", "q35");
  ASSERT_TRUE(facts.ok()) << facts.error().ToString();
  EXPECT_NE(printed->output.find(StrCat("version ", facts->qemu)), std::string::npos) << printed->output;
  EXPECT_EQ(facts->machine, "q35");
  EXPECT_EQ(facts->libvirt, "");
  EXPECT_FALSE(facts->kernel.empty());
  EXPECT_EQ(EmulatorFacts("/bin/false", "").error().code(), Code::kUnavailable);
  EXPECT_EQ(EmulatorFacts("/nonexistent/kvm", "").error().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace vouch::host
