# The README's first command, guarded: e2e.demo runs scripts/demo.sh in a
# tree of its own (tracked files, nothing built), so it fails if the demo
# would from a fresh clone. The demo is the launch-gate suite on SQLite
# (launch_gate.sh --demo), so this also stands for e2e.launch_gate. It
# builds the demo's targets itself: long, so ctest starts it first (COST).
add_test(NAME e2e.demo COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/demo_guard.sh)
set_tests_properties(e2e.demo PROPERTIES LABELS e2e RESOURCE_LOCK libvirtd TIMEOUT 1500
  SKIP_RETURN_CODE 77 COST 10000)
# The demo's script refuses, in one line and at once, a build that lacks a
# binary it runs (rather than failing half-way through the story).
add_test(NAME e2e.launch_gate_needs COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/launch_gate_needs.sh)
set_tests_properties(e2e.launch_gate_needs PROPERTIES LABELS unit)
