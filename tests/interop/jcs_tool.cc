// jcs_tool: drives vouch's JCS (core/jcs) for tests/interop/did_interop.mjs.
//
//   jcs_tool < TEXTS    reads one JSON text per line; for each writes one
//                       line: its RFC 8785 canonical form, or
//                       "error: <code-name>: <message>" if vouch refuses it
//
// JSON.stringify writes no raw newline, and neither does JCS (a newline in
// a string is written \n), so lines pair up one to one. Exits 0 after the
// last line; 2 on a usage error.
#include <cstdio>
#include <iostream>
#include <string>

#include "vouch/core/jcs.h"

int main(int argc, char** /*argv*/) {
  if (argc != 1) {
    std::fprintf(stderr, "usage: jcs_tool < ONE-JSON-TEXT-PER-LINE\n");
    return 2;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    vouch::Result<nlohmann::json> value = vouch::ParseJsonStrict(line);
    vouch::Result<std::string> canonical =
        value.ok() ? vouch::CanonicalJson(*value) : vouch::Result<std::string>(value.error());
    if (canonical.ok()) {
      std::cout << *canonical << '\n';
    } else {
      std::cout << "error: " << canonical.error().ToString() << '\n';
    }
  }
  std::cout.flush();
  return 0;
}
