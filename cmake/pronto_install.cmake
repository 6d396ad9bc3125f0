# pronto_install.cmake — `cmake --install <build> [--prefix <dir>]` puts:
#
#   include/pronto/**                      the public headers
#   lib/libpronto.a (or .so)               the library
#   bin/protoc-gen-pronto                  the protoc plugin
#   lib/cmake/pronto/prontoConfig.cmake    find_package(pronto CONFIG): the
#     prontoConfigVersion.cmake            targets pronto::pronto and
#     prontoTargets*.cmake                 pronto::protoc-gen-pronto, and
#     pronto_generate.cmake                pronto_generate()
#   lib/pkgconfig/pronto.pc                pkg-config --cflags --libs pronto
#
# (lib is CMAKE_INSTALL_LIBDIR: lib/<multiarch> under /usr.)
include(CMakePackageConfigHelpers)

set(PRONTO_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/pronto")

install(DIRECTORY include/pronto DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(TARGETS pronto protoc-gen-pronto EXPORT prontoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT prontoTargets NAMESPACE pronto:: DESTINATION ${PRONTO_CMAKE_DIR})

configure_package_config_file(cmake/prontoConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/prontoConfig.cmake
  INSTALL_DESTINATION ${PRONTO_CMAKE_DIR})
# 0.x: a minor version may break the API; 1.x on: same major.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(pronto_compatibility SameMinorVersion)
else()
  set(pronto_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/prontoConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${pronto_compatibility})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/prontoConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/prontoConfigVersion.cmake
              cmake/pronto_generate.cmake
        DESTINATION ${PRONTO_CMAKE_DIR})

# pkg-config: Requires.private is what a static libpronto needs at link
# time (pkg-config --static); C++20 is the user's to ask for.
foreach(dir LIBDIR INCLUDEDIR BINDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(PRONTO_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(PRONTO_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
# Relocatable: prefix is found from where pronto.pc sits (${pcfiledir}), so
# the file is right under any --prefix given to cmake --install.
set(pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${pc_dir}")
  file(RELATIVE_PATH PRONTO_PC_TO_PREFIX "${pc_dir}" "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH PRONTO_PC_TO_PREFIX "/root-of-prefix/${pc_dir}" "/root-of-prefix")
endif()
configure_file(cmake/pronto.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pronto.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pronto.pc DESTINATION ${pc_dir})
