# Warm-up by subtraction: with a warm-up of W accesses and a count of C, every measured counter is
# the run of W + C accesses minus the run of W (the simulation is deterministic).
# Variables: MMUSIM, ARGS (a run without --out), OUT.
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
set(W 30000)
set(C 20000)
math(EXPR WC "${W} + ${C}")
mmusim_expect(0 o e ${ARGS} --set workload.count=${WC} --out ${OUT}/all)
mmusim_expect(0 o e ${ARGS} --set workload.count=${W} --out ${OUT}/first)
mmusim_expect(0 o e ${ARGS} --set workload.warmup=${W} --set workload.count=${C} --out ${OUT}/rest)
file(READ ${OUT}/all/stats.json all)
file(READ ${OUT}/first/stats.json first)
file(READ ${OUT}/rest/stats.json rest)
foreach(path "summary;accesses" "summary;walks" "summary;walk_refs" "summary;total_cycles"
             "summary;cycles" "summary;faults" "core;translation_cycles" "mmu;stlb;misses"
             "mmu;walker;walk_cycles" "mmu;walker;pwc;guest;hits" "memory;reads" "os;demand_faults"
             "os;vm_exits")
  string(JSON a GET "${all}" ${path})
  string(JSON f GET "${first}" ${path})
  string(JSON r GET "${rest}" ${path})
  math(EXPR expected "${a} - ${f}")
  if(NOT r EQUAL expected)
    message(FATAL_ERROR "${path}: ${r} after the warm-up, expected ${a} - ${f} = ${expected}")
  endif()
endforeach()
# State keeps its end-of-run value; a ratio is recomputed over the measured accesses.
string(JSON a GET "${all}" machine guest_as1 pages_4k)
string(JSON r GET "${rest}" machine guest_as1 pages_4k)
string(JSON lookups GET "${rest}" mmu stlb lookups)
string(JSON hits GET "${rest}" mmu stlb hits)
string(JSON rate GET "${rest}" mmu stlb hit_rate)
math(EXPR permille "1000 * ${hits} / ${lookups}")
string(REGEX REPLACE "^0\\.([0-9][0-9][0-9]).*" "\\1" got "${rate}")
if(NOT r EQUAL a OR NOT got EQUAL permille)
  message(FATAL_ERROR "pages_4k ${r} vs ${a}; stlb hit_rate ${rate} vs ${hits}/${lookups}")
endif()
