// vouch-agent: the host daemon (cli/agent_command.cc), a thin main.
#include <string>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return vouch::cli::AgentCommand(args);
}
