# mmusim as a library (tests/embed/, run.cmake): this build installed into a prefix and found
# there by find_package, and mmusim's sources added to a consumer's build by add_subdirectory.
# Each builds the consumer without LTO and runs it.
# In the sanitizer build the consumer is sanitized too: mmusim's libraries call ASan's runtime.
string(JOIN " " flags ${MMUSIM_SANITIZE_FLAGS})
foreach(mode find_package add_subdirectory)
  add_test(NAME package.${mode}
           COMMAND ${CMAKE_COMMAND} -DMODE=${mode} -DMMUSIM_BUILD=${PROJECT_BINARY_DIR}
                   -DMMUSIM_SOURCE=${PROJECT_SOURCE_DIR} -DWORK=${CLI_OUT}/package-${mode}
                   "-DGENERATOR=${CMAKE_GENERATOR}" "-DFLAGS=${flags}"
                   -P ${CMAKE_CURRENT_LIST_DIR}/run.cmake)
  set_tests_properties(package.${mode} PROPERTIES TIMEOUT 600)
endforeach()
