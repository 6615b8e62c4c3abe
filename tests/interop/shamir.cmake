# Shamir (DESIGN §3 Shares): vouch against the npm package shamir-secret-sharing.
add_executable(shamir_tool shamir_tool.cc)
target_link_libraries(shamir_tool PRIVATE vouch::core_shamir)
add_test(NAME interop.shamir
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/shamir_interop.mjs $<TARGET_FILE:shamir_tool>)
set_tests_properties(interop.shamir PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
