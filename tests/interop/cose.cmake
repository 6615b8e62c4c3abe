# COSE_Sign1 and RFC 9338 countersignatures (DESIGN §3 Host VC, Endorsement):
# vouch against @noble/curves (Ed25519, P-256) and cbor-x, both directions.
add_executable(cose_tool cose_tool.cc)
target_link_libraries(cose_tool PRIVATE vouch::core_cose)
add_test(NAME interop.cose
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/cose_interop.mjs $<TARGET_FILE:cose_tool>)
set_tests_properties(interop.cose PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
