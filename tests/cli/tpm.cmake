# `vouch tpm pcrs|quote|verify-quote` against a swtpm the script starts on
# free ports (tests/cli/tpm.sh). Included from cli/CMakeLists.txt.
if(TARGET vouch)
  add_test(NAME cli.tpm COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/tpm.sh $<TARGET_FILE:vouch>)
  set_tests_properties(cli.tpm PROPERTIES LABELS tpm)
endif()
