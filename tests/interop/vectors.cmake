# The published vector set (vouch vectors DIR, and docs/vectors/) verified
# with independent libraries only.
add_test(NAME interop.vectors
  COMMAND ${NODE} ${CMAKE_CURRENT_SOURCE_DIR}/vectors_interop.mjs $<TARGET_FILE:vouch>)
set_tests_properties(interop.vectors PROPERTIES LABELS interop
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
