# Outputs are written through a temporary file and a rename, and a write error (here a full disk,
# made by a file size limit of zero: `ulimit -f 0`) stops mmusim with exit 1 and an error naming
# the file, leaving the previous file whole and no temporary file behind: stats.json of a run,
# results.csv of a sweep, a trace. Variables: MMUSIM, CONFIG, OUT.
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

# Runs mmusim ARGS... under a file size limit of zero; requires exit 1 and stderr matching regex.
function(expect_full_disk regex)
  execute_process(COMMAND sh -c "ulimit -f 0 && exec \"$0\" \"$@\"" ${MMUSIM} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  mmusim_drop_sanitizer_warnings(err)
  if(NOT rc EQUAL 1 OR NOT err MATCHES "${regex}")
    message(FATAL_ERROR "exit code ${rc} (expected 1), stderr does not match '${regex}':\n${err}")
  endif()
  message(STATUS "${err}")
endfunction()

# Requires dir to hold no temporary file.
function(expect_no_tmp dir)
  file(GLOB_RECURSE left ${dir}/*.tmp)
  if(left)
    message(FATAL_ERROR "temporary files left behind: ${left}")
  endif()
endfunction()

# A run's stats.json: the one of the previous run stays.
set(run run ${CONFIG} --set workload.count=2000 --out ${OUT}/run)
mmusim_expect(0 o e ${run})
file(READ ${OUT}/run/stats.json before)
expect_full_disk("^mmusim: error: [^\n]*/run/stats.json: write failed: File too large\n$"
                 ${run} --set workload.count=3000)
file(READ ${OUT}/run/stats.json after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "stats.json changed by a run that failed to write it")
endif()
expect_no_tmp(${OUT}/run)

# A sweep's results.csv: the one of the previous collection stays.
file(WRITE ${OUT}/sweep.yaml
     "base: ${CONFIG}\nset: {workload.count: 1000}\naxes:\n  system.guest_page: [4K, 2M]\n")
mmusim_expect(0 o e sweep ${OUT}/sweep.yaml -j 1 --out ${OUT}/sweep)
file(READ ${OUT}/sweep/results.csv before)
file(REMOVE ${OUT}/sweep/points/0001/done)
expect_full_disk("^mmusim: error: [^\n]*/sweep/results.csv: write failed: File too large\n$"
                 sweep ${OUT}/sweep.yaml --collect --out ${OUT}/sweep)
file(READ ${OUT}/sweep/results.csv after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "results.csv changed by a collection that failed to write it")
endif()
expect_no_tmp(${OUT}/sweep)

# A trace: no file at all (there was none before), no temporary file.
set(tmp "[^\n]*/t.mtr[.a-z]*.tmp")
expect_full_disk("^mmusim: error: [^\n]*/t.mtr: write failed \\(${tmp}\\): File too large\n$"
                 trace generate --records 300000 --footprint-mib 16 --out ${OUT}/t.mtr)
if(EXISTS ${OUT}/t.mtr)
  message(FATAL_ERROR "a trace that failed to be written exists")
endif()
expect_no_tmp(${OUT})
