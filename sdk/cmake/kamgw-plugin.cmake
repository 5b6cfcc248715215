# kamgw_add_plugin(<target> KIND sink|transport SOURCES <files...> [LIBRARIES <targets...>])
#
# Builds a kamgw plugin: a shared module named kamgw-<kind>-<name>.so with hidden symbols
# (only the two KAMGW_PLUGIN entry points are exported). Used in the kamgw tree and, through
# find_package(kamgw), by plugins built out of tree.
function(kamgw_add_plugin name)
  cmake_parse_arguments(ARG "" "KIND;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(sink|transport)$")
    message(FATAL_ERROR "kamgw_add_plugin(${name}): KIND must be sink or transport")
  endif()
  set(target "kamgw-${ARG_KIND}-${name}")
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE kamgw::sdk ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  elseif(DEFINED KAMGW_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${KAMGW_PLUGIN_OUTPUT_DIR}")
  endif()
  if(TARGET kamgw_build_flags)
    target_link_libraries(${target} PRIVATE kamgw_build_flags)
  endif()
  if(DEFINED KAMGW_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION "${KAMGW_PLUGIN_INSTALL_DIR}")
  endif()
  set(KAMGW_LAST_PLUGIN_TARGET ${target} PARENT_SCOPE)
endfunction()
