# kamgw_add_test(): how every test executable in the tree is declared, plugins' tests included.
# Included by the top-level CMakeLists.txt before plugins/ and tests/ are read.
# kamgw_add_test(<name> SOURCES … [LIBRARIES …] [LABELS unit|integration …] [TIMEOUT s])
# One gtest executable; each TEST() becomes a ctest test with the given labels.
function(kamgw_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE kamgw_test_support GTest::gmock GTest::gtest_main kamgw_build_flags
                        ${ARG_LIBRARIES})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  # gtest_discover_tests (CMake 3.25) splits a list-valued ENVIRONMENT property into separate
  # properties, so only the first variable would arrive; run the tests through env instead.
  set_target_properties(${name} PROPERTIES CROSSCOMPILING_EMULATOR
    "/usr/bin/env;KAMGW_BINARY=${CMAKE_BINARY_DIR}/bin/kamgw;KAMGW_PLUGIN_DIR=${KAMGW_PLUGIN_OUTPUT_DIR};KAMGW_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 30)
endfunction()
