# End-to-end smoke test of the vouch test guest (vm-images/): builds the guest,
# boots it under libvirt/QEMU (TCG) with its LUKS disk unlocked by a libvirt
# secret, and checks that start fails without the right secret; then boots the
# protected variant (OVMF, vTPM, channel) and checks its measured boot.
# Needs root and the packages listed in vm-images/README.md; exits 77 (skip)
# otherwise. Starts/stops libvirtd itself if it is not running.
add_test(NAME e2e.vm_images_smoke
         COMMAND bash ${PROJECT_SOURCE_DIR}/vm-images/smoke-test.sh)
set_tests_properties(e2e.vm_images_smoke PROPERTIES
                     LABELS e2e
                     RESOURCE_LOCK libvirtd
                     TIMEOUT 300
                     ENVIRONMENT "VOUCH_CLI=$<TARGET_FILE:vouch>"
                     SKIP_RETURN_CODE 77)
