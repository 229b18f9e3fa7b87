# Every registered translation scheme (`mmusim schemes`), with each feature it accepts (HugeGPT,
# DMT, pvDMT, ASAP), with flattened tables, and natively and under EPT with ECPT, on 4 cores: two
# processes over the cores with context switches, churn, permission downgrades (half the accesses
# stores, so write-protect faults follow), page migration, VMA growth (under DMT and ASAP, TEAs
# that move) and demand paging. Each run:
# - agrees with the oracle on every core (0 mismatches);
# - shoots changes down (shootdowns and IPIs);
# - gives the same functional stats in LT and AT, and the same simulated stats twice.
# Then EPT with descheduled vCPUs, with and without KVM's PV flush, private regions, a warm-up,
# and 3 cores with 2 processes.
# Variables: MMUSIM, CONFIG, OUT.
cmake_policy(SET CMP0057 NEW)  # if(... IN_LIST ...)
include(${CMAKE_CURRENT_LIST_DIR}/../cli/simulated_stats.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/../cli/set_args.cmake)

execute_process(COMMAND ${MMUSIM} schemes RESULT_VARIABLE rc OUTPUT_VARIABLE listing)
if(NOT rc EQUAL 0 OR listing STREQUAL "")
  message(FATAL_ERROR "mmusim schemes failed (${rc})")
endif()

set(events --set system.cores=4 --set workload.count=12000 --set workload.footprint_mib=64
    --set workload.processes=2 --set workload.switch_every=2500 --set workload.churn_every=3000
    --set workload.churn_pages=16 --set workload.mprotect_every=2000
    --set workload.mprotect_pages=16 --set workload.migrate_every=3500
    --set workload.migrate_pages=8 --set workload.store_fraction=0.5 --set workload.prefault=false
    --set workload.vma_growth.every=4000 --set workload.vma_growth.mib=8)

# Runs one configuration three times (LT, AT, LT) and checks it; `what` names it.
function(check_multicore what)
  foreach(run lt at lt2)
    string(SUBSTRING ${run} 0 2 mode)  # lt2: lt again
    set(dir ${what}-${run})
    set(ARGS_${dir} run ${CONFIG} ${events} ${ARGN} --set sim.timing=${mode})
    run_pair_run(${dir})
    file(READ ${OUT}/${dir}/stats.json json)
    if(NOT json MATCHES "\"oracle_mismatches\": 0,")
      message(FATAL_ERROR "${what} (${run}): the oracle disagrees (${OUT}/${dir})")
    endif()
    if(NOT json MATCHES "\"shootdowns\": [1-9]" OR NOT json MATCHES "\"shootdown_ipis\": [1-9]")
      message(FATAL_ERROR "${what} (${run}): no shootdowns or no IPIs (${OUT}/${dir})")
    endif()
    if(NOT json MATCHES "\"write_protect_faults\": [1-9]" OR
       NOT json MATCHES "\"migrated_pages\": [1-9]")
      message(FATAL_ERROR "${what} (${run}): no write-protect faults or migrations (${OUT}/${dir})")
    endif()
    functional_lines(${OUT}/${dir}/stats.json functional_${run})
    simulated_lines(${OUT}/${dir}/stats.json simulated_${run})
  endforeach()
  if(NOT functional_lt STREQUAL functional_at)
    message(FATAL_ERROR "${what}: LT and AT functional stats differ (${OUT}/${what}-*)")
  endif()
  if(NOT simulated_lt STREQUAL simulated_lt2)
    message(FATAL_ERROR "${what}: two LT runs differ (${OUT}/${what}-lt*)")
  endif()
  message(STATUS "${what}: 4 cores, oracle agrees, shootdowns, LT = AT, deterministic")
endfunction()

string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" fields "${line}")
  list(GET fields 0 name)
  list(GET fields 1 config)
  list(GET fields 2 accepted)
  mmusim_set_args(sets "${config}")
  string(REPLACE "," ";" accepted "${accepted}")
  check_multicore(${name} ${sets})
  set(feature_hugegpt system.hugegpt=true)
  set(feature_dmt system.dmt=dmt)
  set(feature_pvdmt system.dmt=pvdmt)
  set(feature_asap system.asap=true)
  foreach(feature hugegpt dmt pvdmt asap)
    if(feature IN_LIST accepted)
      check_multicore(${name}-${feature} ${sets} --set ${feature_${feature}}
                      --set system.dmt_min_vma_mib=8)
    endif()
  endforeach()
  if(NOT name STREQUAL "agile")  # (Agile Paging's guest tables stay radix)
    check_multicore(${name}-fpt ${sets} --set system.page_table=fpt)
  endif()
  if(name MATCHES "^(none|ept)$")
    check_multicore(${name}-ecpt ${sets} --set system.page_table=ecpt)
  endif()
endforeach()

set(descheduled --set system.virtualization=ept --set software.shootdown.vcpu_preempted=0.5)
check_multicore(ept-preempted-pv ${descheduled})
check_multicore(ept-preempted-wait ${descheduled} --set software.shootdown.pv_tlb_flush=false)
file(READ ${OUT}/ept-preempted-pv-lt/stats.json pv)
file(READ ${OUT}/ept-preempted-wait-lt/stats.json wait)
if(NOT pv MATCHES "\"deferred_flushes\": [1-9]" OR NOT wait MATCHES "\"deferred_flushes\": 0,")
  message(FATAL_ERROR "descheduled vCPUs: PV flush should defer, waiting should not")
endif()
string(REGEX MATCH "\"shootdown_cycles\": [0-9]+" pv_cycles "${pv}")
string(REGEX MATCH "\"shootdown_cycles\": [0-9]+" wait_cycles "${wait}")
string(REGEX REPLACE ".* " "" pv_cycles "${pv_cycles}")
string(REGEX REPLACE ".* " "" wait_cycles "${wait_cycles}")
if(NOT pv_cycles LESS wait_cycles)
  message(FATAL_ERROR "PV flush: initiators waited ${pv_cycles} cycles, not less than ${wait_cycles}")
endif()
check_multicore(none-private --set system.virtualization=none --set workload.sharing=private)
# A warm-up, which ends when the last core's does (its base taken in that core's turn).
check_multicore(ept-warmup --set system.virtualization=ept --set workload.warmup=3000)
# 3 cores, 2 processes: a change made while no other core runs the address space must still be
# flushed, under its PCID, by a core that ran it before and comes back (this once left 8,521
# stale translations).
check_multicore(none-pcid-away --set system.virtualization=none --set system.cores=3
                --set workload.switch_every=700 --set workload.footprint_mib=4
                --set workload.churn_every=500 --set workload.churn_pages=64)
