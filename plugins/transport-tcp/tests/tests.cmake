# Included at the end of the top-level CMakeLists.txt (see ../CMakeLists.txt), in the top-level
# scope, where tests/' imported GTest targets are not visible: find them here again.
find_package(GTest REQUIRED)
include(GoogleTest)
kamgw_add_test(transport_tcp_unit_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/host_port_test.cpp ${CMAKE_CURRENT_LIST_DIR}/tcp_link_test.cpp
               LIBRARIES kamgw_transport_net LABELS unit)
