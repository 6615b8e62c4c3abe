# `vouch vc export|verify` script test (tests/cli/vc.sh), included from cli/CMakeLists.txt.
if(TARGET vouch)
  add_test(NAME cli.vc COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/vc.sh $<TARGET_FILE:vouch>)
  set_tests_properties(cli.vc PROPERTIES LABELS unit)
endif()
