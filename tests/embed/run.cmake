# Builds and runs tests/embed/ against mmusim (ctest package.find_package and
# package.add_subdirectory):
#   cmake -DMODE=find_package -DMMUSIM_BUILD=<mmusim build dir> -DWORK=<dir> -P run.cmake
#   cmake -DMODE=add_subdirectory -DMMUSIM_SOURCE=<mmusim source dir> -DWORK=<dir> -P run.cmake
# find_package installs the build into WORK/prefix first. The consumer is built without LTO at
# -O0, as a plain project would: it must link the installed libraries' machine code. WORK is
# removed when the test passes, kept for a look when it fails. GENERATOR: the consumer's
# generator (default Ninja). FLAGS: compile and link flags for the consumer (the sanitizers').
cmake_minimum_required(VERSION 3.21)
if(NOT GENERATOR)
  set(GENERATOR Ninja)
endif()

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${MODE}: ${what} failed (${rc}):\n${out}\n(work dir kept: ${WORK})")
  endif()
  set(step_out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(consumer -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK}/embed -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF
    "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}")
if(MODE STREQUAL "find_package")
  step("cmake --install" ${CMAKE_COMMAND} --install ${MMUSIM_BUILD} --prefix ${WORK}/prefix)
  foreach(file lib/cmake/mmusim/mmusimConfig.cmake lib/cmake/mmusim/mmusimConfigVersion.cmake
               lib/libmmusim_models.a lib/libmmusim_trace.a lib/libmmusim_tlm.a
               include/mmusim/models/walker.h include/mmusim/tlm/mmu.h bin/mmusim)
    if(NOT EXISTS ${WORK}/prefix/${file})
      message(FATAL_ERROR "find_package: ${file} not installed (work dir kept: ${WORK})")
    endif()
  endforeach()
  # Only the installed package: no package registry, no other prefix.
  step("configure" ${CMAKE_COMMAND} ${consumer} -DCMAKE_PREFIX_PATH=${WORK}/prefix
       -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  file(STRINGS ${WORK}/embed/CMakeCache.txt dir REGEX "^mmusim_DIR:")
  if(NOT dir STREQUAL "mmusim_DIR:PATH=${WORK}/prefix/lib/cmake/mmusim")
    message(FATAL_ERROR "find_package: found another mmusim: ${dir}")
  endif()
elseif(MODE STREQUAL "add_subdirectory")
  # Without the verilated unit: mmusim's libraries are all this build compiles.
  step("configure" ${CMAKE_COMMAND} ${consumer} -DMMUSIM_SOURCE_DIR=${MMUSIM_SOURCE}
       -DMMUSIM_RTL=OFF)
  # Nor does it define mmusim's executable or tests.
  file(STRINGS ${WORK}/embed/CMakeFiles/TargetDirectories.txt targets
       REGEX "/(mmusim|mmusim_tb|mmusim_unit_tests)\\.dir$")
  if(targets)
    message(FATAL_ERROR "add_subdirectory: mmusim's executable or tests defined: ${targets}")
  endif()
else()
  message(FATAL_ERROR "MODE: find_package or add_subdirectory, not '${MODE}'")
endif()
step("build" ${CMAKE_COMMAND} --build ${WORK}/embed --target embed)
step("run" ${CMAKE_COMMAND} -E env SC_COPYRIGHT_MESSAGE=DISABLE ${WORK}/embed/embed)
message(STATUS "${MODE}: ${step_out}")
file(REMOVE_RECURSE ${WORK})
