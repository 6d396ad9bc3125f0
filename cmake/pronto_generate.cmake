# pronto_generate(TARGET <target> PROTOS <a.proto>... [IMPORT_DIRS <dir>...]
#                 [NO_LINK])
#
# Runs protoc with protoc-gen-pronto on each proto (see docs/codegen.md) and
# adds the generated X.pb.cc and X.pronto.cc to <target>, the output
# directory to its include path, and links pronto::pronto and
# protobuf::libprotobuf (all PUBLIC, so users of <target> can include the
# generated headers). NO_LINK links nothing (for pronto's own layers, which
# are part of pronto: src/services).
#
# Outputs go to ${CMAKE_CURRENT_BINARY_DIR}/pronto_gen, keeping each proto's
# path relative to its import dir: with IMPORT_DIRS protos, the file
# protos/a/b/thing.proto yields pronto_gen/a/b/thing.pronto.h, included as
# "a/b/thing.pronto.h". Each proto's import dir (its root) is the first of
# IMPORT_DIRS that contains it; without IMPORT_DIRS it is the directory of
# the first proto. Relative paths are relative to CMAKE_CURRENT_SOURCE_DIR.
# Imports found through IMPORT_DIRS are only read: generate them too if
# their messages need code (list them in PROTOS).
#
# Included by the top-level CMakeLists.txt before any target exists, and by
# the installed prontoConfig.cmake (find_package(pronto)): this file only
# defines functions. The plugin and library are pronto::protoc-gen-pronto
# and pronto::pronto: built in this tree (add_subdirectory(pronto) too) or
# imported by find_package(pronto). protoc is protobuf::protoc, or
# Protobuf_PROTOC_EXECUTABLE (find_package(Protobuf)).

function(_pronto_path_is_under path dir out)
  file(RELATIVE_PATH rel "${dir}" "${path}")
  if(rel MATCHES "^\\.\\./" OR rel STREQUAL ".." OR IS_ABSOLUTE "${rel}")
    set(${out} FALSE PARENT_SCOPE)
  else()
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

function(pronto_generate)
  cmake_parse_arguments(PARSE_ARGV 0 PG "NO_LINK" "TARGET" "PROTOS;IMPORT_DIRS")
  if(NOT PG_TARGET)
    message(FATAL_ERROR "pronto_generate: TARGET is required")
  endif()
  if(NOT PG_PROTOS)
    message(FATAL_ERROR "pronto_generate: PROTOS is required")
  endif()
  if(PG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pronto_generate: unexpected arguments: ${PG_UNPARSED_ARGUMENTS}")
  endif()

  if(TARGET protobuf::protoc)
    set(protoc "$<TARGET_FILE:protobuf::protoc>")
    set(protoc_dep protobuf::protoc)
  elseif(Protobuf_PROTOC_EXECUTABLE)
    set(protoc "${Protobuf_PROTOC_EXECUTABLE}")
    set(protoc_dep "${Protobuf_PROTOC_EXECUTABLE}")
  else()
    message(FATAL_ERROR "pronto_generate: protoc not found (find_package(Protobuf) first)")
  endif()

  # The plugin and the library, wherever they come from (an alias of the
  # in-tree target, or an imported one; plain names for bench/'s imports).
  set(plugin "")
  foreach(candidate pronto::protoc-gen-pronto protoc-gen-pronto)
    if(TARGET ${candidate})
      get_target_property(aliased ${candidate} ALIASED_TARGET)
      if(aliased)
        set(plugin ${aliased})
      else()
        set(plugin ${candidate})
      endif()
      break()
    endif()
  endforeach()
  if(NOT plugin)
    message(FATAL_ERROR "pronto_generate: no protoc-gen-pronto target (find_package(pronto) first)")
  endif()
  if(PG_NO_LINK)
    set(library "")
  elseif(TARGET pronto::pronto)
    set(library pronto::pronto)
  elseif(TARGET pronto)
    set(library pronto)
  else()
    message(FATAL_ERROR "pronto_generate: no pronto library target (find_package(pronto) first)")
  endif()

  # Import dirs as absolute paths; the first one is the default root.
  set(import_dirs "")
  foreach(dir IN LISTS PG_IMPORT_DIRS)
    get_filename_component(abs_dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND import_dirs "${abs_dir}")
  endforeach()
  if(NOT import_dirs)
    list(GET PG_PROTOS 0 first_proto)
    get_filename_component(first_abs "${first_proto}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(first_dir "${first_abs}" DIRECTORY)
    list(APPEND import_dirs "${first_dir}")
  endif()
  set(include_args "")
  foreach(dir IN LISTS import_dirs)
    list(APPEND include_args "-I${dir}")
  endforeach()
  # Well-known types (google/protobuf/*.proto), after the user's dirs: from
  # find_package(Protobuf) in this scope, or else from the target (pronto
  # added as a subdirectory found Protobuf in its own scope).
  set(wkt_dirs "${Protobuf_INCLUDE_DIRS}")
  if(NOT wkt_dirs AND TARGET protobuf::libprotobuf)
    get_target_property(wkt_dirs protobuf::libprotobuf INTERFACE_INCLUDE_DIRECTORIES)
  endif()
  foreach(dir IN LISTS wkt_dirs)
    list(APPEND include_args "-I${dir}")
  endforeach()

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/pronto_gen")
  file(MAKE_DIRECTORY "${out_dir}")
  set(sources "")
  foreach(proto IN LISTS PG_PROTOS)
    get_filename_component(abs "${proto}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set(root "")
    foreach(dir IN LISTS import_dirs)
      _pronto_path_is_under("${abs}" "${dir}" under)
      if(under)
        set(root "${dir}")
        break()
      endif()
    endforeach()
    if(NOT root)
      message(FATAL_ERROR "pronto_generate: ${proto} is not under any of IMPORT_DIRS (${import_dirs})")
    endif()
    file(RELATIVE_PATH rel "${root}" "${abs}")
    string(REGEX REPLACE "\\.proto$" "" base "${rel}")
    # In the order protoc's --dependency_out lists them (Ninja checks that the
    # depfile names the first output).
    set(outputs
      "${out_dir}/${base}.pb.cc" "${out_dir}/${base}.pb.h"
      "${out_dir}/${base}.pronto.cc" "${out_dir}/${base}.pronto.h")
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND "${protoc}" ${include_args}
              "--plugin=protoc-gen-pronto=$<TARGET_FILE:${plugin}>"
              "--cpp_out=${out_dir}" "--pronto_out=${out_dir}"
              "--dependency_out=${out_dir}/${base}.d"
              "${abs}"
      DEPENDS "${abs}" ${plugin} ${protoc_dep}
      DEPFILE "${out_dir}/${base}.d"
      COMMENT "protoc-gen-pronto: ${rel}"
      VERBATIM)
    list(APPEND sources "${out_dir}/${base}.pb.cc" "${out_dir}/${base}.pronto.cc")
  endforeach()

  target_sources(${PG_TARGET} PRIVATE ${sources})
  target_include_directories(${PG_TARGET} PUBLIC "${out_dir}")
  if(NOT PG_NO_LINK)
    target_link_libraries(${PG_TARGET} PUBLIC ${library} protobuf::libprotobuf)
  endif()
endfunction()
