# W3C VC 2.0 as application/vc+cose (DESIGN §3 "JSON forms (W3C)"): `vouch vc
# export --format vc+cose` / `vouch vc verify` against @noble/curves, cbor-x
# and canonicalize with the COSE structures and VC 2.0 rules written in the
# script, both directions.
add_test(NAME interop.vc_cose
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/vc_cose_interop.mjs $<TARGET_FILE:vouch>)
set_tests_properties(interop.vc_cose PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
