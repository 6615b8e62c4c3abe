# W3C JSON forms (DESIGN §3 "JSON forms (W3C)"): `vouch did resolve` against
# @digitalbazaar/did-method-key, and core/jcs (via jcs_tool) against the npm
# reference JCS implementation canonicalize.
add_executable(jcs_tool jcs_tool.cc)
target_link_libraries(jcs_tool PRIVATE vouch::core_jcs)
add_test(NAME interop.did
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/did_interop.mjs $<TARGET_FILE:vouch> $<TARGET_FILE:jcs_tool>)
set_tests_properties(interop.did PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
