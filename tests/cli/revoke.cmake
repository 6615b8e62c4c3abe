# `vouch revoke` script test (tests/cli/revoke.sh), included from cli/CMakeLists.txt.
if(TARGET vouch)
  add_test(NAME cli.revoke COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/revoke.sh $<TARGET_FILE:vouch> ${PROJECT_SOURCE_DIR})
  set_tests_properties(cli.revoke PROPERTIES LABELS unit)
endif()
