#include "measure/testing/swtpm_process.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "vouch/core/bytes.h"
#include "vouch/core/ssl_ptr.h"

extern char** environ;

namespace vouch::testing {
namespace {

constexpr int kLaunchAttempts = 5;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

bool CanBind(uint16_t port) {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(port);
  return s.get() >= 0 && ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
}

// A port P such that P and P + 1 were both free a moment ago.
uint16_t PickPortPair() {
  for (int i = 0; i < 64; ++i) {
    Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a = Loopback(0);
    socklen_t len = sizeof(a);
    if (s.get() < 0 || ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      continue;
    }
    uint16_t p = ntohs(a.sin_port);
    if (p < 1024 || p == 65535) continue;
    if (CanBind(static_cast<uint16_t>(p + 1))) return p;
  }
  return 0;
}

bool Accepts(uint16_t port) {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(port);
  return s.get() >= 0 && ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
}

std::string LogTail(const std::string& path) {
  auto log = ReadFile(path);
  if (!log.ok()) return "(no log)";
  std::string text = ToString(*log);
  if (text.size() > 400) text = "…" + text.substr(text.size() - 400);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "(empty log)" : text;
}

}  // namespace

Result<std::unique_ptr<SwtpmProcess>> SwtpmProcess::Start(const std::string& state_dir,
                                                          const SwtpmOptions& options) {
  std::string dir = state_dir;
  bool owns = false;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vouch-swtpm-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return Error(Code::kIo, StrCat("cannot create a temporary swtpm state directory: ",
                                     std::strerror(errno)));
    }
    dir = tmpl;
    owns = true;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error(Code::kIo,
                   StrCat("cannot create swtpm state directory '", dir, "': ", ec.message()));
    }
    // swtpm must see an absolute path (with --daemon it would chdir to /).
    dir = std::filesystem::absolute(dir).string();
  }
  std::unique_ptr<SwtpmProcess> p(new SwtpmProcess(dir, owns));
  if (!options.ek_ca_dir.empty()) VOUCH_RETURN_IF_ERROR(p->Manufacture(options.ek_ca_dir));
  VOUCH_RETURN_IF_ERROR(p->Launch());
  return p;
}

Status SwtpmProcess::Manufacture(const std::string& ca_dir_in) const {
  std::error_code ec;
  if (std::filesystem::exists(state_dir_ + "/tpm2-00.permall", ec)) return Ok();
  std::filesystem::create_directories(ca_dir_in, ec);
  if (ec) {
    return Error(Code::kIo,
                 StrCat("cannot create EK CA directory '", ca_dir_in, "': ", ec.message()));
  }
  std::string ca_dir = std::filesystem::absolute(ca_dir_in).string();
  // swtpm_localca makes the root CA and the issuer on first use; its lock
  // file lets several swtpm_setup runs share the directory.
  std::string localca_conf = StrCat("statedir = ", ca_dir, "\n",
                                    "signingkey = ", ca_dir, "/signkey.pem\n",
                                    "issuercert = ", ca_dir, "/issuercert.pem\n",
                                    "certserial = ", ca_dir, "/certserial\n");
  std::string setup_conf = StrCat("create_certs_tool = /usr/bin/swtpm_localca\n",
                                  "create_certs_tool_config = ", ca_dir, "/localca.conf\n",
                                  "create_certs_tool_options = /etc/swtpm-localca.options\n",
                                  "active_pcr_banks = sha256\n");
  VOUCH_RETURN_IF_ERROR(WriteFile(ca_dir + "/localca.conf", AsBytes(localca_conf), 0600));
  VOUCH_RETURN_IF_ERROR(WriteFile(ca_dir + "/setup.conf", AsBytes(setup_conf), 0600));
  std::vector<std::string> argv = {"swtpm_setup",
                                   "--tpm2",
                                   "--tpmstate",
                                   state_dir_,
                                   "--create-ek-cert",
                                   "--create-platform-cert",
                                   "--lock-nvram",
                                   "--config",
                                   ca_dir + "/setup.conf",
                                   "--overwrite"};
  VOUCH_ASSIGN_OR_RETURN(CommandResult r, RunCommand(argv));
  if (!r.ok()) {
    std::string out = r.output;
    if (out.size() > 600) out = "…" + out.substr(out.size() - 600);
    return Error(Code::kUnavailable, StrCat("swtpm_setup in '", state_dir_, "' exited with ",
                                            r.exit_code, ": ", out));
  }
  return Ok();
}

Status SwtpmProcess::Launch() {
  std::string log_path = state_dir_ + "/swtpm.log";
  std::string last_failure = "no free port pair found";
  for (int attempt = 0; attempt < kLaunchAttempts; ++attempt) {
    uint16_t port = PickPortPair();
    if (port == 0) continue;
    std::vector<std::string> argv = {"swtpm",
                                     "socket",
                                     "--tpm2",
                                     "--server",
                                     StrCat("type=tcp,port=", port, ",bindaddr=127.0.0.1"),
                                     "--ctrl",
                                     StrCat("type=tcp,port=", port + 1, ",bindaddr=127.0.0.1"),
                                     "--flags",
                                     "not-need-init,startup-clear",
                                     "--tpmstate",
                                     StrCat("dir=", state_dir_),
                                     "--pid",
                                     StrCat("file=", state_dir_, "/pid")};
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, "swtpm", &actions, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      return Error(Code::kUnavailable,
                   StrCat("cannot run swtpm: ", std::strerror(rc), " (install the swtpm package)"));
    }
    pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      if (Accepts(port)) {
        port_ = port;
        tcti_ = StrCat("swtpm:host=127.0.0.1,port=", port);
        return Ok();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!exited) Stop();
    pid_ = -1;
    last_failure = exited ? StrCat("swtpm exited at start: ", LogTail(log_path))
                          : StrCat("swtpm did not accept connections on port ", port, " within ",
                                   kStartTimeout.count(), " s: ", LogTail(log_path));
    // Most likely another process took the port in between; try other ports.
  }
  return Error(Code::kUnavailable, StrCat("swtpm in '", state_dir_, "' did not start after ",
                                          kLaunchAttempts, " attempts; last: ", last_failure));
}

void SwtpmProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
}

Status SwtpmProcess::Restart() {
  Stop();
  return Launch();
}

SwtpmProcess::~SwtpmProcess() {
  Stop();
  if (owns_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }
}

Result<CommandResult> SwtpmProcess::RunTpm2Tool(const std::vector<std::string>& argv) const {
  std::vector<std::string> env = {StrCat("TPM2TOOLS_TCTI=", tcti_)};
  VOUCH_ASSIGN_OR_RETURN(CommandResult result, RunCommand(argv, env));
  for (const char* what : {"-t", "-l", "-s"}) {
    VOUCH_ASSIGN_OR_RETURN(CommandResult flushed, RunCommand({"tpm2_flushcontext", what}, env));
    if (!flushed.ok()) {
      return Error(Code::kUnavailable, StrCat("tpm2_flushcontext ", what, " after '",
                                              CommandLine(argv), "' failed: ", flushed.output));
    }
  }
  return result;
}

Result<std::vector<Bytes>> ReadEkCaCertificates(const std::string& ca_dir) {
  std::vector<Bytes> out;
  for (const char* name : {"swtpm-localca-rootca-cert.pem", "issuercert.pem"}) {
    std::string path = StrCat(ca_dir, "/", name);
    VOUCH_ASSIGN_OR_RETURN(Bytes pem, ReadFile(path));
    SslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    SslPtr<X509> cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    uint8_t* der = nullptr;
    int len = cert ? i2d_X509(cert.get(), &der) : -1;
    if (len <= 0) {
      ERR_clear_error();
      return Error(Code::kMalformed, StrCat("'", path, "' is not a PEM certificate"));
    }
    out.emplace_back(der, der + len);
    OPENSSL_free(der);
  }
  return out;
}

}  // namespace vouch::testing
