# Included from the top-level directory (see ../CMakeLists.txt), so source paths are absolute.
kamgw_add_test(sink_csv_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/csv_format_test.cpp ${CMAKE_CURRENT_LIST_DIR}/csv_output_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/csv_plugin_test.cpp
  LIBRARIES kamgw_sink_csv_core kamgw_host
  LABELS unit)
add_dependencies(sink_csv_test kamgw-sink-csv)
