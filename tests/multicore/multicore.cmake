# Several cores: every scheme's conformance on 4 cores, the config errors of several cores.
add_test(NAME cli.multicore_conformance
         COMMAND ${CMAKE_COMMAND} -DMMUSIM=$<TARGET_FILE:mmusim> -DCONFIG=${DEFAULT_CONFIG}
                 -DOUT=${CLI_OUT}/multicore_conformance
                 -P ${CMAKE_CURRENT_LIST_DIR}/conformance.cmake)
set_tests_properties(cli.multicore_conformance PROPERTIES TIMEOUT 900)
mmusim_cli_test(error_cores_range EXPECT_RC 2 STDERR_RE "system\\.cores"
                ARGS run ${DEFAULT_CONFIG} --set system.cores=257)
mmusim_cli_test(error_cores_trace EXPECT_RC 2
                STDERR_RE "system\\.cores: .*workload\\.kind trace"
                ARGS run ${DEFAULT_CONFIG} --set system.cores=2 --set workload.kind=trace
                     --set workload.path=${DEFAULT_CONFIG})
mmusim_cli_test(error_cores_growth EXPECT_RC 2
                STDERR_RE "system\\.cores: .*workload\\.vma_growth\\.every"
                ARGS run ${DEFAULT_CONFIG} --set system.cores=2
                     --set workload.vma_growth.every=1000)
