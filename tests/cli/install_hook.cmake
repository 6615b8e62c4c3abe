# `vouch host install-hook` on a temporary hooks directory
# (tests/cli/install_hook.sh). Included from cli/CMakeLists.txt.
if(TARGET vouch)
  add_test(NAME cli.install_hook COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install_hook.sh $<TARGET_FILE:vouch>)
  set_tests_properties(cli.install_hook PROPERTIES LABELS unit)
endif()
