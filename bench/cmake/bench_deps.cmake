# bench_deps.cmake — what the bench projects (bench/ and bench/footprint/)
# share: the official gRPC C++ library and code generator, the pronto
# library and plugin, and official_generate().
#
# pronto: when this is part of the main build (add_subdirectory(bench) from
# the top level) the `pronto` and `protoc-gen-pronto` targets already exist
# and are used as they are. Standalone (how bench/run builds it), they are
# imported from an already-built pronto tree: -DPRONTO_BUILD_DIR=<dir> with
# <dir>/libpronto.a and <dir>/bin/protoc-gen-pronto. The imported library
# repeats the private link dependencies of the top-level `pronto` target;
# keep the two lists in step.

set(PRONTO_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." CACHE PATH "pronto source tree")
get_filename_component(PRONTO_SOURCE_DIR "${PRONTO_SOURCE_DIR}" ABSOLUTE)

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Protobuf REQUIRED)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

if(NOT TARGET pronto)
  set(PRONTO_BUILD_DIR "" CACHE PATH "A pronto build tree holding libpronto.a and bin/protoc-gen-pronto")
  get_filename_component(PRONTO_BUILD_DIR "${PRONTO_BUILD_DIR}" ABSOLUTE BASE_DIR "${CMAKE_BINARY_DIR}")
  if(NOT EXISTS "${PRONTO_BUILD_DIR}/libpronto.a" OR NOT EXISTS "${PRONTO_BUILD_DIR}/bin/protoc-gen-pronto")
    message(FATAL_ERROR "bench: -DPRONTO_BUILD_DIR=<dir> must name a built pronto tree "
                        "(libpronto.a and bin/protoc-gen-pronto); got '${PRONTO_BUILD_DIR}'")
  endif()
  pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2>=1.52)
  find_package(OpenSSL REQUIRED)
  find_package(ZLIB REQUIRED)
  find_library(PRONTO_HTTP_PARSER_LIBRARY http_parser REQUIRED)  # libhttp-parser-dev
  add_library(pronto STATIC IMPORTED)
  set_target_properties(pronto PROPERTIES
    IMPORTED_LOCATION "${PRONTO_BUILD_DIR}/libpronto.a"
    INTERFACE_INCLUDE_DIRECTORIES "${PRONTO_SOURCE_DIR}/include"
    INTERFACE_LINK_LIBRARIES
      "Threads::Threads;PkgConfig::NGHTTP2;OpenSSL::SSL;OpenSSL::Crypto;ZLIB::ZLIB;${PRONTO_HTTP_PARSER_LIBRARY}")
  add_executable(protoc-gen-pronto IMPORTED)
  set_target_properties(protoc-gen-pronto PROPERTIES IMPORTED_LOCATION "${PRONTO_BUILD_DIR}/bin/protoc-gen-pronto")
  include("${PRONTO_SOURCE_DIR}/cmake/pronto_generate.cmake")
endif()

# official_generate(TARGET <t> PROTOS <abs proto>...): protoc + grpc_cpp_plugin
# into ${CMAKE_CURRENT_BINARY_DIR}/official_gen/<t>; adds the sources to <t>
# and links grpc++ and protobuf. Each proto is compiled with its own
# directory as the import root.
function(official_generate)
  cmake_parse_arguments(PARSE_ARGV 0 OG "" "TARGET" "PROTOS")
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/official_gen/${OG_TARGET}")
  file(MAKE_DIRECTORY "${out_dir}")
  set(sources "")
  foreach(proto IN LISTS OG_PROTOS)
    get_filename_component(dir "${proto}" DIRECTORY)
    get_filename_component(base "${proto}" NAME_WE)
    set(outputs "${out_dir}/${base}.pb.cc" "${out_dir}/${base}.pb.h"
                "${out_dir}/${base}.grpc.pb.cc" "${out_dir}/${base}.grpc.pb.h")
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${Protobuf_PROTOC_EXECUTABLE} "-I${dir}" "--cpp_out=${out_dir}" "--grpc_out=${out_dir}"
              "--plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}" "${proto}"
      DEPENDS "${proto}"
      COMMENT "grpc_cpp_plugin: ${base}.proto"
      VERBATIM)
    list(APPEND sources "${out_dir}/${base}.pb.cc" "${out_dir}/${base}.grpc.pb.cc")
  endforeach()
  target_sources(${OG_TARGET} PRIVATE ${sources})
  target_include_directories(${OG_TARGET} PUBLIC "${out_dir}")
  target_link_libraries(${OG_TARGET} PUBLIC PkgConfig::GRPCPP protobuf::libprotobuf Threads::Threads)
endfunction()
