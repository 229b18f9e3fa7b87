# Runs mmusim twice (ARGS_A, ARGS_B) and requires every simulated figure of stats.json to be the
# same (wall-clock lines aside), or with FUNCTIONAL=1 every functional one (timing aside too).
# Variables: MMUSIM, ARGS_A, ARGS_B, OUT, FUNCTIONAL (optional).
include(${CMAKE_CURRENT_LIST_DIR}/simulated_stats.cmake)
foreach(run A B)
  run_pair_run(${run})
  if(FUNCTIONAL)
    functional_lines(${OUT}/${run}/stats.json stats_${run})
  else()
    simulated_lines(${OUT}/${run}/stats.json stats_${run})
  endif()
endforeach()
if(NOT stats_A STREQUAL stats_B)
  file(WRITE ${OUT}/A.simulated.json "${stats_A}")
  file(WRITE ${OUT}/B.simulated.json "${stats_B}")
  execute_process(COMMAND diff -u ${OUT}/A.simulated.json ${OUT}/B.simulated.json
                  OUTPUT_VARIABLE d)
  message(FATAL_ERROR "stats differ:\n${d}")
endif()
string(REGEX MATCH "\"walk_refs\": [0-9]+" refs "${stats_A}")
string(REGEX MATCH "\"total_cycles\": [0-9]+" cycles "${stats_A}")
message(STATUS "same simulated stats (${refs}, ${cycles})")
