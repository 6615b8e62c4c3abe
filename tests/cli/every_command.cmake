# Every command's --help, --version, file inputs that are not files, and
# --json output (tests/cli/every_command.sh). Included from cli/CMakeLists.txt.
add_test(NAME cli.every_command COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/every_command.sh ${PROJECT_BINARY_DIR})
set_tests_properties(cli.every_command PROPERTIES LABELS unit TIMEOUT 300)
