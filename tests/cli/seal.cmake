# `vouch seal` in --xml/--bundle-out mode, without libvirtd or a TPM
# (tests/cli/seal.sh): every bad input refused before anything is written,
# no overwrite without --force, the passphrase only in a memfd. Included from
# cli/CMakeLists.txt.
if(TARGET vouch AND TARGET vouchd)
  add_test(NAME cli.seal COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/seal.sh $<TARGET_FILE:vouch> $<TARGET_FILE:vouchd>)
  set_tests_properties(cli.seal PROPERTIES LABELS unit)
endif()
