# The launch gate end to end (DESIGN §2 Seal + Start): real libvirtd, QEMU,
# swtpm, five vouchd, vouch-hook installed as a libvirt hook.
add_test(NAME e2e.launch_gate COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/launch_gate.sh ${PROJECT_BINARY_DIR})
set_tests_properties(e2e.launch_gate PROPERTIES LABELS e2e RESOURCE_LOCK libvirtd TIMEOUT 900
  SKIP_RETURN_CODE 77)
