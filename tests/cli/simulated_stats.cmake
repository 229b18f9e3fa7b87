# simulated_lines(PATH OUTVAR): the lines of a stats.json that hold simulated figures, that is
# all but the wall-clock ones (speed, setup and run seconds, peak memory).
set(wallclock "\"(accesses_per_second|setup_seconds|run_seconds|peak_rss_kib)\"")
function(simulated_lines path outvar)
  file(STRINGS ${path} lines)
  set(kept "")
  foreach(l IN LISTS lines)
    if(NOT l MATCHES "${wallclock}")
      string(APPEND kept "${l}\n")
    endif()
  endforeach()
  set(${outvar} "${kept}" PARENT_SCOPE)
endfunction()
