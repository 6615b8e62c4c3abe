# W3C VC 2.0 with Data Integrity eddsa-jcs-2022 (DESIGN §3 "JSON forms (W3C)"):
# `vouch vc export` / `vouch vc verify` against @digitalbazaar/vc,
# @digitalbazaar/data-integrity and @digitalbazaar/eddsa-jcs-2022-cryptosuite.
add_test(NAME interop.vc
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/vc_interop.mjs $<TARGET_FILE:vouch>)
set_tests_properties(interop.vc PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
