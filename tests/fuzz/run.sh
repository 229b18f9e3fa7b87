#!/usr/bin/env bash
# `make fuzz`: runs each libFuzzer harness built in BUILD (-DMMUSIM_FUZZ=ON) for SECONDS over its
# corpus, one after the other, and prints per harness the executions, the coverage (libFuzzer's
# cov: edges, ft: features) and what it found. Fails on any finding: a crash, a sanitizer report,
# a leak, a timeout (10 s on one input), memory past the limits, or an abort of the harness.
# New corpus entries go to BUILD/fuzz/corpus/NAME (the repository's corpus is only read); a
# finding is saved as BUILD/fuzz/artifacts/NAME/crash-* (or leak-, timeout-, oom-).
# Usage: tests/fuzz/run.sh BUILD SECONDS [NAME...]   (default: every harness)
set -uo pipefail
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(config sweep mtr lackey champsim)

# The importer harnesses write a trace per input: into memory when /dev/shm is there.
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
rc=0
summary=()
for name in "${names[@]}"; do
  exe=$build/mmusim_fuzz_$name
  if [ ! -x "$exe" ]; then
    echo "$exe: not built" >&2
    exit 1
  fi
  corpus=$build/fuzz/corpus/$name
  artifacts=$build/fuzz/artifacts/$name
  log=$build/fuzz/$name.log
  mkdir -p "$corpus" "$artifacts"
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
        -malloc_limit_mb=512 -artifact_prefix="$artifacts/")
  [ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")
  echo "== $name: ${seconds} s (log: $log)"
  start=$SECONDS
  "$exe" "${args[@]}" "$corpus" "$here/corpus/$name" >"$log" 2>&1
  status=$?
  took=$((SECONDS - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(ls "$artifacts" | wc -l)
  line=$(printf '%-9s %6s s  %10s execs  %6s/s  cov %6s  ft %6s  findings %s' "$name" \
         "$took" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$found")
  summary+=("$line")
  if [ $status -ne 0 ] || [ "$found" -ne 0 ]; then
    rc=1
    echo "$name: finding (exit $status); the input is in $artifacts/:"
    grep -E 'ERROR: |runtime error:|mmusim fuzz finding|SUMMARY:' "$log" | head -20
  fi
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $rc
