# mmusim_drop_sanitizer_warnings(VAR): VAR, a process's standard error, without the warning that
# ASan prints (in a `make sanitize` build) when an exception leaves a SystemC thread, whose
# coroutine stack ASan does not know:
#   ==PID==WARNING: ASan is ignoring requested __asan_handle_no_return: stack type: ...
#   False positive error reports may follow
#   For details see https://github.com/google/sanitizers/issues/189
# Only those three lines go; everything mmusim printed stays, so a check of its whole standard
# error holds in both builds. (A sanitizer's report is no warning: it fails the run.)
function(mmusim_drop_sanitizer_warnings var)
  string(REGEX REPLACE
         "==[0-9]+==WARNING: ASan is ignoring requested __asan_handle_no_return: [^\n]*\nFalse positive error reports may follow\nFor details see [^\n]*\n"
         "" text "${${var}}")
  set(${var} "${text}" PARENT_SCOPE)
endfunction()
