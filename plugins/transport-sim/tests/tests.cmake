# Included from the top-level directory (see ../CMakeLists.txt), so source paths are absolute.
# GoogleTest is included here too: gtest_discover_tests() needs its script path in this scope.
include(GoogleTest)
kamgw_add_test(transport_sim_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_transport_test.cpp
  LIBRARIES kamgw_transport_sim kamgw_meter kamgw_host
  LABELS unit)
target_compile_options(transport_sim_tests PRIVATE -Wno-mismatched-new-delete)
# The plugin test loads the module from the build's plugin folder.
add_dependencies(transport_sim_tests kamgw-transport-sim)

# `kamgw sim` against the real serial and tcp transports, through the kamgw binary.
kamgw_add_test(transport_sim_cli_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_cli_test.cpp
  LABELS integration)
add_dependencies(transport_sim_cli_tests kamgw kamgw-transport-sim)
foreach(plugin IN ITEMS kamgw-transport-serial kamgw-transport-tcp)
  if(TARGET ${plugin})
    add_dependencies(transport_sim_cli_tests ${plugin})
  endif()
endforeach()
