# `vouch ledger` script test (tests/cli/ledger.sh). Include this file after
# cli/ is added (it needs the vouch target), e.g. at the end of
# cli/CMakeLists.txt: include(${PROJECT_SOURCE_DIR}/tests/cli/ledger.cmake)
if(TARGET vouch)
  add_test(NAME cli.ledger COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/ledger.sh $<TARGET_FILE:vouch>)
  set_tests_properties(cli.ledger PROPERTIES LABELS unit)
endif()
