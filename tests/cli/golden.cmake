# Runs mmusim on a config and diffs stats.json against a golden file, ignoring wall-clock lines.
# Variables: MMUSIM, CONFIG, ARGS (optional), OUT, GOLDEN; UPDATE=1 rewrites the golden file.
include(${CMAKE_CURRENT_LIST_DIR}/simulated_stats.cmake)

file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${MMUSIM} run ${CONFIG} ${ARGS} --out ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mmusim failed (${rc}):\n${out}\n${err}")
endif()
simulated_lines(${OUT}/stats.json actual)
if(UPDATE OR "$ENV{MMUSIM_UPDATE_GOLDEN}")
  file(WRITE ${GOLDEN} "${actual}")
  return()
endif()
if(NOT EXISTS ${GOLDEN})
  message(FATAL_ERROR "no golden file ${GOLDEN}; run with -DUPDATE=1 to create it")
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${OUT}/stats.simulated.json "${actual}")
  execute_process(COMMAND diff -u ${GOLDEN} ${OUT}/stats.simulated.json OUTPUT_VARIABLE d)
  message(FATAL_ERROR "stats differ from ${GOLDEN}:\n${d}")
endif()
