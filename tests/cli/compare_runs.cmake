# Runs mmusim twice (ARGS_A, ARGS_B) and requires KEY of run A to be below KEY of run B.
# Variables: MMUSIM, ARGS_A, ARGS_B, KEY, OUT.
foreach(run A B)
  file(REMOVE_RECURSE ${OUT}/${run})
  execute_process(COMMAND ${MMUSIM} ${ARGS_${run}} --out ${OUT}/${run}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run} failed (${rc}):\n${out}\n${err}")
  endif()
  file(READ ${OUT}/${run}/stats.json json)
  if(NOT json MATCHES "\"${KEY}\": ([0-9.]+)")
    message(FATAL_ERROR "run ${run}: no ${KEY} in stats.json")
  endif()
  set(value_${run} ${CMAKE_MATCH_1})
endforeach()
if(NOT value_A LESS value_B)
  message(FATAL_ERROR "${KEY}: run A ${value_A} is not below run B ${value_B}")
endif()
message(STATUS "${KEY}: ${value_A} < ${value_B}")
