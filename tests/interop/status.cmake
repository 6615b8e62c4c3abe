# Revocation as a W3C Bitstring Status List (DESIGN §3 "Revocation as a
# status list"): `vouch vc status-list` against @digitalbazaar/vc-bitstring-status-list
# (decoding, checkStatus) and the list's proof against @digitalbazaar/vc +
# eddsa-jcs-2022-cryptosuite.
add_test(NAME interop.status
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/status_interop.mjs $<TARGET_FILE:vouch>)
set_tests_properties(interop.status PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
