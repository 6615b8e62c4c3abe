#include "vouch/core/run_program.h"

#include <spawn.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace vouch {

Result<ProgramResult> RunProgram(const std::vector<std::string>& argv, const std::vector<int>& inherit_fds) {
  for (int fd : inherit_fds) {
    if (fd <= STDERR_FILENO) {
      return Error(Code::kInvalidArgument, StrCat("cannot pass descriptor ", fd, " to '", argv[0],
                                                  "': 0, 1 and 2 are the child's stdio"));
    }
  }
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return Error(Code::kIo, "cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // dup2 onto itself clears FD_CLOEXEC in the child only (POSIX; glibc ≥ 2.29).
  for (int fd : inherit_fds) posix_spawn_file_actions_adddup2(&actions, fd, fd);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  if (rc != 0) {
    close(pipefd[0]);
    return Error(Code::kIo, StrCat("cannot run '", argv[0], "': ", std::strerror(rc)));
  }
  ProgramResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof(buf))) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace vouch
