# `vouch vc status-list`, `vc verify --status` and `did resolve --ledger`
# over a real SQLite ledger (tests/cli/status.sh), included from cli/CMakeLists.txt.
if(TARGET vouch)
  add_test(NAME cli.status COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/status.sh $<TARGET_FILE:vouch>)
  set_tests_properties(cli.status PROPERTIES LABELS unit)
endif()
