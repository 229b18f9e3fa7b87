# mmusim_set_args(OUTVAR "key=value,key=value"): the `--set key=value` arguments of a
# comma-separated list of assignments.
function(mmusim_set_args outvar assignments)
  string(REPLACE "," ";" assignments "${assignments}")
  set(sets "")
  foreach(a IN LISTS assignments)
    list(APPEND sets --set ${a})
  endforeach()
  set(${outvar} "${sets}" PARENT_SCOPE)
endfunction()
