// vouchd-byzantine: vouchd that also takes --fault=NAME (fault.h), so the
// end-to-end tests can run a Byzantine validator and show hosts detect it.
// A test binary: never installed, never deployed; the real vouchd refuses
// --fault and "fault =" as unknown.
#include "vouch/validator/daemon.h"

int main(int argc, char** argv) {
  vouch::validator::VouchdFlagOptions options;
  options.allow_fault = true;
  return vouch::validator::VouchdMain(argc, argv, options);
}
