# The launch gate end to end (DESIGN §2 Register + Seal + Start): real
# libvirtd, QEMU, swtpm, five vouchd, vouch-hook installed as a libvirt hook;
# hosts, validators and revocations on the ledger. The same suite runs on
# the embedded SQLite ledger and on a 3-member etcd cluster.
# A misbehaving host (replay, stale challenge, other domain, other TPM),
# driven by launch_gate.sh.
add_executable(attest_probe ${CMAKE_CURRENT_SOURCE_DIR}/attest_probe.cc)
target_link_libraries(attest_probe PRIVATE vouch::host)

# On SQLite the suite runs as the demo, from a clean tree (demo.cmake:
# e2e.demo); here on etcd.
add_test(NAME e2e.launch_gate_etcd COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/launch_gate.sh ${PROJECT_BINARY_DIR})
set_tests_properties(e2e.launch_gate_etcd PROPERTIES LABELS "e2e;etcd" RESOURCE_LOCK libvirtd TIMEOUT 900
  SKIP_RETURN_CODE 77 ENVIRONMENT VOUCH_E2E_LEDGER=etcd)
