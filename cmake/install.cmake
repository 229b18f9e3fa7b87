# `cmake --install`: the libraries, their headers and the CMake package mmusim (find_package),
# and the executable with its QEMU plugin beside it (mmusim looks for the plugin there).
include(CMakePackageConfigHelpers)
set(MMUSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mmusim)

install(TARGETS ${MMUSIM_EXPORTED} EXPORT mmusimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models ${PROJECT_SOURCE_DIR}/tlm
        DESTINATION ${MMUSIM_INCLUDE_DIR} FILES_MATCHING PATTERN "*.h")
install(EXPORT mmusimTargets NAMESPACE mmusim:: DESTINATION ${MMUSIM_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/mmusimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/mmusimConfig.cmake
                              INSTALL_DESTINATION ${MMUSIM_CMAKE_DIR})
# Before 1.0 a minor version may change the interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mmusimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mmusimConfig.cmake ${PROJECT_BINARY_DIR}/mmusimConfigVersion.cmake
        DESTINATION ${MMUSIM_CMAKE_DIR})

if(MMUSIM_EXECUTABLE)
  install(TARGETS mmusim mmusim_qemu_trace RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
                                           LIBRARY DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
