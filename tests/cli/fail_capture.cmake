# `trace capture` of a program that crashes (SIGSEGV) or is killed (SIGKILL) keeps what was
# recorded: exit 0, the summary says how the program ended, and the trace reads back whole and
# runs. Variables: MMUSIM, CONFIG, TOOL, TOOL_EXE, TOOL_PACKAGE, OUT.
# Prints SKIPPED, naming the package to install, when TOOL_EXE is not installed.
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
mmusim_require_tool()
foreach(sig SEGV KILL)
  if(sig STREQUAL "SEGV")
    set(number 11)
  else()
    set(number 9)
  endif()
  set(t ${OUT}/${sig}.mtr)
  mmusim_expect(0 out err trace capture --tool ${TOOL} --out ${t} -- sh -c "kill -${sig} $$")
  if(NOT out MATCHES "records seen in [^\n]*; the program was killed by signal ${number}\n")
    message(FATAL_ERROR "the summary does not say the program was killed:\n${out}")
  endif()
  mmusim_expect(0 stat err trace stat ${t})
  mmusim_expect(0 o e run ${CONFIG} --set workload.kind=trace --set workload.path=${t}
                --set workload.count=0 --set workload.prefault=false --set sim.check=true
                --out ${OUT}/run_${sig})
  summary_value(${OUT}/run_${sig} oracle_mismatches mismatches)
  if(NOT mismatches EQUAL 0)
    message(FATAL_ERROR "${sig}: ${mismatches} oracle mismatches")
  endif()
endforeach()
file(GLOB left ${OUT}/*.tmp)
if(left)
  message(FATAL_ERROR "temporary files left behind: ${left}")
endif()
