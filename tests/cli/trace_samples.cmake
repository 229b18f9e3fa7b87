# Imports the sample traces of GNU sort (lackey text and ChampSim records of the same window) and
# runs them: configs/trace_sort.yaml on the lackey import, every scheme on the ChampSim import.
# Variables: MMUSIM, SAMPLES (directory), TRACE_CONFIG, CONFIG, OUT. SKIPPED without the samples.
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
if(NOT EXISTS ${SAMPLES}/sort-small.lackey.gz OR NOT EXISTS ${SAMPLES}/sort-small.champsim.xz)
  message("SKIPPED: no sample traces in ${SAMPLES}")
  return()
endif()
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
mmusim_expect(0 out err trace import --from lackey ${SAMPLES}/sort-small.lackey.gz
              --out ${OUT}/sort-lackey.mtr)
if(NOT out MATCHES "300000 records.*fetch 232316  load 38680  store 29004")
  message(FATAL_ERROR "lackey import:\n${out}")
endif()
mmusim_expect(0 out err trace import --from champsim ${SAMPLES}/sort-small.champsim.xz
              --out ${OUT}/sort-champsim.mtr)
if(NOT out MATCHES "300000 records.*fetch 232316  load 38680  store 29004")
  message(FATAL_ERROR "champsim import:\n${out}")
endif()
# The example config, its trace path overridden (it names traces/ in the source tree).
mmusim_expect(0 out err run ${TRACE_CONFIG} --set workload.path=${OUT}/sort-lackey.mtr
              --out ${OUT}/config)
summary_value(${OUT}/config accesses accesses)
summary_value(${OUT}/config oracle_mismatches mismatches)
if(NOT accesses EQUAL 280000 OR NOT mismatches EQUAL 0)
  message(FATAL_ERROR "trace_sort.yaml: ${accesses} accesses (280000 after the warm-up), "
                      "${mismatches} mismatches")
endif()
run_all_schemes(${CONFIG} ${OUT}/sort-champsim.mtr 300000 ${OUT} FALSE)
