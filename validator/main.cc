// vouchd: the validator service (DESIGN §4). See vouch/validator/daemon.h.
#include "vouch/validator/daemon.h"

int main(int argc, char** argv) { return vouch::validator::VouchdMain(argc, argv); }
