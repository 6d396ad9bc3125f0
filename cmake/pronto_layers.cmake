# pronto_layers.cmake — the library is built from layers, one CMake OBJECT
# library each, combined into the one `pronto` library (docs/design.md,
# "Layers"):
#
#   wire <- h2 <- transport <- call <- metrics <- server  <- services, admin <- assembly
#                                              <- client  <-
#
# pronto_layer(<name> [DEPENDS <lower layer>...] [LINK <imported target>...]
#              [SOURCES <file>...])
#
# defines the layer target pronto_<name> (an OBJECT library over SOURCES,
# relative to the calling directory) and adds its objects to `pronto`.
# DEPENDS names the layers directly below it (PRIVATE, one way: a layer may
# only name layers defined before it, so a cycle cannot be written down).
# LINK names what the layer's code calls outside pronto; it is linked
# PRIVATE into the layer and into `pronto`. A layer without sources yet
# (src/call while it is being filled) is an INTERFACE target with no
# objects, so the build works before and after its files arrive.
#
# CMake cannot stop `#include "client/x.h"` from src/transport (every layer
# sees src/ on its include path): cmake/check_layers.py does, as part of the
# build (target pronto_layer_check, see the top-level CMakeLists.txt).

set_property(GLOBAL PROPERTY PRONTO_LAYERS "")

function(pronto_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 L "" "" "DEPENDS;LINK;SOURCES")
  if(L_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pronto_layer(${name}): unexpected arguments: ${L_UNPARSED_ARGUMENTS}")
  endif()
  get_property(defined GLOBAL PROPERTY PRONTO_LAYERS)
  foreach(dep IN LISTS L_DEPENDS)
    if(NOT dep IN_LIST defined)
      message(FATAL_ERROR "pronto_layer(${name}): DEPENDS ${dep}, which is not a layer defined "
                          "before it (defined so far: ${defined}); dependencies go one way, downward")
    endif()
  endforeach()
  set(target pronto_${name})
  if(L_SOURCES)
    add_library(${target} OBJECT ${L_SOURCES})
    set(scope PRIVATE)
    # Same include order as the old single library (ccache hits across the change).
    target_include_directories(${target} PRIVATE "${PROJECT_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/src")
    target_compile_features(${target} PRIVATE cxx_std_20)
    target_compile_options(${target} PRIVATE ${PRONTO_TARGET_COMPILE_OPTIONS})
    if(PRONTO_SHARED)
      set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    endif()
    target_sources(pronto PRIVATE $<TARGET_OBJECTS:${target}>)
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  foreach(dep IN LISTS L_DEPENDS)
    target_link_libraries(${target} ${scope} pronto_${dep})
  endforeach()
  if(L_LINK)
    target_link_libraries(${target} ${scope} ${L_LINK})
    target_link_libraries(pronto PRIVATE ${L_LINK})
  endif()
  set_property(GLOBAL APPEND PROPERTY PRONTO_LAYERS ${name})
  set_property(GLOBAL PROPERTY PRONTO_LAYER_${name}_DEPENDS "${L_DEPENDS}")
endfunction()
