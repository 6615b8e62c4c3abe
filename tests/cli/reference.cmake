# `vouch reference` and the ledger's reference entries (tests/cli/reference.sh).
# Included from cli/CMakeLists.txt (it needs the vouch target).
if(TARGET vouch)
  add_test(NAME cli.reference
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/reference.sh $<TARGET_FILE:vouch> ${PROJECT_SOURCE_DIR}/measure/testdata/eventlog)
  set_tests_properties(cli.reference PROPERTIES LABELS unit)
endif()
