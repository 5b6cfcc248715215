# Included at the end of the top-level CMakeLists.txt (see ../CMakeLists.txt), in the top-level
# scope, where tests/' imported GTest targets are not visible: find them here again.
find_package(GTest REQUIRED)
include(GoogleTest)
kamgw_add_test(transport_serial_unit_test
               SOURCES ${CMAKE_CURRENT_LIST_DIR}/serial_line_test.cpp ${CMAKE_CURRENT_LIST_DIR}/port_lock_test.cpp
               LIBRARIES kamgw_transport_serial_line LABELS unit)
