# Runs mmusim with a sampled event log and checks it: one JSON line per sampled translation, in
# access order, each with its latency and step vector.
# Variables: MMUSIM, CONFIG, TIMING, OUT.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${MMUSIM} run ${CONFIG} --set workload.count=5000 --set sim.timing=${TIMING}
                        --set stats.event_log=events.jsonl --set stats.event_log_every=500
                        --out ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mmusim failed (${rc}):\n${out}\n${err}")
endif()
file(STRINGS ${OUT}/events.jsonl lines)
list(LENGTH lines n)
if(NOT n EQUAL 10)
  message(FATAL_ERROR "expected 10 logged translations (5000 / 500), got ${n}")
endif()
set(i 0)
foreach(l IN LISTS lines)
  math(EXPR want "${i} * 500")
  if(NOT l MATCHES "^{\"access\": ${want}, \"va\": \"0x[0-9a-f]+\".*\"latency\": [0-9]+.*\"steps\": \"[A-Z0-9,]*\"")
    message(FATAL_ERROR "line ${i} malformed: ${l}")
  endif()
  math(EXPR i "${i} + 1")
endforeach()
