# Helpers of the trace tests: run mmusim, require an exit code, read summary values.
include(${CMAKE_CURRENT_LIST_DIR}/sanitizer_warnings.cmake)

function(mmusim_expect rc_expected out_var err_var)
  execute_process(COMMAND ${MMUSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL rc_expected)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "mmusim ${cmd}: exit code ${rc}, expected ${rc_expected}\n"
                        "stdout:\n${out}\nstderr:\n${err}")
  endif()
  mmusim_drop_sanitizer_warnings(err)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

# The value of a summary key in DIR/stats.json.
function(summary_value dir key out_var)
  file(READ ${dir}/stats.json json)
  string(JSON v GET "${json}" summary ${key})
  set(${out_var} "${v}" PARENT_SCOPE)
endfunction()

# Runs TRACE under every translation scheme with the oracle check on and demand paging, and
# requires zero mismatches and every access of the trace simulated (RECORDS of them); with
# NEED_TEAS, DMT schemes must have given some VMA (of 1 MiB or more) a TEA and used it.
function(run_all_schemes config trace records out need_teas)
  set(schemes
      "native|system.virtualization=none"
      "ept|system.virtualization=ept"
      "shadow|system.virtualization=shadow"
      "nested|system.virtualization=nested"
      "nested_hw3d|system.virtualization=nested,system.nested_walk=hw3d"
      "dmt|system.dmt=dmt,system.dmt_min_vma_mib=1"
      "pvdmt|system.dmt=pvdmt,system.dmt_min_vma_mib=1"
      "nested_pvdmt|system.virtualization=nested,system.nested_walk=hw3d,system.dmt=pvdmt,system.dmt_min_vma_mib=1")
  foreach(row IN LISTS schemes)
    string(REPLACE "|" ";" parts "${row}")
    list(GET parts 0 name)
    list(GET parts 1 assignments)
    string(REPLACE "," ";" assignments "${assignments}")
    set(sets "")
    foreach(a IN LISTS assignments)
      list(APPEND sets --set ${a})
    endforeach()
    mmusim_expect(0 o e run ${config} --set workload.kind=trace --set workload.path=${trace}
                  --set workload.count=0 --set workload.prefault=false --set sim.check=true
                  ${sets} --out ${out}/${name})
    summary_value(${out}/${name} oracle_mismatches mismatches)
    summary_value(${out}/${name} accesses accesses)
    summary_value(${out}/${name} walks walks)
    if(NOT mismatches EQUAL 0 OR NOT accesses EQUAL records OR walks EQUAL 0)
      message(FATAL_ERROR "${name}: ${mismatches} mismatches, ${accesses} of ${records} "
                          "accesses, ${walks} walks")
    endif()
    if(need_teas AND name MATCHES "dmt")
      # Some VMA got a TEA and walks used it.
      file(READ ${out}/${name}/stats.json json)
      string(JSON teas GET "${json}" os teas)
      string(JSON hits GET "${json}" mmu walker dmt_hits)
      if(teas EQUAL 0 OR hits EQUAL 0)
        message(FATAL_ERROR "${name}: ${teas} TEAs, ${hits} DMT hits")
      endif()
    endif()
    message(STATUS "${name}: ${accesses} accesses, ${walks} walks, 0 mismatches")
  endforeach()
endfunction()

# Ends the calling script, printing SKIPPED with the package to install, when TOOL_EXE (a capture
# tool) is not installed; else starts OUT afresh. A macro, so that its return() ends the script.
macro(mmusim_require_tool)
  find_program(tool_exe ${TOOL_EXE})
  if(NOT tool_exe)
    message("SKIPPED: ${TOOL_EXE} is not installed (apt-get install ${TOOL_PACKAGE})")
    return()
  endif()
  file(REMOVE_RECURSE ${OUT})
  file(MAKE_DIRECTORY ${OUT})
endmacro()
