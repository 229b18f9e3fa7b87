# SIGINT and SIGTERM during a run end it cleanly: a one-line message, the exit status of the
# signal (130, 143), no results written, the previous stats.json whole and no temporary file.
# Variables: MMUSIM, CONFIG, OUT, SIG (INT or TERM).
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
file(REMOVE_RECURSE ${OUT})
if(SIG STREQUAL "INT")
  set(number 2)
else()
  set(number 15)
endif()
# A signal ignored on entry stays ignored (as for a background job of a non-interactive shell).
execute_process(COMMAND sed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status OUTPUT_VARIABLE ign)
string(STRIP "${ign}" ign)
string(SUBSTRING "${ign}" 8 8 ign)
math(EXPR ignored "0x${ign} & (1 << (${number} - 1))")
if(ignored)
  message(STATUS "SKIPPED: SIG${SIG} is ignored in this test's environment")
  return()
endif()

mmusim_expect(0 o e run ${CONFIG} --set workload.count=2000 --out ${OUT})
file(READ ${OUT}/stats.json before)
# Long enough (a minute here) to be running when the signal comes, short enough to end by
# itself if the signal were missed.
execute_process(COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/fail_signal.sh ${SIG} ${MMUSIM} run
                        ${CONFIG} --set workload.count=50000000 --out ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
mmusim_drop_sanitizer_warnings(err)
string(REGEX REPLACE "Terminated\n$" "" err "${err}")  # dash's note on a process killed so
math(EXPR code "128 + ${number}")
if(NOT out STREQUAL "exit ${code}\n" OR
   NOT err STREQUAL "mmusim: interrupted (SIG${SIG}): no results written\n")
  message(FATAL_ERROR "expected exit ${code} and the interruption message; got ${out}\n"
                      "stderr:\n${err}")
endif()
file(READ ${OUT}/stats.json after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "stats.json changed by an interrupted run")
endif()
file(GLOB left ${OUT}/*.tmp)
if(left)
  message(FATAL_ERROR "temporary files left behind: ${left}")
endif()
