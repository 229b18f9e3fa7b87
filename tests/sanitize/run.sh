#!/usr/bin/env bash
# `make sanitize`: ctest in BUILD, a build configured with -DMMUSIM_SANITIZE=ON, with the
# sanitizers' options and suppressions; fails on a failing test or on any sanitizer report.
# Usage: tests/sanitize/run.sh BUILD [CTEST ARGUMENTS...]
set -uo pipefail
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
# A sanitizer stops the process at its first report, with exit code 86: no mmusim exit code (0 to
# 3), so a test that expects mmusim to fail does not take a sanitizer's exit for that failure.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:exitcode=86:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:suppressions=$here/ubsan.supp:${UBSAN_OPTIONS:-}"
cd "$build" || exit 1
rc=0
ctest --output-on-failure "$@" || rc=$?
# A report that a passing test printed (one from a process whose failure the test allows, say)
# fails the run too. ctest's log holds every test's output, CMake scripts' messages wrapped at
# spaces: hence single words.
log=Testing/Temporary/LastTest.log
pattern='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'
if grep -E -q "$pattern" "$log"; then
  echo "sanitizer reports in $build/$log:"
  grep -E -n "$pattern" "$log" | head -50
  rc=1
fi
exit $rc
