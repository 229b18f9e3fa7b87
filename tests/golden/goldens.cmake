# Golden stats: every simulated figure of small runs, byte for byte (wall-clock lines aside).
# The refactors that must change no result are checked against these. To rewrite them after a
# change that is meant to alter results: MMUSIM_UPDATE_GOLDEN=1 ctest -R '^golden\.'
function(mmusim_golden name config)
  string(REPLACE ";" "$<SEMICOLON>" args "${ARGN}")
  add_test(NAME golden.${name}
           COMMAND ${CMAKE_COMMAND} -DMMUSIM=$<TARGET_FILE:mmusim> -DCONFIG=${config}
                   "-DARGS=${args}" -DOUT=${CLI_OUT}/golden-${name}
                   -DGOLDEN=${CMAKE_CURRENT_SOURCE_DIR}/golden/${name}.stats.json
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/golden.cmake)
endfunction()

set(GOLDEN_CONFIGS ${PROJECT_SOURCE_DIR}/configs)
foreach(golden default native ept)
  mmusim_golden(${golden} ${GOLDEN_CONFIGS}/${golden}.yaml
                --set workload.count=50000 --set workload.footprint_mib=512)
endforeach()

# Every other example config, shortened.
foreach(config agile asap dmt dmt_asplos24 ecpt fpt hugegpt nested pvdmt shadow)
  mmusim_golden(config_${config} ${GOLDEN_CONFIGS}/${config}.yaml --set workload.count=30000)
endforeach()
if(MMUSIM_RTL)
  mmusim_golden(config_dmt_rtl ${GOLDEN_CONFIGS}/dmt_rtl.yaml --set workload.count=5000)
endif()

# Every scheme and feature, in LT and AT, on a workload that exercises the software paths:
# demand paging, two processes with context switches (no PCIDs: CR3 writes flush), page-table
# churn and a growing VMA (under DMT: with a TEA that doubles). Then the same schemes cold.
set(GOLDEN_EVENTS --set workload.count=40000 --set workload.footprint_mib=16
    --set workload.prefault=false --set workload.processes=2 --set workload.switch_every=2500
    --set workload.churn_every=1500 --set workload.churn_pages=16
    --set workload.vma_growth.every=7000 --set workload.vma_growth.mib=8 --set system.pcid=false
    --set system.dmt_min_vma_mib=8)
set(GOLDEN_SCHEMES
    "native|system.virtualization=none"
    "ept|system.virtualization=ept"
    "ept_2m|system.virtualization=ept,system.guest_page=2M,system.host_page=2M"
    "shadow|system.virtualization=shadow"
    "shadow_2m|system.virtualization=shadow,system.guest_page=2M,system.host_page=4K"
    "nested_shadow_ept|system.virtualization=nested,system.nested_walk=shadow_ept"
    "nested_hw3d|system.virtualization=nested,system.nested_walk=hw3d"
    "hugegpt|system.virtualization=ept,system.hugegpt=true"
    "dmt_native|system.virtualization=none,system.dmt=dmt"
    "dmt_ept|system.virtualization=ept,system.dmt=dmt"
    "pvdmt_ept|system.virtualization=ept,system.dmt=pvdmt"
    "pvdmt_nested|system.virtualization=nested,system.nested_walk=hw3d,system.dmt=pvdmt"
    "ecpt_native|system.virtualization=none,system.page_table=ecpt"
    "ecpt_native_mixed|system.virtualization=none,system.page_table=ecpt,system.guest_page=2M,system.guest_huge_fraction=0.5"
    "ecpt_ept|system.virtualization=ept,system.page_table=ecpt,system.host_page_table=ecpt"
    "ecpt_ept_2m|system.virtualization=ept,system.page_table=ecpt,system.host_page_table=ecpt,system.guest_page=2M,system.host_page=2M"
    "ecpt_ept_guest|system.virtualization=ept,system.page_table=ecpt"
    "ecpt_ept_host|system.virtualization=ept,system.host_page_table=ecpt"
    "fpt_native|system.virtualization=none,system.page_table=fpt"
    "fpt_native_2m|system.virtualization=none,system.page_table=fpt,system.guest_page=2M"
    "fpt_ept|system.virtualization=ept,system.page_table=fpt,system.host_page_table=fpt"
    "fpt_shadow|system.virtualization=shadow,system.page_table=fpt"
    "fpt_nested_hw3d|system.virtualization=nested,system.nested_walk=hw3d,system.page_table=fpt,system.host_page_table=fpt"
    "asap_native|system.virtualization=none,system.asap=true"
    "asap_ept|system.virtualization=ept,system.asap=true"
    "agile|system.virtualization=agile,system.agile.scan_every=3000"
    "agile_2m|system.virtualization=agile,system.guest_page=2M,system.host_page=2M,system.agile.scan_every=3000")
foreach(row IN LISTS GOLDEN_SCHEMES)
  string(REPLACE "|" ";" parts "${row}")
  list(GET parts 0 name)
  list(GET parts 1 assignments)
  mmusim_set_args(sets "${assignments}")
  mmusim_golden(scheme_${name}_lt ${DEFAULT_CONFIG} ${GOLDEN_EVENTS} ${sets})
  mmusim_golden(scheme_${name}_at ${DEFAULT_CONFIG} ${GOLDEN_EVENTS} ${sets} --set sim.timing=at)
  mmusim_golden(scheme_${name}_cold ${DEFAULT_CONFIG} --cold --set workload.count=5000
                --set workload.footprint_mib=64 ${sets})
endforeach()

# Every registered scheme, and every feature it accepts, through the same checks.
string(REPLACE ";" "$<SEMICOLON>" events "${GOLDEN_EVENTS}")
add_test(NAME cli.scheme_conformance
         COMMAND ${CMAKE_COMMAND} -DMMUSIM=$<TARGET_FILE:mmusim> -DCONFIG=${DEFAULT_CONFIG}
                 "-DEVENTS=${events}" -DOUT=${CLI_OUT}/scheme_conformance
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/scheme_conformance.cmake)
