# Runs mmusim and requires the first "KEY": value of its stats.json to lie in [MIN, MAX].
# Variables: MMUSIM, ARGS (';'-separated), OUT, KEY, MIN, MAX.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${MMUSIM} ${ARGS} --out ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mmusim failed (${rc}):\n${out}\n${err}")
endif()
file(READ ${OUT}/stats.json json)
if(NOT json MATCHES "\"${KEY}\": ([0-9.]+)")
  message(FATAL_ERROR "no ${KEY} in stats.json")
endif()
set(value ${CMAKE_MATCH_1})
if(value LESS MIN OR value GREATER MAX)
  message(FATAL_ERROR "${KEY} = ${value}, outside [${MIN}, ${MAX}]")
endif()
message(STATUS "${KEY} = ${value}, within [${MIN}, ${MAX}]")
