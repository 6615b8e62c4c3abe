# HPKE (RFC 9180) interop: vouch's hpke_tool against @hpke/core, both directions.
add_executable(hpke_tool hpke_tool.cc)
target_link_libraries(hpke_tool PRIVATE vouch::core_hpke)
add_test(NAME interop.hpke
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/hpke_interop.mjs $<TARGET_FILE:hpke_tool>)
set_tests_properties(interop.hpke PROPERTIES LABELS interop WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
