# Several cores: the example config (its count is per core), every scheme's conformance on 4
# cores, the config errors of several cores.
set(multicore ${PROJECT_SOURCE_DIR}/configs/multicore.yaml)
mmusim_cli_test(config_multicore ARGS run ${multicore} --set workload.count=2500
                STATS "oracle_mismatches=0;accesses=20000")
mmusim_lt_at_same_test(multicore run ${multicore} --set workload.count=2500)
add_test(NAME cli.multicore_conformance
         COMMAND ${CMAKE_COMMAND} -DMMUSIM=$<TARGET_FILE:mmusim> -DCONFIG=${DEFAULT_CONFIG}
                 -DOUT=${CLI_OUT}/multicore_conformance
                 -P ${CMAKE_CURRENT_LIST_DIR}/conformance.cmake)
set_tests_properties(cli.multicore_conformance PROPERTIES TIMEOUT 900)
mmusim_cli_test(error_cores_range EXPECT_RC 2 STDERR_RE "system\\.cores"
                ARGS run ${DEFAULT_CONFIG} --set system.cores=257)
mmusim_cli_test(error_cores_trace EXPECT_RC 2
                STDERR_RE "system\\.cores: .*workload\\.threads: per_core, not same_process"
                ARGS run ${DEFAULT_CONFIG} --set system.cores=2 --set workload.kind=trace
                     --set workload.path=${DEFAULT_CONFIG})

# Golden stats of several cores: the example config, and 4 cores with two processes, demand
# paging and churn (PCIDs off: CR3 writes flush) natively, under EPT and shadow paging, LT and AT.
mmusim_golden(config_multicore ${multicore} --set workload.count=4000)
set(MULTICORE_EVENTS --set system.cores=4 --set workload.count=10000
    --set workload.footprint_mib=16 --set workload.prefault=false --set workload.processes=2
    --set workload.switch_every=2500 --set workload.churn_every=1500
    --set workload.churn_pages=40 --set system.pcid=false)
foreach(virt none ept shadow)
  foreach(timing lt at)
    mmusim_golden(multicore_${virt}_${timing} ${DEFAULT_CONFIG} ${MULTICORE_EVENTS}
                  --set system.virtualization=${virt} --set sim.timing=${timing})
  endforeach()
endforeach()

# A real multi-threaded program captured with QEMU, its threads on 4 cores.
add_test(NAME cli.trace_threads_on_cores
         COMMAND ${CMAKE_COMMAND} -DMMUSIM=$<TARGET_FILE:mmusim> -DCONFIG=${DEFAULT_CONFIG}
                 -DTOOL_EXE=qemu-x86_64 -DTOOL_PACKAGE=qemu-user
                 -DOUT=${CLI_OUT}/trace_threads_on_cores
                 -P ${CMAKE_CURRENT_LIST_DIR}/trace_threads.cmake)
set_tests_properties(cli.trace_threads_on_cores PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:")
