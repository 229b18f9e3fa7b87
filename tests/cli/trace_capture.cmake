# Captures a real program, `sort -n` over 3,000 scrambled numbers, with TOOL (lackey or qemu),
# and runs the trace under every translation scheme with the oracle check on.
# Variables: MMUSIM, CONFIG, TOOL, TOOL_EXE (valgrind or qemu-x86_64), TOOL_PACKAGE (the Debian
# package with TOOL_EXE), KEEP (0: all), OUT.
# Prints SKIPPED, naming the package to install, when TOOL_EXE is not installed (`make test`
# installs it as root).
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
mmusim_require_tool()
set(numbers "")
foreach(i RANGE 1 3000)
  math(EXPR v "(${i} * 1237) % 3001")
  string(APPEND numbers "${v}\n")
endforeach()
file(WRITE ${OUT}/numbers.txt "${numbers}")
mmusim_expect(0 out err trace capture --tool ${TOOL} --keep ${KEEP} --stdin ${OUT}/numbers.txt
              --stdout ${OUT}/sorted.txt --out ${OUT}/sort.mtr -- sort -n)
message(STATUS "${out}")
if(NOT out MATCHES "sort.mtr: mmusim trace v1, ([0-9]+) records, source ${TOOL}: sort -n")
  message(FATAL_ERROR "unexpected capture summary:\n${out}")
endif()
set(records ${CMAKE_MATCH_1})
# The program's own VMAs were recorded (its binary and libc among them).
mmusim_expect(0 stat err trace stat ${OUT}/sort.mtr)
if(NOT stat MATCHES "/sort\n" OR NOT stat MATCHES "libc\\.so" OR NOT stat MATCHES "recorded [1-9]")
  message(FATAL_ERROR "the trace lacks the program's VMAs:\n${stat}")
endif()
if(KEEP GREATER 0 AND NOT records EQUAL KEEP)
  message(FATAL_ERROR "kept ${records} records, asked for ${KEEP}")
endif()
if(KEEP EQUAL 0)
  # The whole run: sort's output is complete.
  file(STRINGS ${OUT}/sorted.txt sorted)
  list(LENGTH sorted n)
  list(GET sorted 2999 last)
  if(NOT n EQUAL 3000 OR NOT last EQUAL 3000)
    message(FATAL_ERROR "sort under capture printed ${n} lines ending in ${last}")
  endif()
endif()
run_all_schemes(${CONFIG} ${OUT}/sort.mtr ${records} ${OUT} TRUE)
